using System.Text.Json;
using MlNetMlp.Data;
using static MlNetMlp.Tests.Cli.CliTests;

namespace MlNetMlp.Tests.Cli;

/// <summary>The tool's recovery paths as a user meets them: divergence, checkpoint/resume, bad checkpoints, bounded-memory streaming.</summary>
[TestClass]
public sealed class CliRecoveryTests
{
    private static string OneErrorLine((int exitCode, string stdout, string stderr) result)
    {
        Assert.AreEqual(2, result.exitCode, $"stdout: {result.stdout} stderr: {result.stderr}");
        var lines = result.stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.HasCount(1, lines, result.stderr);
        StringAssert.StartsWith(lines[0], "error: ");
        Assert.IsFalse(result.stderr.Contains("   at "), "no stack trace");
        return lines[0];
    }


    private static void RequireData()
    {
        if (!Directory.Exists(FashionMnist.SystemDatasetDirectory) && Environment.GetEnvironmentVariable(FashionMnist.DirectoryEnvironmentVariable) == null)
            Assert.Inconclusive("Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist).");
    }

    private static readonly string[] Quick = ["--train-rows", "1500", "--hidden", "32", "--schedule", "Constant", "--threads", "2", "--seed", "3"];

    [TestMethod]
    public void AnUnwritableModelPathFailsBeforeTrainingAndNamesTheOption()
    {
        // Checked before the data is read, so this needs no Fashion-MNIST: a training run must not end in an error
        // about a path that was wrong from the start.
        var dir = Directory.CreateTempSubdirectory("mlnetmlp-cli-").FullName;
        try
        {
            var blocker = Path.Combine(dir, "not-a-directory");
            File.WriteAllText(blocker, "");
            var underAFile = Path.Combine(blocker, "model.zip");
            string[][] commands =
            [
                ["train", .. Quick, "--data", Path.Combine(dir, "no-data"), "--out", underAFile],
                ["train", "--model", "cnn", "--data", Path.Combine(dir, "no-data"), "--out", underAFile],
                ["sweep", "--random", "1", "--data", Path.Combine(dir, "no-data"), "--results", Path.Combine(dir, "s.jsonl"), "--model", underAFile],
            ];
            foreach (var command in commands)
            {
                string option = command[0] == "sweep" ? "--model" : "--out";
                var result = Run(command);
                string line = OneErrorLine(result);
                StringAssert.Contains(line, $"{option} {underAFile}: cannot write the model there", string.Join(' ', command));
                Assert.DoesNotContain("training", result.stdout, "nothing ran before the check");
            }
            StringAssert.Contains(OneErrorLine(Run(["experiments", "--quick", "--data", Path.Combine(dir, "no-data"), "--out", underAFile])),
                $"--out {underAFile}: cannot write the report there");

            string isDirectory = OneErrorLine(Run(["train", .. Quick, "--out", dir]));
            StringAssert.Contains(isDirectory, $"--out {dir}: is a directory");
            Assert.AreEqual("not-a-directory", string.Join(",", Directory.EnumerateFileSystemEntries(dir).Select(Path.GetFileName)), "no probe file is left behind");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void DivergenceExitsWithCodeTwoNamingEpochBatchAndWhatToChange()
    {
        RequireData();
        var dir = Directory.CreateTempSubdirectory("mlnetmlp-cli-").FullName;
        try
        {
            var model = Path.Combine(dir, "model.zip");
            string line = OneErrorLine(Run(["train", .. Quick, "--epochs", "2", "--optimizer", "Sgd", "--lr", "1000", "--normalization", "Scale", "--out", model]));
            StringAssert.Matches(line, new System.Text.RegularExpressions.Regex(@"diverged at epoch \d+, batch \d+"));
            StringAssert.Contains(line, "Lower the learning rate");
            Assert.IsFalse(File.Exists(model), "no model is written for a diverged run");

            // SGD with lr·λ = 3 blows the weights up over many epochs: keep-best saves the best finished one instead.
            string[] exploding = ["train", .. Quick, "--epochs", "300", "--optimizer", "Sgd", "--lr", "1", "--l2", "3", "--batch-size", "1500", "--dropout", "0", "--out", model];
            Assert.AreEqual(2, Run(exploding).exitCode);
            var kept = Run([.. exploding, "--on-divergence", "keep-best", "--json"]);
            Assert.AreEqual(0, kept.exitCode, kept.stderr);
            StringAssert.Contains(kept.stdout, "Keeping the best finished epoch");
            var json = LastJson(kept.stdout);
            Assert.IsGreaterThan(1, json.GetProperty("diverged_epoch").GetInt32());
            Assert.AreEqual(json.GetProperty("diverged_epoch").GetInt32() - 1, json.GetProperty("epochs").GetInt32());
            Assert.IsTrue(File.Exists(model));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void ResumedTrainingSavesTheSameModelBytesAsAnUninterruptedRun()
    {
        RequireData();
        var dir = Directory.CreateTempSubdirectory("mlnetmlp-cli-").FullName;
        try
        {
            string straight = Path.Combine(dir, "straight.zip"), resumed = Path.Combine(dir, "resumed.zip"), checkpoints = Path.Combine(dir, "ckpt");
            Assert.AreEqual(0, Run(["train", .. Quick, "--epochs", "3", "--out", straight]).exitCode);

            var first = Run(["train", .. Quick, "--epochs", "1", "--checkpoint-dir", checkpoints, "--out", Path.Combine(dir, "first.zip")]);
            Assert.AreEqual(0, first.exitCode, first.stderr);
            var second = Run(["train", .. Quick, "--epochs", "3", "--checkpoint-dir", checkpoints, "--resume", "--out", resumed, "--json"]);
            Assert.AreEqual(0, second.exitCode, second.stderr);
            StringAssert.Contains(second.stdout, "resuming from");
            Assert.IsFalse(second.stdout.Contains("epoch 1/3"), "epoch 1 is not trained again");
            StringAssert.Contains(second.stdout, "epoch 3/3");
            Assert.AreEqual(3, LastJson(second.stdout).GetProperty("epochs").GetInt32());
            CollectionAssert.AreEqual(File.ReadAllBytes(straight), File.ReadAllBytes(resumed), "resume must reproduce the uninterrupted model byte for byte");

            // A damaged checkpoint is refused with one line naming it.
            string checkpoint = Directory.GetFiles(checkpoints).Single();
            File.WriteAllBytes(checkpoint, File.ReadAllBytes(checkpoint)[..100]);
            string line = OneErrorLine(Run(["train", .. Quick, "--epochs", "3", "--checkpoint-dir", checkpoints, "--resume", "--out", resumed]));
            StringAssert.Contains(line, checkpoint);
            OneErrorLine(Run(["train", "--resume"]));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void TrainCanStreamThroughAShuffleBuffer()
    {
        RequireData();
        var dir = Directory.CreateTempSubdirectory("mlnetmlp-cli-").FullName;
        try
        {
            var streamed = Run(["train", .. Quick, "--epochs", "2", "--shuffle-buffer", "500", "--out", Path.Combine(dir, "model.zip"), "--json"]);
            Assert.AreEqual(0, streamed.exitCode, streamed.stderr);
            Assert.IsGreaterThan(0.45, LastJson(streamed.stdout).GetProperty("micro_accuracy").GetDouble(), "two short epochs: in memory reaches about 0.57, chance is 0.1");
            StringAssert.Contains(OneErrorLine(Run(["train", .. Quick, "--shuffle-buffer", "500", "--validation-fraction", "0.1"])), "--validation-fraction 0.1");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void BenchMemoryStreamsWithinTheBudgetAndEndsWithJson()
    {
        var result = Run("bench", "memory", "--rows", "20000", "--features", "100", "--hidden", "16", "--shuffle-buffer", "1000", "--threads", "1", "--json");
        Assert.AreEqual(0, result.exitCode, result.stderr);
        var json = LastJson(result.stdout);
        Assert.AreEqual(20000, json.GetProperty("rows").GetInt64());
        Assert.IsLessThan(1024, json.GetProperty("peak_working_set_mb").GetDouble());
        Assert.IsGreaterThan(0, json.GetProperty("rows_per_second").GetDouble());
        Assert.IsGreaterThanOrEqualTo(20000, json.GetProperty("rows_read").GetInt64());

        // The budget is enforced: an impossible one fails with one line.
        StringAssert.Contains(OneErrorLine(Run("bench", "memory", "--rows", "2000", "--features", "10", "--hidden", "4", "--budget-mb", "1")), "budget");
    }
}
