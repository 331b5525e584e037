using System.Diagnostics;
using System.Text.Json;
using MlNetMlp.Data;

namespace MlNetMlp.Tests.Cli;

/// <summary>The mlnetmlp tool run as a user runs it: a separate process, exit codes, stdout/stderr.</summary>
[TestClass]
public sealed class CliTests
{
    internal static (int exitCode, string stdout, string stderr) Run(params string[] args) => RunWithin(300, args);

    /// <summary>Runs the CLI, killing it (and failing the test) if it has not exited after <paramref name="seconds"/>.</summary>
    internal static (int exitCode, string stdout, string stderr) RunWithin(int seconds, params string[] args)
    {
        var cli = Path.Combine(AppContext.BaseDirectory, "MlNetMlp.Cli.dll");
        var start = new ProcessStartInfo("dotnet", [cli, .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetTempPath(),
        };
        start.Environment["CI"] = "true";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(seconds * 1000))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"mlnetmlp {string.Join(' ', args)} hung for {seconds} s");
        }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    internal static void AssertOneLineError((int exitCode, string stdout, string stderr) result, params string[] mentions)
    {
        Assert.AreEqual(2, result.exitCode, $"stdout: {result.stdout} stderr: {result.stderr}");
        var lines = result.stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.HasCount(1, lines, result.stderr);
        StringAssert.StartsWith(lines[0], "error: ");
        Assert.IsFalse(result.stderr.Contains("   at "), "no stack trace");
        foreach (var mention in mentions) StringAssert.Contains(lines[0], mention);
    }

    /// <summary>The JSON object a command printed as its last stdout line (<c>--json</c>).</summary>
    internal static System.Text.Json.JsonElement LastJson(string stdout) =>
        System.Text.Json.JsonDocument.Parse(stdout.Trim().Split('\n')[^1]).RootElement;

    internal static bool HaveData => Directory.Exists(FashionMnist.SystemDatasetDirectory) || Environment.GetEnvironmentVariable(FashionMnist.DirectoryEnvironmentVariable) != null;

    [TestMethod]
    public void InvalidOptionsExitWithCodeTwoAndOneLine()
    {
        AssertOneLineError(Run("train", "--epochs", "0"), "--epochs 0");
        AssertOneLineError(Run("train", "--batch-size", "-3"), "--batch-size -3");
        AssertOneLineError(Run("train", "--l2", "-0.1"), "--l2 -0.1");
        AssertOneLineError(Run("train", "--hidden", "128,0"), "--hidden 128,0");
        AssertOneLineError(Run("train", "--hidden", "128,abc"), "abc");
        AssertOneLineError(Run("train", "--no-such-option"));
    }

    [TestMethod]
    public void BadFilesExitWithCodeTwoNamingTheFile()
    {
        var dir = Directory.CreateTempSubdirectory("mlnetmlp-cli-").FullName;
        try
        {
            var missing = Path.Combine(dir, "missing.zip");
            AssertOneLineError(Run("evaluate", missing), missing);
            var empty = Path.Combine(dir, "empty.zip");
            File.WriteAllBytes(empty, []);
            AssertOneLineError(Run("evaluate", empty), empty);
            var text = Path.Combine(dir, "notes.zip");
            File.WriteAllText(text, "not a model");
            AssertOneLineError(Run("predict", text, "0"), text);
            AssertOneLineError(Run("train", "--data", Path.Combine(dir, "nowhere")), "nowhere");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void TrainEvaluatePredictRoundTripWithJson()
    {
        if (!HaveData) Assert.Inconclusive("Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist).");
        var dir = Directory.CreateTempSubdirectory("mlnetmlp-cli-").FullName;
        try
        {
            var model = Path.Combine(dir, "model.zip");
            var train = Run("train", "--train-rows", "3000", "--epochs", "3", "--hidden", "64", "--out", model, "--json");
            Assert.AreEqual(0, train.exitCode, train.stderr);
            var result = JsonDocument.Parse(train.stdout.Trim().Split('\n')[^1]).RootElement;
            foreach (var key in new[] { "micro_accuracy", "macro_accuracy", "log_loss", "train_seconds", "epochs" })
                Assert.IsTrue(result.TryGetProperty(key, out _), $"JSON lacks {key}");
            Assert.AreEqual(3, result.GetProperty("epochs").GetInt32());
            Assert.IsGreaterThan(0.7, result.GetProperty("micro_accuracy").GetDouble());
            StringAssert.Contains(train.stdout, "confusion matrix");
            StringAssert.Contains(train.stdout, "epoch 3/3");

            var evaluate = Run("evaluate", model, "--json");
            Assert.AreEqual(0, evaluate.exitCode, evaluate.stderr);
            var evaluated = JsonDocument.Parse(evaluate.stdout.Trim().Split('\n')[^1]).RootElement;
            Assert.AreEqual(result.GetProperty("micro_accuracy").GetDouble(), evaluated.GetProperty("micro_accuracy").GetDouble(), 1e-12);

            var predict = Run("predict", model, "0", "--json");
            Assert.AreEqual(0, predict.exitCode, predict.stderr);
            var predicted = JsonDocument.Parse(predict.stdout.Trim().Split('\n')[^1]).RootElement;
            Assert.AreEqual("Ankle boot", predicted.GetProperty("true_label").GetString());

            var png = Path.Combine(dir, "first.png");
            var test = FashionMnist.LoadArrays(FashionMnistSplit.Test, maxRows: 1);
            MlNetMlp.Tests.Data.TestImages.SaveGray8(png, test.Pixels.AsSpan(0, 784), 28, 28);
            var fromPng = Run("predict", model, png, "--json");
            Assert.AreEqual(0, fromPng.exitCode, fromPng.stderr);
            var pngResult = JsonDocument.Parse(fromPng.stdout.Trim().Split('\n')[^1]).RootElement;
            Assert.AreEqual(predicted.GetProperty("predicted_label").GetString(), pngResult.GetProperty("predicted_label").GetString());

            var notImage = Path.Combine(dir, "notes.png");
            File.WriteAllText(notImage, "hello");
            AssertOneLineError(Run("predict", model, notImage), notImage);
            AssertOneLineError(Run("predict", model, "99999"), "99999");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void CtrlCStopsTrainingWithinASecondAndWritesNothing()
    {
        if (!HaveData) Assert.Inconclusive("Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist).");
        var dir = Directory.CreateTempSubdirectory("mlnetmlp-cli-").FullName;
        try
        {
            var model = Path.Combine(dir, "model.zip");
            var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "MlNetMlp.Cli.dll"), "train", "--epochs", "500", "--train-rows", "20000", "--out", model])
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
}
