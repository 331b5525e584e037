using System.Diagnostics;
using System.Text.Json;
using static MlNetMlp.Tests.Cli.CliTests;

namespace MlNetMlp.Tests.Cli;

/// <summary><c>mlnetmlp train --model cnn</c> and <c>bench cnn</c>: the MLP's output, exit-code and recovery contract.</summary>
[TestClass]
public sealed class CliCnnTests
{
    // A small network so the test takes seconds; the default architecture is exercised by the library tests.
    private const string SmallLayers = "conv8,bn,relu,pool,flatten,dense32,relu";


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

    // A tiny network on 1,500 images at a constant rate (so 1 epoch then 2 more is the same run as 3): seconds per run.
    private static readonly string[] Quick = ["train", "--model", "cnn", "--layers", "conv4,relu,pool,flatten", "--train-rows", "1500",
        "--schedule", "Constant", "--lr", "0.003", "--threads", "2", "--seed", "3"];

    [TestMethod]
    public void ResumedCnnTrainingSavesTheSameModelBytesAsAnUninterruptedRun()
    {
        if (!HaveData) Assert.Inconclusive("Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist).");
        var dir = Directory.CreateTempSubdirectory("mlnetmlp-cli-cnn-").FullName;
        try
        {
            string straight = Path.Combine(dir, "straight.zip"), resumed = Path.Combine(dir, "resumed.zip"), checkpoints = Path.Combine(dir, "ckpt");
            var uninterrupted = Run([.. Quick, "--epochs", "3", "--out", straight]);
            Assert.AreEqual(0, uninterrupted.exitCode, uninterrupted.stderr);

            var first = Run([.. Quick, "--epochs", "1", "--checkpoint-dir", checkpoints, "--out", Path.Combine(dir, "first.zip")]);
            Assert.AreEqual(0, first.exitCode, first.stderr);
            StringAssert.Contains(first.stdout, "checkpoints every 1 epoch(s)");
            var second = Run([.. Quick, "--epochs", "3", "--checkpoint-dir", checkpoints, "--resume", "--out", resumed, "--json"]);
            Assert.AreEqual(0, second.exitCode, second.stderr);
            StringAssert.Contains(second.stdout, "resuming from");
            StringAssert.Contains(second.stdout, "1 of 3 epochs done");
            Assert.IsFalse(second.stdout.Contains("epoch 1/3"), "epoch 1 is not trained again");
            StringAssert.Contains(second.stdout, "epoch 3/3");
            Assert.AreEqual(3, LastJson(second.stdout).GetProperty("epochs").GetInt32());
            CollectionAssert.AreEqual(File.ReadAllBytes(straight), File.ReadAllBytes(resumed), "resume must reproduce the uninterrupted model byte for byte");

            // A damaged checkpoint is refused with one line naming it.
            string checkpoint = Directory.GetFiles(checkpoints).Single();
            StringAssert.EndsWith(checkpoint, "checkpoint.bin");
            File.WriteAllBytes(checkpoint, File.ReadAllBytes(checkpoint)[..100]);
            AssertOneLineError(Run([.. Quick, "--epochs", "3", "--checkpoint-dir", checkpoints, "--resume", "--out", resumed]), checkpoint);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void TrainCnnCanStreamThroughAShuffleBuffer()
    {
        if (!HaveData) Assert.Inconclusive("Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist).");
        var dir = Directory.CreateTempSubdirectory("mlnetmlp-cli-cnn-").FullName;
        try
        {
            var streamed = Run([.. Quick, "--epochs", "2", "--shuffle-buffer", "500", "--out", Path.Combine(dir, "model.zip"), "--json"]);
            Assert.AreEqual(0, streamed.exitCode, streamed.stderr);
            Assert.IsGreaterThan(0.4, LastJson(streamed.stdout).GetProperty("micro_accuracy").GetDouble(), "two short epochs of a tiny network; chance is 0.1");
            AssertOneLineError(Run([.. Quick, "--shuffle-buffer", "500", "--validation-fraction", "0.1"]), "--validation-fraction");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void CtrlCStopsCnnTrainingWithinASecondAndWritesNothing()
    {
        if (!HaveData) Assert.Inconclusive("Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist).");
        var dir = Directory.CreateTempSubdirectory("mlnetmlp-cli-cnn-").FullName;
        try
        {
            // The default network: its mini-batches and its 2,000-row monitoring pass are the longest waits for Ctrl+C.
            var model = Path.Combine(dir, "model.zip");
            var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "MlNetMlp.Cli.dll"), "train", "--model", "cnn", "--epochs", "500",
                "--train-rows", "2000", "--out", model])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            start.Environment["CI"] = "true";
            using var process = Process.Start(start)!;
            var stderr = process.StandardError.ReadToEndAsync();
            // Wait until training is under way (the first epoch line), then send SIGINT as Ctrl+C does.
            string? line;
            while ((line = process.StandardOutput.ReadLine()) != null && !line.StartsWith("epoch 1/", StringComparison.Ordinal)) { }
            Assert.IsNotNull(line, "training never reported an epoch");
            var signalled = Stopwatch.StartNew();
            using (var kill = Process.Start("kill", ["-s", "INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) kill.WaitForExit();
            _ = process.StandardOutput.ReadToEndAsync();
            Assert.IsTrue(process.WaitForExit(10_000), "mlnetmlp did not stop after SIGINT");
            Assert.IsLessThan(1.5, signalled.Elapsed.TotalSeconds, $"stopped {signalled.Elapsed.TotalSeconds:F2} s after SIGINT (process exit included)");
            Assert.AreEqual(130, process.ExitCode, stderr.Result);
            StringAssert.Contains(stderr.Result, "interrupted");
            Assert.IsEmpty(Directory.GetFiles(dir), "nothing may be written");
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
        AssertOneLineError(Run("train", "--model", "cnn", "--resume"), "--resume", "--checkpoint-dir");
        AssertOneLineError(Run("train", "--model", "cnn", "--checkpoint-dir", "ckpt", "--checkpoint-every", "0"), "--checkpoint-every 0");
        AssertOneLineError(Run("train", "--layers", "conv8,pool"), "--layers", "--model cnn");
        AssertOneLineError(Run("train", "--random-flip"), "--random-flip", "--model cnn");
        AssertOneLineError(Run("train", "--model", "cnn", "--random-shift", "-1"), "--random-shift -1");
        AssertOneLineError(Run("train", "--model", "cnn", "--layers", "conv0"), "conv0");
        AssertOneLineError(Run("train", "--model", "cnn", "--epochs", "0"), "--epochs 0");
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
