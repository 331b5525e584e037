using Microsoft.ML;
using MlNetMlp.Data;
using MlNetMlp.Tests.Data;

namespace MlNetMlp.Tests.Hardening;

/// <summary>A resume that finds only a format-2 checkpoint of an earlier release refuses it by name instead of starting over.</summary>
[TestClass]
public sealed class EarlierCheckpointFormatTests
{
    [TestMethod]
    [DataRow("mlp-checkpoint.bin")]
    [DataRow("cnn-checkpoint.bin")]
    public void ResumingFromAnEarlierReleasesCheckpointIsRefusedNamingIt(string earlierFile)
    {
        using var temp = new TempDirectory();
        string earlier = Path.Combine(temp.Path, earlierFile);
        File.WriteAllBytes(earlier, [.. "MLPCKPT\n"u8, 2, 0, 0, 0]);
        var trainer = new MlpTrainer(new MLContext(1), new MlpTrainer.Options
        {
            HiddenLayers = [3], Epochs = 1, Seed = 1, CheckpointDirectory = temp.Path, ResumeFromCheckpoint = true,
        });
        var e = Assert.ThrowsExactly<InvalidDataException>(() => trainer.Fit(new SyntheticDataView(rows: 40, features: 4, classes: 2, seed: 1)));
        StringAssert.Contains(e.Message, earlier);
        StringAssert.Contains(e.Message, "earlier release (format version 2");
        Assert.IsFalse(File.Exists(TrainingCheckpoint.PathIn(temp.Path)), "nothing trained, nothing written");
    }
}
