using System.Text.RegularExpressions;

namespace MlNetMlp.Tests.Readme;

[TestClass]
public sealed partial class ReadmeTests
{
    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "MlNetMlp.sln"))) return dir.FullName;
        throw new InvalidOperationException("Repository root (MlNetMlp.sln) not found above " + AppContext.BaseDirectory);
    }

    /// <summary>The lines between "// begin-snippet: name" and "// end-snippet", dedented.</summary>
    private static string Region(string source, string name)
    {
        var match = Regex.Match(source, $@"// begin-snippet: {Regex.Escape(name)}\r?\n(.*?)\r?\n\s*// end-snippet", RegexOptions.Singleline);
        Assert.IsTrue(match.Success, $"snippet region '{name}' not found");
        var lines = match.Groups[1].Value.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        int indent = lines.Where(l => l.Trim().Length > 0).Min(l => l.Length - l.TrimStart().Length);
        return string.Join("\n", lines.Select(l => l.Length >= indent ? l[indent..] : l.TrimStart()));
    }

    /// <summary>The ```csharp block that follows "&lt;!-- snippet: name --&gt;" in the README.</summary>
    private static string ReadmeBlock(string readme, string name)
    {
        var match = Regex.Match(readme, $@"<!-- snippet: {Regex.Escape(name)} -->\s*```csharp\r?\n(.*?)\r?\n```", RegexOptions.Singleline);
        Assert.IsTrue(match.Success, $"README has no ```csharp block after <!-- snippet: {name} -->");
        return match.Groups[1].Value.Replace("\r", "");
    }

    [TestMethod]
    public void ReadmeCodeBlocksAreTheTestedSnippets()
    {
        var root = RepoRoot();
        var readme = File.ReadAllText(Path.Combine(root, "README.md"));
        var source = File.ReadAllText(Path.Combine(root, "test", "MlNetMlp.Tests", "Readme", "ReadmeSnippets.cs"));
        var usings = string.Join("\n", source.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.StartsWith("using ", StringComparison.Ordinal)))
            .Replace("using MlNetMlp.Data;", "using MlNetMlp;\nusing MlNetMlp.Data;");
        Assert.AreEqual(usings + "\n\n" + Region(source, "quickstart") + "\n\n" + Region(source, "quickstart-types"), ReadmeBlock(readme, "quickstart"));
        Assert.AreEqual(Region(source, "own-data"), ReadmeBlock(readme, "own-data"));
    }

    [TestMethod]
    [DoNotParallelize]
    public void QuickstartRunsOnTheRealData()
    {
        if (!Directory.Exists(MlNetMlp.Data.FashionMnist.SystemDatasetDirectory) && Environment.GetEnvironmentVariable("FASHION_MNIST_DIR") == null)
            Assert.Inconclusive("Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist).");
        var previous = Environment.CurrentDirectory;
        var dir = Directory.CreateTempSubdirectory("mlnetmlp-readme-").FullName;
        try
        {
            Environment.CurrentDirectory = dir;
            var (accuracy, first) = ReadmeSnippets.Quickstart();
            Assert.IsGreaterThan(0.85, accuracy, $"quickstart micro-accuracy {accuracy}");
            Assert.AreEqual("Ankle boot", first, "the first test image is an ankle boot");
            Assert.IsTrue(File.Exists(Path.Combine(dir, "fashion-mlp.zip")));
        }
        finally
        {
            Environment.CurrentDirectory = previous;
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void OwnDataSnippetLearnsSeparableFlowers()
    {
        var random = new Random(3);
        var species = new[] { ("setosa", 1.5f, 0.3f, 5.0f), ("versicolor", 4.3f, 1.3f, 5.9f), ("virginica", 5.6f, 2.0f, 6.6f) };
        var rows = Enumerable.Range(0, 600).Select(i =>
        {
            var (name, length, width, sepal) = species[i % 3];
            return new FlowerRow
            {
                Label = name,
                PetalLength = length + (float)(random.NextDouble() - 0.5) * 0.6f,
                PetalWidth = width + (float)(random.NextDouble() - 0.5) * 0.3f,
                SepalLength = sepal + (float)(random.NextDouble() - 0.5) * 0.8f,
            };
        }).ToArray();
        Assert.IsGreaterThan(0.95, ReadmeSnippets.YourOwnData(rows));
    }
}
