using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace MlNetMlp.Tests.Cli;

/// <summary>
/// Compiles generated C# in process with Roslyn against the assemblies this test run loads (.NET, ML.NET, MlNetMlp)
/// and the project's implicit usings, so a test can call the generated classes; a compile error fails with the
/// diagnostics and the source.
/// </summary>
internal static class GeneratedCodeCompiler
{
    private const string ImplicitUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Threading;
        global using System.Threading.Tasks;
        """;

    public static Assembly Compile(string assemblyName, params string[] sources)
    {
        var parse = new CSharpParseOptions(LanguageVersion.Preview);
        var trees = sources.Append(ImplicitUsings).Select(s => CSharpSyntaxTree.ParseText(s, parse)).ToList();
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(path => path.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
            .Select(path => MetadataReference.CreateFromFile(path));
        var compilation = CSharpCompilation.Create(assemblyName, trees, references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        using var image = new MemoryStream();
        var result = compilation.Emit(image);
        var problems = result.Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        Assert.IsTrue(result.Success && problems.Count == 0,
            $"the generated code does not compile cleanly:\n{string.Join("\n", problems)}\n\n{string.Join("\n\n", sources)}");
        image.Position = 0;
        return AssemblyLoadContext.Default.LoadFromStream(image);
    }
}
