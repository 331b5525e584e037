using System.Text.Json;
using MlNetMlp.Tests.Packaging;

namespace MlNetMlp.Tests.Notebooks;

/// <summary>
/// Runs every notebook under notebooks/ headless with dotnet-repl (the repo's local tool) against freshly packed
/// MlNetMlp, MlNetMlp.Study and MlNetMlp.Plots packages, and fails when any cell fails.
/// </summary>
/// <remarks>
/// The notebooks reference version 0.1.0 from the repo's local feed. The test runs copies of them that reference the
/// current sources packed by <see cref="TestPackageFeed"/> (its own version, in a temporary feed) instead.
/// </remarks>
[TestClass]
public sealed class NotebookTests
{
    private static readonly string[] Packages = ["MlNetMlp", "MlNetMlp.Data", "MlNetMlp.Study", "MlNetMlp.Plots"];
    private static string? _setupError;

    private static string Root => TestPackageFeed.RepositoryRoot;

    private static string Version => TestPackageFeed.Version;

    [ClassInitialize]
    public static void PackTheLibrary(TestContext _)
    {
        try
        {
            Run("dotnet", ["tool", "restore"], TimeSpan.FromMinutes(3));
            foreach (var package in Packages) TestPackageFeed.Pack(package);
        }
        catch (Exception e)
        {
            _setupError = e.Message;
        }
    }

    [TestMethod]
    [DataRow("quickstart.ipynb")]
    [DataRow("study.ipynb")]
    [DataRow("mlp-vs-cnn.ipynb")]
    [DataRow("your-own-data.ipynb")]
    public void NotebookRunsWithoutAFailingCell(string name)
    {
        if (_setupError != null) Assert.Fail($"Could not prepare the notebook run: {_setupError}");
        if (!Directory.Exists("/usr/share/datasets/fashion-mnist") && Environment.GetEnvironmentVariable("FASHION_MNIST_DIR") == null)
            Assert.Inconclusive("Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist).");
        var notebook = Path.Combine(Root, "notebooks", name);
        Assert.IsTrue(File.Exists(notebook), notebook);
        var directory = Directory.CreateTempSubdirectory("mlnetmlp-notebook-").FullName;
        var copy = Path.Combine(directory, name);
        var output = Path.Combine(directory, "executed-" + name);
        try
        {
            File.WriteAllText(copy, WithTestPackages(File.ReadAllText(notebook)));
            var (exitCode, log) = Run("dotnet", ["repl", "--run", copy, "--exit-after-run", "--output-path", output], TimeSpan.FromMinutes(5), throwOnFailure: false);
            var failures = FailedCells(output);
            // dotnet-repl exits with 2 when a cell failed; the written notebook says which one and why.
            Assert.IsEmpty(failures, $"{name}: failing cells:\n{string.Join("\n", failures)}");
            Assert.AreEqual(0, exitCode, $"{name}: dotnet repl exited with {exitCode}: {log}");
            Assert.IsTrue(File.Exists(output), $"{name}: dotnet repl wrote no output notebook");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>The notebook with its package references pointed at the test's version, and the test feed added before the first.</summary>
    private static string WithTestPackages(string notebookJson)
    {
        var reference = new System.Text.RegularExpressions.Regex("""^#r "nuget: (MlNetMlp(?:\.Data|\.Study|\.Plots)?), 0\.1\.0"(\s*)$""");
        var notebook = System.Text.Json.Nodes.JsonNode.Parse(notebookJson)!;
        int references = 0;
        foreach (var cell in notebook["cells"]!.AsArray())
        {
            var source = cell!["source"]!.AsArray();
            for (int i = 0; i < source.Count; i++)
            {
                var match = reference.Match(source[i]!.GetValue<string>());
                if (!match.Success) continue;
                source[i] = $"#r \"nuget: {match.Groups[1].Value}, {Version}\"{match.Groups[2].Value}";
                if (references++ == 0) source.Insert(i++, $"#i \"nuget: {TestPackageFeed.Directory}\"\n");
            }
        }
        Assert.IsGreaterThan(0, references, "the notebook references no MlNetMlp package");
        return notebook.ToJsonString();
    }

    /// <summary>"cell N: first source line: error" for every cell of the executed notebook with an error output.</summary>
    private static List<string> FailedCells(string executedNotebook)
    {
        var failures = new List<string>();
        if (!File.Exists(executedNotebook)) return failures;
        using var document = JsonDocument.Parse(File.ReadAllText(executedNotebook));
        int index = 0;
        foreach (var cell in document.RootElement.GetProperty("cells").EnumerateArray())
        {
            index++;
            if (!cell.TryGetProperty("outputs", out var outputs)) continue;
            foreach (var output in outputs.EnumerateArray())
            {
                if (output.GetProperty("output_type").GetString() != "error") continue;
                string source = string.Concat(cell.GetProperty("source").EnumerateArray().Select(s => s.GetString())).Split('\n')[0];
                string error = output.TryGetProperty("evalue", out var value) ? value.GetString() ?? "" : "";
                failures.Add($"cell {index} ({source}): {error.Split('\n')[0]}");
            }
        }
        return failures;
    }

    // nuget.config (the local feed) and the tool manifest live in the repository root.
    private static (int ExitCode, string Log) Run(string file, string[] args, TimeSpan timeout, bool throwOnFailure = true)
    {
        var (exitCode, log) = TestPackageFeed.Run(file, args, Root, timeout, throwOnFailure);
        return (exitCode, TestPackageFeed.Tail(log));
    }
}
