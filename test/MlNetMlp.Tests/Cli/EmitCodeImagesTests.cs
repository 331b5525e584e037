using MlNetMlp.Tests.Data;
using static MlNetMlp.Tests.Cli.CliTests;

namespace MlNetMlp.Tests.Cli;

/// <summary>Code emitted for a model that reads image paths references the package its image step comes from.</summary>
[TestClass]
public sealed class EmitCodeImagesTests
{
    [TestMethod]
    public void AnImageFolderModelsProjectReferencesMlNetMlpData()
    {
        using var temp = new TempDirectory();
        string root = Path.Combine(temp.Path, "images");
        foreach (var (name, value) in new[] { ("dark", (byte)30), ("light", (byte)220) })
        {
            Directory.CreateDirectory(Path.Combine(root, name));
            for (int i = 0; i < 6; i++)
                TestImages.SaveGray8(Path.Combine(root, name, $"{i}.png"), Enumerable.Repeat((byte)(value + i), 64).ToArray(), 8, 8);
        }
        string code = Path.Combine(temp.Path, "code");
        var run = Run("train", "--images", root, "--test-fraction", "0.25", "--image-size", "8", "--hidden", "4", "--epochs", "1",
            "--out", Path.Combine(temp.Path, "m.zip"), "--emit-code", code);
        Assert.AreEqual(0, run.exitCode, run.stderr);
        string project = File.ReadAllText(Directory.GetFiles(code, "*.csproj").Single());
        StringAssert.Contains(project, "Include=\"MlNetMlp.Data\"", project);
    }
}
