using System.Collections.Concurrent;
using MlNetMlp.Study;

namespace MlNetMlp.Tests.Study;

[TestClass]
public sealed class SweepTests
{
    private sealed class RecordingProgress : ISweepProgress
    {
        public ConcurrentBag<string> Started { get; } = [];

        public void TrialStarted(int slot, int index, int total, MlpTrialConfig config) => Started.Add(config.Key);

        public void FoldEpoch(int slot, int fold, int folds, EpochRecord record, int epochs) { }

        public void TrialFinished(int slot, SweepTrialResult result) { }
    }

    private static SweepSpace TinySpace() => new()
    {
        Depths = [1],
        Widths = [8, 16],
        Activations = [MlpActivation.Relu],
        LearningRates = [1e-2f],
        Epochs = [1],
        Dropouts = [0f],
        BatchSizes = [50],
        L2 = [0f, 1e-4f],
    };

    private static string TempFile() => Path.Combine(Directory.CreateTempSubdirectory("mlnetmlp-sweep-").FullName, "sweep.jsonl");

    [TestMethod]
    public void ResumeSkipsTrialsAlreadyInTheFile()
    {
        var train = StudyTestData.Images(90);
        var grid = TinySpace().Grid();
        Assert.HasCount(4, grid);
        var path = TempFile();
        var settings = new SweepSettings { Folds = 3, Seed = 1, Parallelism = 2, ThreadsPerTrial = 1 };

        // First run: two of the four configurations (as if the sweep had been interrupted after them).
        using (var store = SweepResultStore.Open(path))
        {
            var first = SweepRunner.Run(train, grid.Take(2).ToList(), store, settings);
            Assert.AreEqual(2, first.Ran);
            Assert.AreEqual(0, first.AlreadyStored);
        }
        Assert.HasCount(2, File.ReadAllLines(path));

        // Resumed with the whole grid: only the two missing trials run, and only they are started.
        var progress = new RecordingProgress();
        using (var store = SweepResultStore.Open(path))
        {
            Assert.HasCount(2, store.Results);
            var second = SweepRunner.Run(train, grid, store, settings, progress);
            Assert.AreEqual(2, second.AlreadyStored);
            Assert.AreEqual(2, second.Ran);
            Assert.AreEqual(0, second.NotStarted);
        }
        CollectionAssert.AreEquivalent(grid.Skip(2).Select(c => c.Key).ToArray(), progress.Started.ToArray());
        var lines = File.ReadAllLines(path);
        Assert.HasCount(4, lines);
        var stored = lines.Select(SweepTrialResult.FromJson).ToList();
        Assert.AreEqual(4, stored.Select(r => r.Hash).Distinct().Count());
        foreach (var r in stored)
        {
            Assert.AreEqual(SweepTrialStatus.Ok, r.Status, r.Error);
            Assert.HasCount(3, r.FoldAccuracies);
            Assert.AreEqual(r.FoldAccuracies.Average(), r.MeanAccuracy!.Value, 1e-12);
        }

        // A third run has nothing to do.
        using (var store = SweepResultStore.Open(path))
        {
            var third = SweepRunner.Run(train, grid, store, settings);
            Assert.AreEqual(0, third.Ran);
            Assert.AreEqual(4, third.AlreadyStored);
        }
    }

    [TestMethod]
    public void AChangedProtocolDoesNotReuseOldResults()
    {
        var train = StudyTestData.Images(60);
        var configs = TinySpace().Grid().Take(1).ToList();
        var path = TempFile();
        using var store = SweepResultStore.Open(path);
        Assert.AreEqual(1, SweepRunner.Run(train, configs, store, new SweepSettings { Folds = 2, ThreadsPerTrial = 1, Parallelism = 1 }).Ran);
        Assert.AreEqual(1, SweepRunner.Run(train, configs, store, new SweepSettings { Folds = 3, ThreadsPerTrial = 1, Parallelism = 1 }).Ran,
            "3-fold results are a different trial from 2-fold ones");
    }

    [TestMethod]
    public void ATornLastLineIsCutOffAndThatTrialRunsAgain()
    {
        var train = StudyTestData.Images(60);
        var configs = TinySpace().Grid().Take(2).ToList();
        var path = TempFile();
        var settings = new SweepSettings { Folds = 2, ThreadsPerTrial = 1, Parallelism = 1 };
        using (var store = SweepResultStore.Open(path)) SweepRunner.Run(train, configs, store, settings);
        var text = File.ReadAllText(path);
        File.WriteAllText(path, text[..(text.Length - 10)]); // a crash in the middle of the second line
        using (var store = SweepResultStore.Open(path))
        {
            Assert.IsTrue(store.RepairedTornLine);
            Assert.HasCount(1, store.Results);
            Assert.AreEqual(1, SweepRunner.Run(train, configs, store, settings).Ran);
        }
        Assert.HasCount(2, File.ReadAllLines(path).Select(SweepTrialResult.FromJson).ToList());
    }

    [TestMethod]
    public void TheFileIsRewrittenWholeAndLockedWhileOpen()
    {
        var path = TempFile();
        // A hand-edited results file: a trial and a line that is not one (a file with no trial at all is refused,
        // see OutputPathSafetyTests).
        var first = new SweepTrialResult { Hash = "h0", Status = SweepTrialStatus.Ok, FoldAccuracies = [0.4], MeanAccuracy = 0.4 };
        File.WriteAllText(path, first.ToJson() + "\nnot json\n");
        var trial = new SweepTrialResult { Hash = "h1", Status = SweepTrialStatus.Ok, FoldAccuracies = [0.5], MeanAccuracy = 0.5 };
        using (var store = SweepResultStore.Open(path))
        {
            Assert.AreEqual(1, store.SkippedLines);
            var second = Assert.ThrowsExactly<IOException>(() => SweepResultStore.Open(path));
            StringAssert.Contains(second.Message, path);
            Assert.IsTrue(store.Append(trial));
            Assert.IsFalse(store.Append(trial), "a stored hash is not added twice");
            Assert.IsTrue(store.Append(new SweepTrialResult { Hash = "h2", Status = SweepTrialStatus.Failed, Error = "boom" }));
        }
        // The unreadable line is kept; each append replaced the file through a temporary sibling that is gone.
        var lines = File.ReadAllLines(path);
        Assert.HasCount(4, lines);
        Assert.AreEqual("not json", lines[1]);
        CollectionAssert.AreEqual(new[] { "h0", "h1", "h2" }, lines.Where((_, i) => i != 1).Select(l => SweepTrialResult.FromJson(l).Hash).ToArray());
        CollectionAssert.AreEqual(new[] { "sweep.jsonl" }, Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName).ToArray());
        using var reopened = SweepResultStore.Open(path); // the lock went with the first store
        Assert.HasCount(3, reopened.Results);
    }

    [TestMethod]
    public void BestPrefersAccuracyThenLogLossAndRetrainTouchesTheTestSplitOnce()
    {
        var protocol = new SweepProtocol(3, 1, 90);
        SweepTrialResult Trial(int width, double accuracy, double logLoss) => new()
        {
            Hash = protocol.TrialHash(new MlpTrialConfig { HiddenLayers = [width], Epochs = 1 }),
            Config = new MlpTrialConfig { HiddenLayers = [width], Epochs = 1, BatchSize = 30 },
            Protocol = protocol, Status = SweepTrialStatus.Ok, MeanAccuracy = accuracy, MeanLogLoss = logLoss,
        };
        var otherProtocol = new SweepTrialResult
        {
            Hash = "other", Config = new MlpTrialConfig { HiddenLayers = [64] }, Protocol = protocol with { Folds = 2 },
            Status = SweepTrialStatus.Ok, MeanAccuracy = 0.99, MeanLogLoss = 0.1,
        };
        var diverged = new SweepTrialResult { Hash = "diverged", Config = new MlpTrialConfig { HiddenLayers = [128] }, Protocol = protocol, Status = SweepTrialStatus.Diverged };
        var trials = new[] { Trial(8, 0.80, 0.5), Trial(16, 0.90, 0.7), Trial(32, 0.90, 0.4), otherProtocol, diverged };
        var best = SweepRunner.Best(trials, protocol)!;
        CollectionAssert.AreEqual(new[] { 32 }, best.Config.HiddenLayers);

        var (result, model, _) = SweepRunner.RetrainAndTest(StudyTestData.Images(90), StudyTestData.Images(30, seed: 9), best, threads: 1);
        Assert.AreEqual(90, result.TrainRows);
        Assert.AreEqual(30, result.TestRows);
        Assert.IsGreaterThan(0.5, result.TestMicroAccuracy, "the synthetic classes are easy");
        Assert.IsNotNull(model);
    }

    [TestMethod]
    public void RandomSearchIsSeededAndDistinct()
    {
        var space = SweepSpace.Quick();
        var a = space.Random(20, seed: 4);
        var b = space.Random(20, seed: 4);
        Assert.HasCount(20, a);
        CollectionAssert.AreEqual(a.Select(c => c.Key).ToArray(), b.Select(c => c.Key).ToArray());
        Assert.AreEqual(20, a.Select(c => c.Key).Distinct().Count());
        Assert.AreEqual(space.Size, space.Grid().Count);
    }
}
