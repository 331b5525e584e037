namespace MlNetMlp.Tests.Cli;

/// <summary>
/// <c>mlnetmlp train</c> does not report a training that went wrong as a success (issue 15): an exploding loss exits 2,
/// a one-class model is warned about on stderr, a resume on differently normalized data is refused, and option
/// combinations it cannot honour are refused before any data is read.
/// </summary>
[TestClass]
public sealed class CliTrainingSafetyTests
{
    private static void RequireData()
    {
        if (!CliTests.HaveData) Assert.Inconclusive("Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist).");
    }

    private static string TempDirectory() => Directory.CreateTempSubdirectory("mlnetmlp-cli-safety-").FullName;

    [TestMethod]
    public void NesterovWithoutMomentumAndEarlyStoppingWithoutValidationFailBeforeReadingData()
    {
        // --data points nowhere: an error naming the option proves it came before the data were looked for.
        string nowhere = Path.Combine(Path.GetTempPath(), "mlnetmlp-no-such-data");
        CliTests.AssertOneLineError(CliTests.Run("train", "--nesterov", "--data", nowhere), "--nesterov", "--optimizer Momentum");
        CliTests.AssertOneLineError(CliTests.Run("train", "--nesterov", "--optimizer", "Sgd", "--data", nowhere), "--nesterov", "Sgd");
        CliTests.AssertOneLineError(CliTests.Run("train", "--early-stopping", "--data", nowhere), "--early-stopping", "--validation-fraction");
    }

    [TestMethod]
    public void AnExplodingLossExitsTwoInsteadOfSavingAModel()
    {
        RequireData();
        string directory = TempDirectory();
        try
        {
            string model = Path.Combine(directory, "model.zip");
            var result = CliTests.Run("train", "--train-rows", "2000", "--hidden", "64", "--activation", "Tanh", "--optimizer", "Sgd", "--lr", "100000",
                "--l2", "0.0001", "--dropout", "0.2", "--epochs", "3", "--out", model);
            CliTests.AssertOneLineError(result, "diverged", "times the starting loss");
            Assert.IsFalse(File.Exists(model), "no model is saved");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [TestMethod]
    public void AOneClassModelIsWarnedAboutOnStderr()
    {
        RequireData();
        string directory = TempDirectory();
        try
        {
            // λ·lr = 0.5: plain SGD halves the weights every step, so only the biases are left: one class for every image.
            var result = CliTests.Run("train", "--train-rows", "2000", "--hidden", "32", "--optimizer", "Sgd", "--lr", "0.1", "--l2", "5",
                "--normalization", "Scale", "--epochs", "3", "--out", Path.Combine(directory, "model.zip"));
            Assert.AreEqual(0, result.exitCode, result.stderr);
            var warnings = result.stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith("warning: ")).ToList();
            Assert.HasCount(1, warnings, result.stderr);
            StringAssert.Contains(warnings[0], "predicts class");

            // A model that learned is not warned about.
            var good = CliTests.Run("train", "--train-rows", "2000", "--hidden", "32", "--epochs", "2", "--out", Path.Combine(directory, "good.zip"));
            Assert.AreEqual(0, good.exitCode, good.stderr);
            Assert.DoesNotContain("warning:", good.stderr);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [TestMethod]
    public void ResumingWithAnotherNormalizationIsRefusedNamingTheCheckpoint()
    {
        RequireData();
        string directory = TempDirectory();
        try
        {
            string checkpoints = Path.Combine(directory, "ckpt"), model = Path.Combine(directory, "model.zip");
            string[] common = ["train", "--train-rows", "2000", "--hidden", "32", "--checkpoint-dir", checkpoints, "--out", model];
            var first = CliTests.Run([.. common, "--epochs", "2", "--normalization", "Standardize"]);
            Assert.AreEqual(0, first.exitCode, first.stderr);
            File.Delete(model);

            var resumed = CliTests.Run([.. common, "--epochs", "3", "--normalization", "Scale", "--resume"]);
            CliTests.AssertOneLineError(resumed, Path.Combine(checkpoints, "checkpoint.bin"), "training data");
            Assert.IsFalse(File.Exists(model), "no model is saved");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
