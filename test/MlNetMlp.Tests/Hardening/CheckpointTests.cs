using System.Runtime.InteropServices;
using Microsoft.ML;
using MlNetMlp.Data;
using MlNetMlp.Numerics;

namespace MlNetMlp.Tests.Hardening;

/// <summary>Checkpoints: a resumed run ends bit for bit where an uninterrupted one does; bad checkpoint files are named.</summary>
[TestClass]
public sealed class CheckpointTests
{
    private static readonly IDataView Data = new SyntheticDataView(rows: 600, features: 8, classes: 3, seed: 2, spread: 0.8f);

    private static MlpTrainer.Options Options(Optimizer optimizer, int shuffleBuffer = 0, string? directory = null, bool resume = false, int epochs = 4) => new()
    {
        HiddenLayers = [12, 6], Optimizer = optimizer, LearningRate = optimizer == Optimizer.Adam ? 0.01f : 0.05f, Dropout = 0.2f,
        L2Regularization = 1e-4f, LearningRateSchedule = LearningRateSchedule.Cosine, MinLearningRate = 1e-4f,
        // Streaming has no hold-out and early stopping needs validation data: it tracks the best epoch through KeepBest instead.
        ValidationFraction = shuffleBuffer > 0 ? 0 : 0.2f, EarlyStopping = shuffleBuffer == 0, EarlyStoppingPatience = 10, MonitoringSubsetSize = 100,
        OnDivergence = shuffleBuffer > 0 ? DivergenceAction.KeepBest : DivergenceAction.Stop,
        Epochs = epochs, BatchSize = 32, Seed = 9, NumberOfThreads = 2, ShuffleBufferSize = shuffleBuffer,
        CheckpointDirectory = directory, CheckpointEveryEpochs = 2, ResumeFromCheckpoint = resume,
    };

    private static string TempDirectory() => Directory.CreateTempSubdirectory("mlnetmlp-ckpt-").FullName;

    private static void AssertBitIdentical(MlpModelParameters expected, MlpModelParameters actual)
    {
        Assert.AreEqual(expected.LinearLayerCount, actual.LinearLayerCount);
        for (int l = 0; l < expected.LinearLayerCount; l++)
        {
            Assert.IsTrue(MemoryMarshal.AsBytes<float>(expected.GetWeights(l)).SequenceEqual(MemoryMarshal.AsBytes<float>(actual.GetWeights(l))), $"layer {l} weights differ");
            Assert.IsTrue(MemoryMarshal.AsBytes<float>(expected.GetBiases(l)).SequenceEqual(MemoryMarshal.AsBytes<float>(actual.GetBiases(l))), $"layer {l} biases differ");
        }
        CollectionAssert.AreEqual(expected.History.Select(r => r with { Elapsed = default }).ToList(), actual.History.Select(r => r with { Elapsed = default }).ToList());
    }

    /// <summary>Runs Fit and cancels it right after <paramref name="stopAfterEpoch"/> (the checkpoint of that epoch is on disk by then).</summary>
    private static void Interrupt(MlpTrainer.Options options, int stopAfterEpoch)
    {
        using var cancel = new CancellationTokenSource();
        var trainer = new MlpTrainer(new MLContext(1), options);
        trainer.EpochCompleted += (_, e) => { if (e.Epoch == stopAfterEpoch) cancel.Cancel(); };
        Assert.ThrowsExactly<OperationCanceledException>(() => trainer.Fit(Data, null, null, cancel.Token));
    }

    [TestMethod]
    [DataRow(Optimizer.Adam, 0)]
    [DataRow(Optimizer.Momentum, 0)]
    [DataRow(Optimizer.Sgd, 0)]
    [DataRow(Optimizer.Adam, 50)]
    public void InterruptedAndResumedRunEndsWithBitIdenticalWeights(Optimizer optimizer, int shuffleBuffer)
    {
        var straight = new MlpTrainer(new MLContext(1), Options(optimizer, shuffleBuffer)).Fit(Data).Model;
        string directory = TempDirectory();
        try
        {
            Interrupt(Options(optimizer, shuffleBuffer, directory), stopAfterEpoch: 2);
            Assert.AreEqual(2, TrainingCheckpoint.Load(TrainingCheckpoint.PathIn(directory)).EpochsDone);

            var resumedTrainer = new MlpTrainer(new MLContext(1), Options(optimizer, shuffleBuffer, directory, resume: true));
            var epochsRun = new List<int>();
            resumedTrainer.EpochCompleted += (_, e) => epochsRun.Add(e.Epoch);
            var resumed = resumedTrainer.Fit(Data).Model;

            CollectionAssert.AreEqual(new[] { 3, 4 }, epochsRun, "only the missing epochs run");
            AssertBitIdentical(straight, resumed);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [TestMethod]
    public void ResumingAFinishedShortRunWithMoreEpochsMatchesTheLongRun()
    {
        // Constant rate: the schedule does not depend on Epochs, so 2 epochs then 2 more is the same run as 4.
        MlpTrainer.Options Constant(string? directory, bool resume, int epochs)
        {
            var options = Options(Optimizer.Adam, directory: directory, resume: resume, epochs: epochs);
            options.LearningRateSchedule = LearningRateSchedule.Constant;
            return options;
        }
        var straight = new MlpTrainer(new MLContext(1), Constant(null, false, 4)).Fit(Data).Model;
        string directory = TempDirectory();
        try
        {
            var first = new MlpTrainer(new MLContext(1), Constant(directory, false, 2)).Fit(Data).Model;
            Assert.HasCount(2, first.History);
            var resumed = new MlpTrainer(new MLContext(1), Constant(directory, true, 4)).Fit(Data).Model;
            AssertBitIdentical(straight, resumed);

            // Resuming a finished run trains nothing and returns the same model.
            var again = new MlpTrainer(new MLContext(1), Constant(directory, true, 4));
            again.EpochCompleted += (_, _) => Assert.Fail("a finished run has no epochs left");
            AssertBitIdentical(straight, again.Fit(Data).Model);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [TestMethod]
    public void CheckpointsAreWrittenEveryNEpochsAndAfterTheLastAtomically()
    {
        string directory = TempDirectory();
        try
        {
            var options = Options(Optimizer.Adam, directory: directory, epochs: 4);
            options.CheckpointEveryEpochs = 3;
            var seen = new List<int>();
            var trainer = new MlpTrainer(new MLContext(1), options);
            string path = TrainingCheckpoint.PathIn(directory);
            trainer.EpochCompleted += (_, e) => seen.Add(File.Exists(path) ? TrainingCheckpoint.Load(path).EpochsDone : 0);
            trainer.Fit(Data);
            CollectionAssert.AreEqual(new[] { 0, 0, 3, 4 }, seen);
            CollectionAssert.AreEqual(new[] { TrainingCheckpoint.FileName }, Directory.GetFiles(directory).Select(Path.GetFileName).ToArray(), "no temporary files are left");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [TestMethod]
    public void ResumeWithoutACheckpointStartsFromScratch()
    {
        string directory = TempDirectory();
        try
        {
            var fresh = new MlpTrainer(new MLContext(1), Options(Optimizer.Adam, epochs: 2)).Fit(Data).Model;
            var resumed = new MlpTrainer(new MLContext(1), Options(Optimizer.Adam, directory: directory, resume: true, epochs: 2)).Fit(Data).Model;
            AssertBitIdentical(fresh, resumed);
            Assert.IsTrue(File.Exists(TrainingCheckpoint.PathIn(directory)));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [TestMethod]
    public void CorruptTruncatedAndForeignCheckpointsFailNamingTheFile()
    {
        string directory = TempDirectory();
        try
        {
            new MlpTrainer(new MLContext(1), Options(Optimizer.Adam, directory: directory, epochs: 2)).Fit(Data);
            string path = TrainingCheckpoint.PathIn(directory);
            byte[] good = File.ReadAllBytes(path);

            void Expect(byte[] bytes, string problem, MlpTrainer.Options? options = null)
            {
                File.WriteAllBytes(path, bytes);
                var trainer = new MlpTrainer(new MLContext(1), options ?? Options(Optimizer.Adam, directory: directory, resume: true, epochs: 4));
                var e = Assert.ThrowsExactly<InvalidDataException>(() => trainer.Fit(Data), problem);
                StringAssert.Contains(e.Message, path, problem);
                StringAssert.Contains(e.Message, problem);
            }

            Expect([], "empty");
            Expect(good[..(good.Length / 2)], "checksum");
            Expect(good[..^1], "checksum");
            byte[] flipped = (byte[])good.Clone();
            flipped[good.Length / 2] ^= 0x10;
            Expect(flipped, "checksum");
            Expect("PK\u0003\u0004 this is a zip, not a checkpoint"u8.ToArray(), "magic");
            byte[] otherVersion = (byte[])good.Clone();
            otherVersion[8] = 99;
            Expect(otherVersion, "version");

            // A valid checkpoint of another training.
            var otherNetwork = Options(Optimizer.Adam, directory: directory, resume: true, epochs: 4);
            otherNetwork.HiddenLayers = [7];
            Expect(good, "network", otherNetwork);
            var otherOptimizer = Options(Optimizer.Momentum, directory: directory, resume: true, epochs: 4);
            Expect(good, "optimizer", otherOptimizer);
            var otherSeed = Options(Optimizer.Adam, directory: directory, resume: true, epochs: 4);
            otherSeed.Seed = 10;
            Expect(good, "seed", otherSeed);

            // The intact file still resumes.
            File.WriteAllBytes(path, good);
            Assert.HasCount(4, new MlpTrainer(new MLContext(1), Options(Optimizer.Adam, directory: directory, resume: true, epochs: 4)).Fit(Data).Model.History);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [TestMethod]
    public void CheckpointAndStreamingOptionsAreValidated()
    {
        void Expect(string name, Action<MlpTrainer.Options> change)
        {
            var options = new MlpTrainer.Options();
            change(options);
            var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => MlpTrainer.Validate(options));
            Assert.AreEqual(name, e.ParamName);
        }
        Expect(nameof(MlpTrainer.Options.CheckpointEveryEpochs), o => { o.CheckpointDirectory = "x"; o.CheckpointEveryEpochs = 0; });
        Expect(nameof(MlpTrainer.Options.CheckpointDirectory), o => o.ResumeFromCheckpoint = true);
        Expect(nameof(MlpTrainer.Options.CheckpointDirectory), o => o.CheckpointDirectory = " ");
        Expect(nameof(MlpTrainer.Options.ShuffleBufferSize), o => o.ShuffleBufferSize = -1);
        Expect(nameof(MlpTrainer.Options.ValidationFraction), o => { o.ShuffleBufferSize = 100; o.ValidationFraction = 0.1f; });
    }
}
