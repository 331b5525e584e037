using System.Diagnostics;
using System.Text.Json;
using MlNetMlp.Data;

namespace MlNetMlp.Tests.Cli;

/// <summary><c>mlnetmlp experiments</c> and <c>mlnetmlp sweep</c> as a user runs them, on a few hundred rows.</summary>
[TestClass]
public sealed class StudyCliTests
{

    [TestMethod]
    public void ExperimentsRunsEveryExperimentAndWritesTheReport()
    {
        if (!CliTests.HaveData) Assert.Inconclusive("Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist).");
        var dir = Directory.CreateTempSubdirectory("mlnetmlp-study-").FullName;
        try
        {
            // --quick with the hidden size knobs turned further down: the same code path in seconds.
            var run = CliTests.Run("experiments", "--quick", "--train-rows", "600", "--test-rows", "300", "--epochs", "1", "--out", dir, "--json");
            Assert.AreEqual(0, run.exitCode, run.stderr);
            var result = CliTests.LastJson(run.stdout);
            var experiments = result.GetProperty("experiments").EnumerateArray().ToList();
            var ids = experiments.Select(e => e.GetProperty("id").GetString()).ToArray();
            CollectionAssert.AreEqual(new[]
            {
                "softmax", "relu-1x128", "relu-2x128", "leaky-2x128", "tanh-2x128", "l2-relu-2x128", "final-tuned", "unnormalized",
                "best-mlp", "cnn", "lbfgs", "sdca", "lightgbm",
            }, ids);
            foreach (var e in experiments)
            {
                string status = e.GetProperty("status").GetString()!;
                Assert.IsTrue(status is "Completed" or "Collapsed" or "Diverged", $"{e.GetProperty("id")}: {status}");
            }
            // Baselines and the tuned MLP learn something even on 600 rows; raw pixels do not.
            foreach (var id in new[] { "lbfgs", "lightgbm", "best-mlp" })
                Assert.IsGreaterThan(0.5, experiments.Single(e => e.GetProperty("id").GetString() == id).GetProperty("micro_accuracy").GetDouble(), id);

            var md = File.ReadAllText(Path.Combine(dir, "report.md"));
            foreach (var published in new[] { "0.8266", "0.8512", "0.8508", "0.8613", "0.8803", "0.8737", "~0.10", "0.9313" })
                StringAssert.Contains(md, $"| {published} |");
            foreach (var title in new[] { "ML.NET LightGbm", "ML.NET SdcaMaximumEntropy", "CNN (MlNetMlp.CnnTrainer)", "Our best MLP" })
                StringAssert.Contains(md, $"| {title} |");
            StringAssert.Contains(md, "Trained on 600 of the 60,000 training rows");
            StringAssert.Contains(File.ReadAllText(Path.Combine(dir, "report.html")), "data:image/png;base64,");
            foreach (var figure in result.GetProperty("figures").EnumerateArray().Select(f => f.GetString()!))
                Assert.AreEqual("Png", DecodedImage.Load(Path.Combine(dir, "figures", figure)).Format, figure);
            foreach (var figure in new[] { "curves-relu-2x128.png", "curves-cnn.png", "confusion-best.png", "test-images-best.png", "accuracy-vs-time.png" })
                Assert.IsTrue(File.Exists(Path.Combine(dir, "figures", figure)), figure);
            StringAssert.Contains(run.stdout, "[13/13] ML.NET LightGbm");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void SweepCrossValidatesResumesAndTestsTheBestOnce()
    {
        if (!CliTests.HaveData) Assert.Inconclusive("Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist).");
        var dir = Directory.CreateTempSubdirectory("mlnetmlp-sweep-").FullName;
        try
        {
            var results = Path.Combine(dir, "sweep.jsonl");
            string[] args = ["sweep", "--grid", "--space", "quick", "--depths", "1", "--widths", "16,32", "--activations", "Relu", "--l2", "0",
                "--lr", "0.003", "--optimizers", "Adam", "--batch-sizes", "100", "--epochs", "2", "--dropouts", "0",
                "--folds", "3", "--train-rows", "900", "--test-rows", "300", "--results", results, "--json"];
            var first = CliTests.Run(args);
            Assert.AreEqual(0, first.exitCode, first.stderr);
            var json = CliTests.LastJson(first.stdout);
            Assert.AreEqual(2, json.GetProperty("planned").GetInt32());
            Assert.AreEqual(2, json.GetProperty("ran").GetInt32());
            Assert.AreEqual(900, json.GetProperty("train_rows").GetInt32());
            Assert.AreEqual(300, json.GetProperty("test_rows").GetInt32());
            Assert.IsGreaterThan(0.5, json.GetProperty("test_micro_accuracy").GetDouble());
            var lines = File.ReadAllLines(results);
            Assert.HasCount(2, lines);
            foreach (var line in lines)
                Assert.AreEqual(3, JsonDocument.Parse(line).RootElement.GetProperty("fold_accuracies").GetArrayLength());
            Assert.IsTrue(File.Exists(Path.Combine(dir, "sweep.best.json")));

            // The same command again: nothing left to run, same best configuration.
            var second = CliTests.Run(args);
            Assert.AreEqual(0, second.exitCode, second.stderr);
            var again = CliTests.LastJson(second.stdout);
            Assert.AreEqual(0, again.GetProperty("ran").GetInt32());
            Assert.AreEqual(2, again.GetProperty("already_stored").GetInt32());
            Assert.AreEqual(json.GetProperty("best_hash").GetString(), again.GetProperty("best_hash").GetString());
            Assert.HasCount(2, File.ReadAllLines(results));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void AnInterruptedSweepKeepsItsFinishedTrialsAndResumes()
    {
        if (!CliTests.HaveData) Assert.Inconclusive("Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist).");
        var dir = Directory.CreateTempSubdirectory("mlnetmlp-sweep-").FullName;
        try
        {
            var results = Path.Combine(dir, "sweep.jsonl");
            string[] args = ["sweep", "--grid", "--space", "quick", "--depths", "1", "--widths", "32,64,96", "--activations", "Relu,Tanh", "--l2", "0",
                "--lr", "0.003", "--optimizers", "Adam", "--batch-sizes", "50", "--epochs", "4", "--dropouts", "0",
                "--folds", "3", "--train-rows", "3000", "--test-rows", "200", "--parallel", "1", "--results", results];
            var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "MlNetMlp.Cli.dll"), .. args])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            start.Environment["CI"] = "true";
            using (var process = Process.Start(start)!)
            {
                var stderr = process.StandardError.ReadToEndAsync();
                string? line;
                while ((line = process.StandardOutput.ReadLine()) != null && !line.StartsWith("trial 1/6", StringComparison.Ordinal)) { }
                Assert.IsNotNull(line, "the sweep never finished a trial");
                using (var kill = Process.Start("kill", ["-s", "INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) kill.WaitForExit();
                _ = process.StandardOutput.ReadToEndAsync();
                Assert.IsTrue(process.WaitForExit(60_000), "the sweep did not stop after SIGINT");
                Assert.AreEqual(130, process.ExitCode, stderr.Result);
                StringAssert.Contains(stderr.Result, "rerun the same command to resume");
            }
            int kept = File.ReadAllLines(results).Length;
            Assert.IsTrue(kept is >= 1 and < 6, $"{kept} trials kept");
            Assert.IsFalse(File.Exists(Path.Combine(dir, "sweep.best.json")), "an unfinished sweep must not touch the test split");

            var resumed = CliTests.Run([.. args, "--json"]);
            Assert.AreEqual(0, resumed.exitCode, resumed.stderr);
            var json = CliTests.LastJson(resumed.stdout);
            Assert.AreEqual(kept, json.GetProperty("already_stored").GetInt32());
            Assert.AreEqual(6 - kept, json.GetProperty("ran").GetInt32());
            Assert.HasCount(6, File.ReadAllLines(results));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void BadStudyOptionsExitWithCodeTwoNamingTheOption()
    {
        CliTests.AssertOneLineError(CliTests.Run("experiments", "--skip", "nosuch"), "--skip", "nosuch");
        CliTests.AssertOneLineError(CliTests.Run("experiments", "--threads", "0"), "--threads");
        CliTests.AssertOneLineError(CliTests.Run("experiments", "--out", "/proc/mlnetmlp-report"), "--out", "/proc/mlnetmlp-report");
        CliTests.AssertOneLineError(CliTests.Run("sweep", "--grid", "--random", "3"), "--grid", "--random");
        CliTests.AssertOneLineError(CliTests.Run("sweep", "--folds", "1"), "--folds");
        CliTests.AssertOneLineError(CliTests.Run("sweep", "--activations", "Relu,Swish"), "--activations", "Swish");
        CliTests.AssertOneLineError(CliTests.Run("sweep", "--dropouts", "1.5"), "--dropouts");
        CliTests.AssertOneLineError(CliTests.Run("sweep", "--space", "huge"), "--space", "huge");
        if (CliTests.HaveData)
        {
            var directory = Directory.CreateTempSubdirectory("mlnetmlp-sweep-").FullName;
            try
            {
                CliTests.AssertOneLineError(CliTests.Run("sweep", "--results", directory, "--train-rows", "30"), "--results", directory);
            }
            finally
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }
}
