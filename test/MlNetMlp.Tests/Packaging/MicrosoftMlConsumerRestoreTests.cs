using System.Diagnostics;
using System.Text.Json;

namespace MlNetMlp.Tests.Packaging;

/// <summary>
/// An application that references Microsoft.ML itself, at any release the package admits, and MlNetMlp restores cleanly:
/// no NU16xx warning (NU1608 "outside the dependency constraint", NU1605 downgrade, ...), and it gets exactly the
/// Microsoft.ML it asked for. The app references src/MlNetMlp as a project, so the restore sees the dependency range
/// the package declares (its PackageReference) without building or packing anything; it runs outside the repository so
/// none of the repo's Directory.*.props apply to it.
/// </summary>
[TestClass]
public sealed class MicrosoftMlConsumerRestoreTests
{
    [TestMethod]
    [DataRow("5.0.1")]
    [DataRow("6.0.0")]
    public void AnAppOnThisMicrosoftMlRestoresWithMlNetMlpWithoutWarnings(string release)
    {
        var library = Path.Combine(RepoRoot(), "src", "MlNetMlp", "MlNetMlp.csproj");
        var app = Directory.CreateTempSubdirectory("mlnetmlp-consumer-");
        try
        {
            File.WriteAllText(Path.Combine(app.FullName, "App.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <OutputType>Exe</OutputType>
                    <TargetFramework>net10.0</TargetFramework>
                    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                  </PropertyGroup>
                  <ItemGroup>
                    <PackageReference Include="Microsoft.ML" Version="{release}" />
                    <ProjectReference Include="{library}" />
                  </ItemGroup>
                </Project>
                """);
            // RestoreRecursive=false: only the app's obj/ is written; the library's restore output in the repo stays as built.
            var (exitCode, log) = Run(app.FullName, "restore", "-p:RestoreRecursive=false");
            Assert.AreEqual(0, exitCode, $"restore of an app on Microsoft.ML {release} failed:\n{log}");
            var warnings = System.Text.RegularExpressions.Regex.Matches(log, @"\bNU1\d{3}\b").Select(m => m.Value).Distinct().ToList();
            Assert.IsEmpty(warnings, $"restore of an app on Microsoft.ML {release} warned {string.Join(", ", warnings)}:\n{log}");

            using var assets = JsonDocument.Parse(File.ReadAllText(Path.Combine(app.FullName, "obj", "project.assets.json")));
            var mlNet = assets.RootElement.GetProperty("libraries").EnumerateObject()
                .Select(p => p.Name.Split('/')).Where(p => p[0] == "Microsoft.ML" || p[0].StartsWith("Microsoft.ML.", StringComparison.Ordinal))
                .ToList();
            Assert.IsTrue(mlNet.Any(p => p[0] == "Microsoft.ML"), "the app's restore has no Microsoft.ML");
            foreach (var package in mlNet)
                Assert.AreEqual(release, package[1], $"the app asked for Microsoft.ML {release} but restore resolved {package[0]} {package[1]}");
        }
        finally
        {
            app.Delete(recursive: true);
        }
    }

    private static (int ExitCode, string Log) Run(string directory, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet", args) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"dotnet {string.Join(' ', args)} did not finish within 5 minutes");
        }
        return (process.ExitCode, (stdout.Result + stderr.Result).Trim());
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "MlNetMlp.sln"))) return dir.FullName;
        throw new InvalidOperationException("Repository root (MlNetMlp.sln) not found above " + AppContext.BaseDirectory);
    }
}
