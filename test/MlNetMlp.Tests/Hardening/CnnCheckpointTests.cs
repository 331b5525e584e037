using System.Runtime.InteropServices;
using Microsoft.ML;
using MlNetMlp.Cnn;
using MlNetMlp.Data;
using MlNetMlp.Numerics;

namespace MlNetMlp.Tests.Hardening;

/// <summary>
/// CNN checkpoints, as <see cref="CheckpointTests"/> for the MLP: a resumed run ends bit for bit where an uninterrupted
/// one does (parameters, batch-norm running statistics, history); bad or foreign checkpoint files are named.
/// </summary>
[TestClass]
public sealed class CnnCheckpointTests
{
    // 8×8 images (64 values, inferred square) of three noisy clusters.
    private static readonly IDataView Data = new SyntheticDataView(rows: 240, features: 64, classes: 3, seed: 2, spread: 0.8f);

    // Everything that draws random numbers or carries state across epochs is on: shuffling, a validation hold-out,
    // monitoring subsets, dropout, augmentation, batch norm (running statistics), Adam, a cosine schedule.
    internal static CnnTrainer.Options Options(string? directory = null, bool resume = false, int epochs = 4, int shuffleBuffer = 0) => new()
    {
        ImageColumnName = "Features", PixelScale = 1, Layers = "conv4,bn,relu,pool,drop0.25,flatten,dense8,bn,relu",
        LearningRate = 0.01f, L2Regularization = 1e-4f, LearningRateSchedule = LearningRateSchedule.Cosine, MinLearningRate = 1e-4f,
        RandomHorizontalFlip = true, RandomShift = 1, ValidationFraction = shuffleBuffer > 0 ? 0 : 0.2f, MonitoringSubsetSize = 50,
        Epochs = epochs, BatchSize = 32, Seed = 9, NumberOfThreads = 2,
        CheckpointDirectory = directory, CheckpointEveryEpochs = 2, ResumeFromCheckpoint = resume,
    };

    private static string TempDirectory() => Directory.CreateTempSubdirectory("mlnetmlp-cnn-ckpt-").FullName;

    internal static void AssertBitIdentical(CnnModelParameters expected, CnnModelParameters actual)
    {
        Assert.AreEqual(expected.LayersText, actual.LayersText);
        Assert.IsTrue(MemoryMarshal.AsBytes<float>(expected.Network.Parameters).SequenceEqual(MemoryMarshal.AsBytes<float>(actual.Network.Parameters)), "parameters differ");
        Assert.IsTrue(MemoryMarshal.AsBytes<float>(expected.Network.Buffers).SequenceEqual(MemoryMarshal.AsBytes<float>(actual.Network.Buffers)), "running statistics differ");
        CollectionAssert.AreEqual(expected.History.Select(r => r with { Elapsed = default }).ToList(), actual.History.Select(r => r with { Elapsed = default }).ToList());
    }

    /// <summary>Runs Fit and cancels it right after <paramref name="stopAfterEpoch"/> (the checkpoint of that epoch is on disk by then).</summary>
    private static void Interrupt(CnnTrainer.Options options, int stopAfterEpoch)
    {
        using var cancel = new CancellationTokenSource();
        var trainer = new CnnTrainer(new MLContext(1), options);
        trainer.EpochCompleted += (_, e) => { if (e.Epoch == stopAfterEpoch) cancel.Cancel(); };
        Assert.ThrowsExactly<OperationCanceledException>(() => trainer.Fit(Data, null, null, cancel.Token));
    }

    [TestMethod]
    [DataRow(0)]
    [DataRow(50)]
    public void InterruptedAndResumedRunEndsWithBitIdenticalParameters(int shuffleBuffer)
    {
        var straight = new CnnTrainer(new MLContext(1), Options(shuffleBuffer: shuffleBuffer)).Fit(Data).Model;
        string directory = TempDirectory();
        try
        {
            Interrupt(Options(directory, shuffleBuffer: shuffleBuffer), stopAfterEpoch: 2);
            var checkpoint = TrainingCheckpoint.Load(TrainingCheckpoint.PathIn(directory));
            Assert.AreEqual(2, checkpoint.EpochsDone);
            Assert.IsGreaterThan(0, checkpoint.OptimizerStep);

            var resumedTrainer = new CnnTrainer(new MLContext(1), Options(directory, resume: true, shuffleBuffer: shuffleBuffer));
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
        CnnTrainer.Options Constant(string? directory, bool resume, int epochs)
        {
            var options = Options(directory, resume, epochs);
            options.LearningRateSchedule = LearningRateSchedule.Constant;
            return options;
        }
        var straight = new CnnTrainer(new MLContext(1), Constant(null, false, 4)).Fit(Data).Model;
        string directory = TempDirectory();
        try
        {
            Assert.HasCount(2, new CnnTrainer(new MLContext(1), Constant(directory, false, 2)).Fit(Data).Model.History);
            AssertBitIdentical(straight, new CnnTrainer(new MLContext(1), Constant(directory, true, 4)).Fit(Data).Model);

            // Resuming a finished run trains nothing and returns the same model.
            var again = new CnnTrainer(new MLContext(1), Constant(directory, true, 4));
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
            var options = Options(directory, epochs: 4);
            options.CheckpointEveryEpochs = 3;
            var seen = new List<int>();
            var trainer = new CnnTrainer(new MLContext(1), options);
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
            var fresh = new CnnTrainer(new MLContext(1), Options(epochs: 2)).Fit(Data).Model;
            var resumed = new CnnTrainer(new MLContext(1), Options(directory, resume: true, epochs: 2)).Fit(Data).Model;
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
            new CnnTrainer(new MLContext(1), Options(directory, epochs: 2)).Fit(Data);
            string path = TrainingCheckpoint.PathIn(directory);
            byte[] good = File.ReadAllBytes(path);

            void Expect(byte[] bytes, string problem, CnnTrainer.Options? options = null)
            {
                File.WriteAllBytes(path, bytes);
                var trainer = new CnnTrainer(new MLContext(1), options ?? Options(directory, resume: true));
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

            // An MLP checkpoint is another training's (one format serves every network: the network's description tells them apart).
            string mlpDirectory = Path.Combine(directory, "mlp");
            new MlpTrainer(new MLContext(1), new MlpTrainer.Options { HiddenLayers = [4], Epochs = 1, Seed = 9, CheckpointDirectory = mlpDirectory }).Fit(Data);
            Expect(File.ReadAllBytes(TrainingCheckpoint.PathIn(mlpDirectory)), "belongs to another training: its network is 64-4-3");

            // A valid checkpoint of another training.
            var otherNetwork = Options(directory, resume: true);
            otherNetwork.Layers = "conv4,relu,pool,flatten";
            Expect(good, "network", otherNetwork);
            var otherBatch = Options(directory, resume: true);
            otherBatch.BatchSize = 16;
            Expect(good, "batch size", otherBatch);
            var otherSeed = Options(directory, resume: true);
            otherSeed.Seed = 10;
            Expect(good, "seed", otherSeed);
            var fewerEpochs = Options(directory, resume: true, epochs: 1);
            Expect(good, "epochs", fewerEpochs);

            // The intact file still resumes.
            File.WriteAllBytes(path, good);
            Assert.HasCount(4, new CnnTrainer(new MLContext(1), Options(directory, resume: true)).Fit(Data).Model.History);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [TestMethod]
    public void CheckpointOptionsAreValidatedByName()
    {
        void Expect(string name, Action<CnnTrainer.Options> change)
        {
            var options = new CnnTrainer.Options();
            change(options);
            var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => CnnTrainer.Validate(options));
            Assert.AreEqual(name, e.ParamName);
            StringAssert.Contains(e.Message, $"CnnTrainer.Options.{name}");
        }
        Expect(nameof(CnnTrainer.Options.CheckpointEveryEpochs), o => { o.CheckpointDirectory = "x"; o.CheckpointEveryEpochs = 0; });
        Expect(nameof(CnnTrainer.Options.CheckpointDirectory), o => o.ResumeFromCheckpoint = true);
        Expect(nameof(CnnTrainer.Options.CheckpointDirectory), o => o.CheckpointDirectory = " ");
    }
}
