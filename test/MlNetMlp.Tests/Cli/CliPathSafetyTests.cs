using System.Diagnostics;
using System.IO.Compression;
using Microsoft.ML;
using MlNetMlp.Cnn;
using MlNetMlp.Numerics;
using MlNetMlp.Tests.Cnn;
using static MlNetMlp.Tests.Cli.CliTests;
using static MlNetMlp.Tests.Hardening.OutputPathSafetyTests;

namespace MlNetMlp.Tests.Cli;

/// <summary>
/// The tool's file paths as a user meets them: an output that is a device, pipe or link, two outputs on one file, a
/// results file that is not a sweep's, empty and over-long paths, and inputs that are pipes, each refused in one line
/// naming the option or file before any data is read (<c>--data</c> points nowhere, so a late check would fail on it).
/// </summary>
[TestClass]
public sealed class CliPathSafetyTests
{
    private static string TempDirectory() => Directory.CreateTempSubdirectory("mlnetmlp-cli-paths-").FullName;

    private static readonly string[] Tiny = ["--train-rows", "1000", "--epochs", "1", "--hidden", "16", "--threads", "2"];

    /// <summary>The CLI's one error line; nothing was trained before it.</summary>
    private static string Refusal(string dir, params string[] args)
    {
        var result = RunWithin(60, [.. args, "--data", Path.Combine(dir, "no-data")]);
        AssertOneLineError(result);
        Assert.DoesNotContain("training", result.stdout, "refused before training");
        Assert.DoesNotContain("Fashion-MNIST", result.stderr, "refused before the data was looked for");
        return result.stderr.Trim();
    }

    [TestMethod]
    public void OutputsThatAreDevicesPipesOrLinksToThemAreRefusedNamingTheOption()
    {
        var dir = TempDirectory();
        try
        {
            var device = NullDevice(Path.Combine(dir, "null"));
            var pipe = Fifo(Path.Combine(dir, "pipe"));
            var link = Path.Combine(dir, "link-to-dev-null");
            File.CreateSymbolicLink(link, "/dev/null");
            var results = Path.Combine(dir, "sweep.jsonl");

            StringAssert.Contains(Refusal(dir, ["train", .. Tiny, "--out", device]), $"--out {device}: is a character device, not a regular file");
            StringAssert.Contains(Refusal(dir, ["train", .. Tiny, "--out", pipe]), $"--out {pipe}: is a named pipe (FIFO), not a regular file");
            StringAssert.Contains(Refusal(dir, ["train", .. Tiny, "--out", link]), $"--out {link}: is a symbolic link to /dev/null, a character device");
            StringAssert.Contains(Refusal(dir, ["train", "--model", "cnn", "--out", pipe]), $"--out {pipe}: is a named pipe");
            StringAssert.Contains(Refusal(dir, ["sweep", "--random", "1", "--results", device]), $"--results {device}: is a character device");
            StringAssert.Contains(Refusal(dir, ["sweep", "--random", "1", "--results", link]), $"--results {link}: is a symbolic link to /dev/null");
            StringAssert.Contains(Refusal(dir, ["sweep", "--random", "1", "--results", results, "--model", pipe]), $"--model {pipe}: is a named pipe");

            var checkpoints = Directory.CreateDirectory(Path.Combine(dir, "checkpoints")).FullName;
            var checkpoint = Fifo(TrainingCheckpoint.PathIn(checkpoints));
            StringAssert.Contains(Refusal(dir, ["train", .. Tiny, "--out", Path.Combine(dir, "m.zip"), "--checkpoint-dir", checkpoints]),
                $"--checkpoint-dir {checkpoint}: is a named pipe");

            var study = Directory.CreateDirectory(Path.Combine(dir, "study", "figures")).Parent!.FullName;
            var markdown = Fifo(Path.Combine(study, "report.md"));
            StringAssert.Contains(Refusal(dir, ["experiments", "--quick", "--out", study]), $"--out {markdown}: is a named pipe");
            var figure = NullDevice(Path.Combine(study, "figures", "curves-relu.png"));
            File.Delete(markdown);
            StringAssert.Contains(Refusal(dir, ["experiments", "--quick", "--out", study]), $"--out {figure}: is a character device");

            Assert.AreEqual("character special file", Kind(device));
            Assert.AreEqual("fifo", Kind(pipe));
            Assert.AreEqual("symbolic link", Kind(link));
            Assert.AreEqual("fifo", Kind(checkpoint));
            Assert.AreEqual("character special file", Kind("/dev/null"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void TwoOutputsOnOneFileAreRefusedNamingBothOptions()
    {
        var dir = TempDirectory();
        try
        {
            var results = Path.Combine(dir, "r.jsonl");
            var sweep = new[] { "sweep", "--random", "1", "--results", results };
            StringAssert.Contains(Refusal(dir, [.. sweep, "--model", results]), $"--results {results} and --model {results} are the same file");
            var best = Path.Combine(dir, "r.best.json");
            StringAssert.Contains(Refusal(dir, [.. sweep, "--model", best]), $"--model {best} and --results (its summary) {best} are the same file");
            var linkToResults = Path.Combine(dir, "model-link.zip");
            File.CreateSymbolicLink(linkToResults, results);
            StringAssert.Contains(Refusal(dir, [.. sweep, "--model", linkToResults]), $"--model {linkToResults} are the same file");
            Assert.IsFalse(File.Exists(results), "nothing was written");

            var checkpoints = Path.Combine(dir, "checkpoints");
            var mlpCheckpoint = TrainingCheckpoint.PathIn(checkpoints);
            StringAssert.Contains(Refusal(dir, ["train", .. Tiny, "--out", mlpCheckpoint, "--checkpoint-dir", checkpoints]),
                $"--out {mlpCheckpoint} and --checkpoint-dir {mlpCheckpoint} are the same file");
            var cnnCheckpoint = TrainingCheckpoint.PathIn(checkpoints);
            StringAssert.Contains(Refusal(dir, ["train", "--model", "cnn", "--out", cnnCheckpoint, "--checkpoint-dir", checkpoints]),
                $"--out {cnnCheckpoint} and --checkpoint-dir {cnnCheckpoint} are the same file");
            // The same file through a linked directory.
            var linkedDirectory = Path.Combine(dir, "linked");
            Directory.CreateSymbolicLink(linkedDirectory, checkpoints);
            var viaLink = TrainingCheckpoint.PathIn(linkedDirectory);
            StringAssert.Contains(Refusal(dir, ["train", .. Tiny, "--out", viaLink, "--checkpoint-dir", checkpoints]), "are the same file");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void SweepRefusesAResultsFileThatIsNotItsOwnAndLeavesItAsItWas()
    {
        var dir = TempDirectory();
        try
        {
            var model = Path.Combine(dir, "existing-model.zip");
            using (var archive = ZipFile.Open(model, ZipArchiveMode.Create))
                using (var writer = new StreamWriter(archive.CreateEntry("TransformerChain/Model.key").Open()))
                    writer.Write("weights\nmore weights\n");
            var notes = Path.Combine(dir, "notes.txt");
            File.WriteAllText(notes, "my notes\n");
            foreach (var path in new[] { model, notes })
            {
                var bytes = File.ReadAllBytes(path);
                string line = Refusal(dir, "sweep", "--random", "1", "--results", path);
                StringAssert.Contains(line, $"--results {path}: ");
                StringAssert.Contains(line, "is not a sweep results file");
                CollectionAssert.AreEqual(bytes, File.ReadAllBytes(path), path);
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void EmptyOverLongAndFileAsDirectoryPathsAreRefusedNamingTheOption()
    {
        var dir = TempDirectory();
        try
        {
            StringAssert.StartsWith(Refusal(dir, ["train", .. Tiny, "--out", ""]), "error: --out: the path is empty");
            StringAssert.StartsWith(Refusal(dir, ["train", "--model", "cnn", "--out", ""]), "error: --out: the path is empty");
            StringAssert.StartsWith(Refusal(dir, ["train", .. Tiny, "--checkpoint-dir", " "]), "error: --checkpoint-dir: the path is empty");
            StringAssert.StartsWith(Refusal(dir, ["sweep", "--random", "1", "--results", ""]), "error: --results: the path is empty");
            StringAssert.StartsWith(Refusal(dir, ["sweep", "--random", "1", "--results", Path.Combine(dir, "s.jsonl"), "--model", ""]), "error: --model: the path is empty");
            StringAssert.StartsWith(Refusal(dir, ["experiments", "--quick", "--out", ""]), "error: --out: the path is empty");

            var file = Path.Combine(dir, "a-file");
            File.WriteAllText(file, "mine");
            StringAssert.Contains(Refusal(dir, ["train", .. Tiny, "--out", Path.Combine(dir, "m.zip"), "--checkpoint-dir", file]),
                $"--checkpoint-dir {file}: is a regular file, not a directory");
            StringAssert.Contains(Refusal(dir, ["train", "--model", "cnn", "--checkpoint-dir", file, "--out", Path.Combine(dir, "m.zip")]),
                $"--checkpoint-dir {file}: is a regular file, not a directory");
            StringAssert.Contains(Refusal(dir, ["experiments", "--quick", "--out", file]), $"--out {file}: is a regular file, not a directory");
            Assert.AreEqual("mine", File.ReadAllText(file));

            var tooLong = Path.Combine(dir, new string('m', 252) + ".zip");
            StringAssert.Contains(Refusal(dir, ["train", .. Tiny, "--out", tooLong]), $"--out {tooLong}: the file name is 256 bytes long");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void PredictAndEvaluateRefuseInputsThatArePipesOrDevicesNamingThem()
    {
        var dir = TempDirectory();
        try
        {
            var model = Path.Combine(CnnFixture.Directory, "..", "cnn-model-v1", "model.zip");
            var image = Fifo(Path.Combine(dir, "x.png"));
            var result = RunWithin(60, "predict", model, image);
            AssertOneLineError(result, $"{image}: is a named pipe (FIFO), not a regular file");

            var pipedModel = Fifo(Path.Combine(dir, "model.zip"));
            AssertOneLineError(RunWithin(60, "predict", pipedModel, "0"), $"{pipedModel}: is a named pipe (FIFO), not a regular file");
            var zero = Path.Combine(dir, "zero.zip");
            File.CreateSymbolicLink(zero, "/dev/zero");
            AssertOneLineError(RunWithin(60, "evaluate", zero), $"{zero}: is a symbolic link to /dev/zero, a character device, not a regular file");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void TrainWritesALongNamedModelAndTheTargetOfALinkedOne()
    {
        if (!HaveData) Assert.Inconclusive("Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist).");
        var dir = TempDirectory();
        try
        {
            var longName = Path.Combine(dir, new string('m', 236) + ".zip");
            var result = Run(["train", .. Tiny, "--out", longName]);
            Assert.AreEqual(0, result.exitCode, result.stderr);
            Assert.IsNotNull(ModelFile.Load(new MLContext(1), longName, out _));

            var target = Path.Combine(dir, "target.zip");
            var link = Path.Combine(dir, "link.zip");
            File.CreateSymbolicLink(link, "target.zip");
            result = Run(["train", .. Tiny, "--out", link]);
            Assert.AreEqual(0, result.exitCode, result.stderr);
            Assert.AreEqual("symbolic link", Kind(link), "the link stays a link");
            Assert.IsNotNull(ModelFile.Load(new MLContext(1), target, out _));
            CollectionAssert.AreEquivalent(new[] { Path.GetFileName(longName), "target.zip", "link.zip" },
                Directory.GetFileSystemEntries(dir).Select(Path.GetFileName).ToArray(), "no temporary file left");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
