using System.Reflection;
using System.Text;

namespace MlNetMlp.Cli.CodeGeneration;

/// <summary>
/// <c>--emit-code DIR</c> (train) and <c>export --code DIR</c>: a C# project that predicts with a saved model, generated
/// from the model file alone (<see cref="ModelCodeSchema"/>, <see cref="ConsumptionProject"/>) and written into a
/// directory under <see cref="CodeDirectory"/>'s rules, with a copy of the model.
/// </summary>
internal static class CodeEmitter
{
    /// <summary>
    /// This repository's packages whose assemblies a pipeline step may come from, besides MlNetMlp (always referenced);
    /// each ships as a package of the assembly's name and the tool's version. A package added to the repository that
    /// holds transforms or trainers belongs here.
    /// </summary>
    private static readonly HashSet<string> OurPackages = ["MlNetMlp.Data", "MlNetMlp.Study", "MlNetMlp.Plots"];

    /// <summary>The project and namespace name when the directory's name gives no identifier.</summary>
    private const string DefaultProjectName = "MLModelConsumer";

    /// <summary>
    /// Checks before long work that <paramref name="directory"/> can take the code, and that the model file
    /// (<paramref name="modelOption"/>, <paramref name="modelPath"/>) is not inside it: the project gets its own copy.
    /// </summary>
    public static void Check(string option, string directory, string modelOption, string modelPath)
    {
        CheckModelOutside(option, directory, modelOption, modelPath);
        CodeDirectory.Check(option, directory);
    }

    private static void CheckModelOutside(string option, string directory, string modelOption, string modelPath)
    {
        OutputCheck.NotEmpty(option, directory, "code directory");
        string dir = RegularFile.Canonical(directory).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        if (RegularFile.Canonical(modelPath).StartsWith(dir, OperatingSystem.IsLinux() ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"{modelOption} {modelPath} is inside {option} {directory}, which gets its own copy of the model: keep the model outside it.", option);
    }

    /// <summary>
    /// Writes the project for the model file <paramref name="modelPath"/> into <paramref name="directory"/> and returns
    /// its file names. The model is loaded and the code generated before the directory is touched.
    /// </summary>
    public static IReadOnlyList<string> Emit(string option, string directory, string modelOption, string modelPath)
    {
        CheckModelOutside(option, directory, modelOption, modelPath);
        var mlContext = new MLContext(seed: 1);
        var model = ModelFile.Load(mlContext, modelPath, out var inputSchema);
        var files = ProjectFiles(model, inputSchema, modelPath, directory);
        CodeDirectory.Write(option, directory, files);
        return [.. files.Keys.Order(StringComparer.Ordinal)];
    }

    /// <summary>The project's files (name → bytes) for a model loaded from <paramref name="modelPath"/>, the model's copy included.</summary>
    public static IReadOnlyDictionary<string, byte[]> ProjectFiles(ITransformer model, DataViewSchema? inputSchema, string modelPath, string directory)
    {
        string modelFileName = Path.GetFileName(modelPath);
        var files = Generate(model, inputSchema, modelFileName, ProjectName(directory), $"Model file '{modelPath}'")
            .ToDictionary(f => f.Key, f => Encoding.UTF8.GetBytes(f.Value), StringComparer.Ordinal);
        files[modelFileName] = File.ReadAllBytes(modelPath);
        return files;
    }

    /// <summary>The generated files (name → text) for a loaded model; the model file itself is not among them.</summary>
    /// <param name="what">Names the model in errors.</param>
    public static IReadOnlyDictionary<string, string> Generate(ITransformer model, DataViewSchema? inputSchema, string modelFileName,
        string projectName, string what)
    {
        var schema = ModelCodeSchema.From(model, inputSchema, what);
        var packages = Packages(model, what);
        if (packages.Any(p => string.Equals(p.Id, projectName, StringComparison.OrdinalIgnoreCase)) || projectName == ConsumptionProject.ClassName)
            projectName += "App"; // a project named as a package it references is a dependency cycle to NuGet
        return ConsumptionProject.Files(schema, modelFileName, projectName, packages, PackageVersion(typeof(MlpTrainer).Assembly));
    }

    /// <summary>The directory's name as a capitalized ASCII C# identifier ("fashion-code" → "FashionCode", "code" → "Code").</summary>
    internal static string ProjectName(string directory)
    {
        string name = Path.GetFileName(Path.GetFullPath(directory).TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar));
        string identifier = CSharpNames.Identifier(name, new HashSet<string>(), DefaultProjectName);
        return identifier.All(char.IsAscii) ? char.ToUpperInvariant(identifier[0]) + identifier[1..] : DefaultProjectName;
    }

    /// <summary>
    /// The packages that hold the model's pipeline steps, found from the loaded steps' assemblies (and their models'):
    /// Microsoft.ML always, MlNetMlp always, and any other ML.NET package a step comes from (ImageAnalytics, LightGbm, …),
    /// each at the version this tool runs with.
    /// </summary>
    /// <exception cref="NotSupportedException">A step comes from an assembly no package provides (e.g. a CustomMapping of the program that trained it).</exception>
    internal static IReadOnlyList<PackageReference> Packages(ITransformer model, string what)
    {
        var packages = new List<PackageReference>
        {
            new("Microsoft.ML", PackageVersion(typeof(MLContext).Assembly)),
            new("MlNetMlp", null),
        };
        int step = 0;
        foreach (var transformer in Steps(model))
        {
            step++;
            foreach (var assembly in Assemblies(transformer))
            {
                string name = assembly.GetName().Name!;
                PackageReference? package = name switch
                {
                    "Microsoft.ML.Core" or "Microsoft.ML.Data" or "Microsoft.ML.Transforms" or "Microsoft.ML.StandardTrainers" or "Microsoft.ML.KMeansClustering"
                        or "Microsoft.ML.PCA" or "Microsoft.ML.CpuMath" or "Microsoft.ML.DataView" => null, // all in the Microsoft.ML package
                    "MlNetMlp" => null,
                    _ when OurPackages.Contains(name) => new(name, null),
                    _ when name.StartsWith("Microsoft.ML.", StringComparison.Ordinal) => new(name, PackageVersion(assembly)),
                    _ when name is "System.Private.CoreLib" or "netstandard" || name.StartsWith("System.", StringComparison.Ordinal) => null,
                    _ => throw new NotSupportedException($"{what}: step {step} ({transformer.GetType().Name}) comes from the assembly {name}, which no package provides, so generated code could not load the model."),
                };
                if (package != null && !packages.Any(p => p.Id == package.Id)) packages.Add(package);
            }
        }
        return packages;
    }

    /// <summary>The pipeline's steps, nested chains flattened (a model saved without a pipeline is one step).</summary>
    private static IEnumerable<ITransformer> Steps(ITransformer model) =>
        model is IEnumerable<ITransformer> chain ? chain.SelectMany(Steps) : [model];

    /// <summary>The assemblies of a step's type and, for a trainer's step, of its model's type (with generic arguments).</summary>
    private static IEnumerable<Assembly> Assemblies(ITransformer transformer)
    {
        var types = new List<Type> { transformer.GetType() };
        if (transformer is IPredictionTransformer<object> prediction) types.Add(prediction.Model.GetType());
        return types.SelectMany(Flatten).Select(t => t.Assembly).Distinct();

        static IEnumerable<Type> Flatten(Type type) => type.IsGenericType
            ? [type, .. type.GetGenericArguments().SelectMany(Flatten)]
            : [type];
    }

    /// <summary>An assembly's informational version without the source revision ("5.0.1+a4f7…" → "5.0.1"): its package's version.</summary>
    private static string PackageVersion(Assembly assembly)
    {
        string version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? assembly.GetName().Version?.ToString(3) ?? throw new InvalidOperationException($"{assembly.GetName().Name} has no version.");
        int plus = version.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? version : version[..plus];
    }
}
