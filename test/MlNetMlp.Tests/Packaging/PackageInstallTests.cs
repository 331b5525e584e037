using System.IO.Compression;
using System.Reflection.PortableExecutable;
using System.Text.RegularExpressions;
using MlNetMlp.Data;
using MlNetMlp.Tests.Cli;

namespace MlNetMlp.Tests.Packaging;

/// <summary>
/// The packages as a user gets them: packed from the current sources (<see cref="TestPackageFeed"/>) without a
/// warning and with symbol packages; the library consumed by a fresh console app that runs its package README's
/// program; the mlnetmlp tool installed from the feed into a tool path of its own and run.
/// </summary>
[TestClass]
public sealed class PackageInstallTests
{
    private static readonly string[] Projects = ["MlNetMlp", "MlNetMlp.Data", "MlNetMlp.Study", "MlNetMlp.Plots", "MlNetMlp.Cli"];

    /// <summary>The tool's package for this machine (the only platform the tests run on).</summary>
    private const string ToolPlatform = "linux-x64";

    private static string Feed => TestPackageFeed.Directory;

    private static string Version => TestPackageFeed.Version;

    [TestMethod]
    public void PackingGivesNoWarningReadmesAndSymbolPackages()
    {
        var warning = new Regex(@":\s*warning\b", RegexOptions.IgnoreCase);
        foreach (var project in Projects)
        {
            var warnings = TestPackageFeed.Pack(project).Split('\n').Where(line => warning.IsMatch(line)).ToList();
            Assert.IsEmpty(warnings, $"dotnet pack src/{project}:\n{string.Join("\n", warnings)}");
        }
        string[] packages = ["MlNetMlp", "MlNetMlp.Data", "MlNetMlp.Study", "MlNetMlp.Plots", "MlNetMlp.Cli", $"MlNetMlp.Cli.{ToolPlatform}"];
        foreach (var id in packages)
        {
            using var package = ZipFile.OpenRead(Path.Combine(Feed, $"{id}.{Version}.nupkg"));
            Assert.IsNotNull(package.GetEntry("README.md"), $"{id} has no README.md");
            string nuspec = new StreamReader(package.GetEntry($"{id}.nuspec")!.Open()).ReadToEnd();
            StringAssert.Contains(nuspec, "<readme>README.md</readme>", id);
            StringAssert.Contains(nuspec, "<tags>", id);
            StringAssert.Contains(nuspec, "<repository type=\"git\"", id);
        }
        foreach (var id in new[] { "MlNetMlp", "MlNetMlp.Data", "MlNetMlp.Study", "MlNetMlp.Plots", $"MlNetMlp.Cli.{ToolPlatform}" })
            Assert.IsTrue(File.Exists(Path.Combine(Feed, $"{id}.{Version}.snupkg")), $"no symbol package for {id}");
    }

    [TestMethod]
    public void ToolPackageHoldsOnlyItsPlatform()
    {
        TestPackageFeed.Pack("MlNetMlp.Cli");
        using var pointer = ZipFile.OpenRead(Path.Combine(Feed, $"MlNetMlp.Cli.{Version}.nupkg"));
        Assert.IsFalse(pointer.Entries.Any(e => e.FullName.EndsWith(".dll", StringComparison.Ordinal)), "the pointer package holds code");
        using var tool = ZipFile.OpenRead(Path.Combine(Feed, $"MlNetMlp.Cli.{ToolPlatform}.{Version}.nupkg"));
        var names = tool.Entries.Select(e => e.FullName).ToList();
        CollectionAssert.Contains(names, $"tools/net10.0/{ToolPlatform}/lib_lightgbm.so");
        CollectionAssert.Contains(names, $"tools/net10.0/{ToolPlatform}/libSkiaSharp.so");
        // Another platform's natives: a runtimes/ folder, macOS libraries, Windows DLLs (any .dll that is not a .NET
        // assembly); and files nothing runs: split-off debug info, import libraries, the Publicizer build tool.
        var foreign = tool.Entries.Where(e => e.FullName.Contains("/runtimes/", StringComparison.Ordinal)
            || e.FullName.EndsWith(".dylib", StringComparison.Ordinal) || e.FullName.EndsWith(".dbg", StringComparison.Ordinal)
            || e.FullName.EndsWith(".dwarf", StringComparison.Ordinal) || e.FullName.EndsWith(".lib", StringComparison.Ordinal)
            || e.FullName.Contains("Publicizer", StringComparison.Ordinal)
            || (e.FullName.EndsWith(".dll", StringComparison.Ordinal) && !IsNetAssembly(e))).Select(e => e.FullName).ToList();
        Assert.IsEmpty(foreign, $"files the {ToolPlatform} tool does not use:\n{string.Join("\n", foreign)}");
    }

    [TestMethod]
    public void AFreshConsoleAppRunsThePackageReadmeProgram()
    {
        TestPackageFeed.Pack("MlNetMlp");
        var app = Directory.CreateTempSubdirectory("mlnetmlp-consumer-").FullName;
        try
        {
            // The machine's configured sources stay in effect (no <clear/>); the test feed is added to them.
            File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources>
                    <add key="mlnetmlp-test" value="{Feed}" />
                  </packageSources>
                </configuration>
                """);
            File.WriteAllText(Path.Combine(app, "Consumer.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <OutputType>Exe</OutputType>
                    <TargetFramework>net10.0</TargetFramework>
                    <ImplicitUsings>enable</ImplicitUsings>
                    <Nullable>enable</Nullable>
                  </PropertyGroup>
                  <ItemGroup>
                    <PackageReference Include="MlNetMlp" Version="{Version}" />
                  </ItemGroup>
                </Project>
                """);
            File.WriteAllText(Path.Combine(app, "Program.cs"), ReadmeProgram());

            var (_, log) = TestPackageFeed.Run("dotnet", ["run", "-c", "Release"], app, TimeSpan.FromMinutes(4));

            // (0.5, 0.5): both coordinates positive, far from the class boundary.
            StringAssert.Matches(log.Split('\n')[^1], new Regex(@"^same sign \(\d+\s?%\)$"), TestPackageFeed.Tail(log));
            Assert.IsTrue(File.Exists(Path.Combine(app, "model.zip")), "the program saved no model.zip");
        }
        finally
        {
            Directory.Delete(app, recursive: true);
        }
    }

    [TestMethod]
    public void TheInstalledToolTrainsAndPredicts()
    {
        if (!CliTests.HaveData) Assert.Inconclusive("Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist).");
        TestPackageFeed.Pack("MlNetMlp.Cli");
        var work = Directory.CreateTempSubdirectory("mlnetmlp-tool-").FullName;
        try
        {
            var toolPath = Path.Combine(work, "tools");
            TestPackageFeed.Run("dotnet", ["tool", "install", "MlNetMlp.Cli", "--version", Version, "--tool-path", toolPath, "--add-source", Feed],
                work, TimeSpan.FromMinutes(3));
            var mlnetmlp = Path.Combine(toolPath, OperatingSystem.IsWindows() ? "mlnetmlp.exe" : "mlnetmlp");

            TestPackageFeed.Run(mlnetmlp, ["train", "--train-rows", "500", "--hidden", "16", "--epochs", "1", "--out", "m.zip"], work, TimeSpan.FromMinutes(3));
            Assert.IsTrue(File.Exists(Path.Combine(work, "m.zip")), "train wrote no m.zip");

            var (_, prediction) = TestPackageFeed.Run(mlnetmlp, ["predict", "m.zip", "0"], work, TimeSpan.FromMinutes(2));
            Assert.IsTrue(FashionMnist.ClassNames.Any(prediction.Contains), $"predict named no class: {prediction}");
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static bool IsNetAssembly(ZipArchiveEntry entry)
    {
        using var bytes = new MemoryStream();
        using (var stream = entry.Open()) stream.CopyTo(bytes);
        bytes.Position = 0;
        using var pe = new PEReader(bytes);
        return pe.HasMetadata;
    }

    /// <summary>The C# block of src/MlNetMlp/PACKAGE.md (the package's README): what a user copies is what runs here.</summary>
    private static string ReadmeProgram()
    {
        var readme = File.ReadAllText(Path.Combine(TestPackageFeed.RepositoryRoot, "src", "MlNetMlp", "PACKAGE.md"));
        var block = Regex.Match(readme, @"```csharp\r?\n(.*?)\r?\n```", RegexOptions.Singleline);
        Assert.IsTrue(block.Success, "src/MlNetMlp/PACKAGE.md has no ```csharp block");
        return block.Groups[1].Value;
    }
}
