using System.Text.Json;
using static MlNetMlp.Tests.Cli.CliTests;

namespace MlNetMlp.Tests.Cli;

/// <summary><c>mlnetmlp train --model cnn</c> and <c>bench cnn</c>: the MLP's output and exit-code contract.</summary>
[TestClass]
public sealed class CliCnnTests
{
    // A small network so the test takes seconds; the default architecture is exercised by the library tests.
    private const string SmallLayers = "conv8,bn,relu,pool,flatten,dense32,relu";

    private static JsonElement LastJson(string stdout) => JsonDocument.Parse(stdout.Trim().Split('\n')[^1]).RootElement;

    [TestMethod]
    public void TrainCnnEvaluatePredictRoundTripWithJson()
    {
        if (!HaveData) Assert.Inconclusive("Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist).");
        var dir = Directory.CreateTempSubdirectory("mlnetmlp-cli-cnn-").FullName;
        try
        {
            var model = Path.Combine(dir, "cnn.zip");
            var train = Run("train", "--model", "cnn", "--layers", SmallLayers, "--train-rows", "3000", "--epochs", "2", "--lr", "0.003", "--out", model, "--json");
            Assert.AreEqual(0, train.exitCode, train.stderr);
            var result = LastJson(train.stdout);
            foreach (var key in new[] { "micro_accuracy", "macro_accuracy", "log_loss", "train_seconds", "epochs", "layers", "parameters" })
                Assert.IsTrue(result.TryGetProperty(key, out _), $"JSON lacks {key}");
            Assert.AreEqual("cnn", result.GetProperty("model_kind").GetString());
            Assert.AreEqual(2, result.GetProperty("epochs").GetInt32());
            Assert.AreEqual(SmallLayers, result.GetProperty("layers").GetString());
            Assert.IsGreaterThan(0.6, result.GetProperty("micro_accuracy").GetDouble(), train.stdout);
            StringAssert.Contains(train.stdout, "confusion matrix");
            StringAssert.Contains(train.stdout, "epoch 2/2");

            // The saved CNN goes through the same evaluate/predict commands as an MLP.
            var evaluate = Run("evaluate", model, "--json");
            Assert.AreEqual(0, evaluate.exitCode, evaluate.stderr);
            Assert.AreEqual(result.GetProperty("micro_accuracy").GetDouble(), LastJson(evaluate.stdout).GetProperty("micro_accuracy").GetDouble(), 1e-12);
            var predict = Run("predict", model, "0", "--json");
            Assert.AreEqual(0, predict.exitCode, predict.stderr);
            Assert.AreEqual("Ankle boot", LastJson(predict.stdout).GetProperty("true_label").GetString());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void OptionsOfTheOtherModelAreOneLineErrors()
    {
        AssertOneLineError(Run("train", "--model", "cnn", "--hidden", "128"), "--hidden");
        AssertOneLineError(Run("train", "--model", "cnn", "--dropout", "0.5"), "--dropout");
        AssertOneLineError(Run("train", "--layers", "conv8,pool"), "--layers", "--model cnn");
        AssertOneLineError(Run("train", "--random-flip"), "--random-flip", "--model cnn");
        AssertOneLineError(Run("train", "--model", "cnn", "--random-shift", "-1"), "RandomShift");
        AssertOneLineError(Run("train", "--model", "cnn", "--layers", "conv0"), "conv0");
        AssertOneLineError(Run("train", "--model", "cnn", "--epochs", "0"), "Epochs");
        AssertOneLineError(Run("train", "--model", "rnn"));
    }

    [TestMethod]
    public void BenchCnnReportsTheEpochTimeAsJson()
    {
        var bench = Run("bench", "cnn", "--rows", "256", "--epochs", "2", "--batch-size", "64", "--layers", "conv4,relu,pool,flatten,dense8", "--json");
        Assert.AreEqual(0, bench.exitCode, bench.stderr);
        var result = LastJson(bench.stdout);
        foreach (var key in new[] { "epoch_seconds_median", "epoch_seconds_min", "epoch_seconds_max", "rows_per_second", "gc_collections", "peak_working_set_mb" })
            Assert.IsTrue(result.TryGetProperty(key, out _), $"JSON lacks {key}");
        Assert.AreEqual(256, result.GetProperty("rows_per_second").GetDouble() * result.GetProperty("epoch_seconds_median").GetDouble(), 1e-6 * 256);
        Assert.IsTrue(double.IsFinite(result.GetProperty("last_epoch_loss").GetDouble()));
        AssertOneLineError(Run("bench", "cnn", "--epochs", "0"), "--epochs");
    }
}
