using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MlNetMlp.Cnn;
using MlNetMlp.Data;
using MlNetMlp.Numerics;
using MlNetMlp.Study;
using MlNetMlp.Tests.Study;

namespace MlNetMlp.Tests.Hardening;

/// <summary>
/// Training that would silently give a wrong result, and option combinations that would be accepted without a word
/// (issue 15): an exploding but finite loss is divergence, a one-class predictor is warned about, a checkpoint only
/// resumes the data and options that wrote it, and Fit refuses combinations it cannot honour, for the MLP and the CNN.
/// </summary>
[TestClass]
public sealed class TrainingSafetyTests
{
    private static readonly IDataView Data = new SyntheticDataView(rows: 600, features: 8, classes: 3, seed: 2, spread: 0.8f);

    // 8×8 images (64 values) for the CNN.
    private static readonly IDataView Images = new SyntheticDataView(rows: 240, features: 64, classes: 3, seed: 2, spread: 0.8f);

    private static MlpTrainer.Options Mlp(int epochs = 2) => new()
    {
        HiddenLayers = [8], Epochs = epochs, BatchSize = 50, LearningRate = 0.01f, Seed = 3, NumberOfThreads = 1, MonitoringSubsetSize = 200,
    };

    private static CnnTrainer.Options Cnn(int epochs = 2) => new()
    {
        ImageColumnName = "Features", PixelScale = 1, Layers = "conv4,relu,pool,flatten", Epochs = epochs, BatchSize = 40,
        LearningRate = 0.01f, Seed = 3, NumberOfThreads = 1, MonitoringSubsetSize = 100,
    };

    private static string TempDirectory() => Directory.CreateTempSubdirectory("mlnetmlp-safety-").FullName;

    /// <summary>Rows with a string label turned into a key, as a user's pipeline does.</summary>
    private sealed class Row
    {
        public string Label { get; set; } = "";

        [VectorType(8)]
        public float[] Features { get; set; } = [];
    }

    private static IDataView Rows(MLContext ml, IEnumerable<string> labels, int seed = 1)
    {
        var random = new Random(seed);
        var rows = labels.Select(label => new Row { Label = label, Features = Enumerable.Range(0, 8).Select(_ => (float)random.NextDouble()).ToArray() }).ToList();
        var view = ml.Data.LoadFromEnumerable(rows);
        return ml.Transforms.Conversion.MapValueToKey("Label").Fit(view).Transform(view);
    }

    // The same labels as Data and Images (a row's label is a hash of (seed, row)) with other feature values: what another
    // normalization upstream does to the data.
    private static readonly IDataView OtherData = new SyntheticDataView(rows: 600, features: 8, classes: 3, seed: 2, spread: 0.5f);
    private static readonly IDataView OtherImages = new SyntheticDataView(rows: 240, features: 64, classes: 3, seed: 2, spread: 0.5f);

    private sealed class ImageRow
    {
        [VectorType(64)]
        public float[] Features { get; set; } = [];
    }

    // ---- 1. An exploding but finite loss is divergence.

    // Tanh hidden units saturate, so the loss stays finite while plain SGD at 10^5 throws the output layer's weights
    // to ~10^5: the run ends with a loss of ~10^5 and chance accuracy, which used to be a "successful" training.
    private static MlpTrainer.Options Exploding(DivergenceAction action) => new()
    {
        HiddenLayers = [16], Activation = MlpActivation.Tanh, Optimizer = Optimizer.Sgd, LearningRate = 1e5f, Epochs = 3, BatchSize = 50,
        Seed = 3, NumberOfThreads = 1, OnDivergence = action,
    };

    [TestMethod]
    public void AnExplodingFiniteLossIsDivergence()
    {
        var e = Assert.ThrowsExactly<TrainingDivergedException>(() => new MlpTrainer(new MLContext(1), Exploding(DivergenceAction.Stop)).Fit(Data));
        Assert.IsTrue(double.IsFinite(e.Loss), $"the loss {e.Loss} is finite but far above the starting loss");
        StringAssert.Contains(e.Message, "times the starting loss");
        StringAssert.Contains(e.Message, "Lower the learning rate");
    }

    [TestMethod]
    public void AnExplodingLossUnderKeepBestKeepsAFinishedEpochOrThrows()
    {
        var trainer = new MlpTrainer(new MLContext(1), Exploding(DivergenceAction.KeepBest));
        TrainingDivergedException? reported = null;
        trainer.TrainingDiverged += (_, e) => reported = e;
        try
        {
            var model = trainer.Fit(Data).Model;
            Assert.IsNotNull(reported, "the explosion was reported");
            Assert.HasCount(reported.Epoch - 1, model.History);
        }
        catch (TrainingDivergedException e)
        {
            Assert.AreEqual(1, e.Epoch, "KeepBest throws only when no epoch finished");
        }
    }

    [TestMethod]
    public void TheCnnTreatsAnExplodingLossAsDivergence()
    {
        var options = Cnn(epochs: 3);
        options.LearningRate = 1e4f; // Adam moves every weight by ~10^4 a step: logits of ~10^8, a finite loss of the same size
        var e = Assert.ThrowsExactly<TrainingDivergedException>(() => new CnnTrainer(new MLContext(1), options).Fit(Images));
        Assert.IsTrue(double.IsFinite(e.Loss), $"the loss {e.Loss} is finite");
    }

    [TestMethod]
    public void ASweepRecordsAnExplodingTrialAsDivergedAndNeverPicksIt()
    {
        var train = StudyTestData.Images(60);
        var protocol = new SweepProtocol(2, 1, train.Count);
        var exploding = new MlpTrialConfig
        {
            HiddenLayers = [16], Activation = MlpActivation.Tanh, Optimizer = Optimizer.Sgd, LearningRate = 1e5f, Epochs = 3, BatchSize = 10,
        };
        var result = SweepRunner.CrossValidate(train, exploding, protocol, threads: 1);
        Assert.AreEqual(SweepTrialStatus.Diverged, result.Status, result.Error);
        Assert.IsNull(result.MeanAccuracy);
        Assert.IsNull(SweepRunner.Best([result], protocol));
    }

    // ---- 2. A model that predicts one class for every row is warned about.

    [TestMethod]
    public void AOneClassMlpIsWarnedAboutThroughTheLogAndTheModel()
    {
        var ml = new MLContext(1);
        var warnings = new List<string>();
        ml.Log += (_, e) => { if (e.Kind == ChannelMessageKind.Warning) lock (warnings) warnings.Add(e.Message); };
        // λ·lr = 0.5: every step halves the weights, so only the biases are left and every row gets the same class.
        var options = Mlp(epochs: 3);
        options.Optimizer = Optimizer.Sgd;
        options.LearningRate = 0.1f;
        options.L2Regularization = 5f;
        var model = new MlpTrainer(ml, options).Fit(Data).Model;

        Assert.HasCount(1, model.TrainingWarnings);
        StringAssert.Contains(model.TrainingWarnings[0], "predicts class");
        Assert.IsTrue(warnings.Any(w => w.Contains(model.TrainingWarnings[0])), string.Join(" | ", warnings));

        // A model that learned the clusters is not warned about.
        Assert.IsEmpty(new MlpTrainer(new MLContext(1), Mlp(epochs: 5)).Fit(Data).Model.TrainingWarnings);
    }

    [TestMethod]
    public void AOneClassCnnIsWarnedAbout()
    {
        // No batch norm and pixels of ~1000: every image's activations are the same up to 0.1 %, so is its class.
        var ml = new MLContext(1);
        var shifted = ml.Transforms.CustomMapping<ImageRow, ImageRow>((input, output) => output.Features = input.Features.Select(v => v + 1000f).ToArray(),
            contractName: null).Fit(Images).Transform(Images);
        var options = Cnn(epochs: 1);
        options.LearningRate = 1e-7f;
        var model = new CnnTrainer(ml, options).Fit(shifted).Model;
        Assert.HasCount(1, model.TrainingWarnings);
        StringAssert.Contains(model.TrainingWarnings[0], "predicts class");

        Assert.IsEmpty(new CnnTrainer(new MLContext(1), Cnn(epochs: 3)).Fit(Images).Model.TrainingWarnings);
    }

    // ---- 3. A checkpoint resumes only the data and options that wrote it.

    [TestMethod]
    [DataRow(0)]
    [DataRow(50)]
    public void ResumingOnOtherDataIsRefusedNamingTheCheckpoint(int shuffleBuffer)
    {
        string directory = TempDirectory();
        try
        {
            var options = Mlp(epochs: 2);
            options.ShuffleBufferSize = shuffleBuffer;
            options.CheckpointDirectory = directory;
            new MlpTrainer(new MLContext(1), options).Fit(Data);

            options.Epochs = 4;
            options.ResumeFromCheckpoint = true;
            var e = Assert.ThrowsExactly<InvalidDataException>(() => new MlpTrainer(new MLContext(1), options).Fit(OtherData));
            StringAssert.Contains(e.Message, TrainingCheckpoint.PathIn(directory));
            StringAssert.Contains(e.Message, "training data");

            // The same data still resumes.
            Assert.HasCount(4, new MlpTrainer(new MLContext(1), options).Fit(Data).Model.History);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [TestMethod]
    public void ResumingWithOtherTrainingOptionsIsRefusedNamingTheOption()
    {
        string directory = TempDirectory();
        try
        {
            var options = Mlp(epochs: 2);
            options.CheckpointDirectory = directory;
            new MlpTrainer(new MLContext(1), options).Fit(Data);

            options.Epochs = 4;
            options.ResumeFromCheckpoint = true;
            options.Dropout = 0.3f;
            var e = Assert.ThrowsExactly<InvalidDataException>(() => new MlpTrainer(new MLContext(1), options).Fit(Data));
            StringAssert.Contains(e.Message, TrainingCheckpoint.PathIn(directory));
            StringAssert.Contains(e.Message, "option Dropout is 0,");
            StringAssert.Contains(e.Message, "0.3");

            options.Dropout = 0;
            options.Shuffle = false;
            e = Assert.ThrowsExactly<InvalidDataException>(() => new MlpTrainer(new MLContext(1), options).Fit(Data));
            StringAssert.Contains(e.Message, "Shuffle");

            // A lower learning rate or more L2 is how a run that began to diverge is continued (README): still allowed.
            options.Shuffle = true;
            options.LearningRate = 0.001f;
            options.L2Regularization = 1e-3f;
            Assert.HasCount(4, new MlpTrainer(new MLContext(1), options).Fit(Data).Model.History);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [TestMethod]
    public void TheCnnResumesOnlyItsOwnDataAndOptions()
    {
        string directory = TempDirectory();
        try
        {
            var options = Cnn(epochs: 1);
            options.CheckpointDirectory = directory;
            new CnnTrainer(new MLContext(1), options).Fit(Images);

            options.Epochs = 2;
            options.ResumeFromCheckpoint = true;
            var e = Assert.ThrowsExactly<InvalidDataException>(() => new CnnTrainer(new MLContext(1), options).Fit(OtherImages));
            StringAssert.Contains(e.Message, TrainingCheckpoint.PathIn(directory));
            StringAssert.Contains(e.Message, "training data");

            options.RandomHorizontalFlip = true;
            e = Assert.ThrowsExactly<InvalidDataException>(() => new CnnTrainer(new MLContext(1), options).Fit(Images));
            StringAssert.Contains(e.Message, "RandomHorizontalFlip");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [TestMethod]
    public void ACheckpointOfTheEarlierFormatIsRefusedAsSuch()
    {
        string directory = TempDirectory();
        try
        {
            var options = Mlp(epochs: 1);
            options.CheckpointDirectory = directory;
            new MlpTrainer(new MLContext(1), options).Fit(Data);
            var cnn = Cnn(epochs: 1);
            cnn.CheckpointDirectory = directory;
            new CnnTrainer(new MLContext(1), cnn).Fit(Images);

            // Version 1 recorded neither the data nor these options: it is named, not misread.
            foreach (string path in new[] { TrainingCheckpoint.PathIn(directory), TrainingCheckpoint.PathIn(directory) })
            {
                byte[] bytes = File.ReadAllBytes(path);
                BitConverter.GetBytes(1).CopyTo(bytes, 8); // the version follows the 8 magic bytes
                File.WriteAllBytes(path, bytes);
            }
            options.Epochs = cnn.Epochs = 2;
            options.ResumeFromCheckpoint = cnn.ResumeFromCheckpoint = true;
            var e = Assert.ThrowsExactly<InvalidDataException>(() => new MlpTrainer(new MLContext(1), options).Fit(Data));
            StringAssert.Contains(e.Message, TrainingCheckpoint.PathIn(directory));
            StringAssert.Contains(e.Message, "earlier release");
            e = Assert.ThrowsExactly<InvalidDataException>(() => new CnnTrainer(new MLContext(1), cnn).Fit(Images));
            StringAssert.Contains(e.Message, TrainingCheckpoint.PathIn(directory));
            StringAssert.Contains(e.Message, "earlier release");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    // ---- 4. Combinations Fit cannot honour are refused before training.

    [TestMethod]
    public void EarlyStoppingWithoutValidationDataIsRefused()
    {
        var options = Mlp();
        options.EarlyStopping = true;
        var trainer = new MlpTrainer(new MLContext(1), options);
        int epochs = 0;
        trainer.EpochCompleted += (_, _) => epochs++;
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => trainer.Fit(Data));
        Assert.AreEqual(nameof(MlpTrainer.Options.EarlyStopping), e.ParamName);
        StringAssert.Contains(e.Message, nameof(MlpTrainer.Options.ValidationFraction));
        Assert.AreEqual(0, epochs, "refused before training");

        // With a validation set or a hold-out it trains.
        Assert.IsNotEmpty(trainer.Fit(Data, Data).Model.History);
        options.ValidationFraction = 0.2f;
        Assert.IsNotEmpty(new MlpTrainer(new MLContext(1), options).Fit(Data).Model.History);
    }

    [TestMethod]
    [DataRow(Optimizer.Adam)]
    [DataRow(Optimizer.Sgd)]
    public void NesterovWithoutTheMomentumOptimizerIsRefused(Optimizer optimizer)
    {
        var options = Mlp();
        options.Optimizer = optimizer;
        options.Nesterov = true;
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new MlpTrainer(new MLContext(1), options));
        Assert.AreEqual(nameof(MlpTrainer.Options.Nesterov), e.ParamName);
        StringAssert.Contains(e.Message, optimizer.ToString());
        options.Optimizer = Optimizer.Momentum;
        MlpTrainer.Validate(options);
    }

    [TestMethod]
    public void AWarmStartWithOtherLayersOrActivationIsRefusedNamingBothValues()
    {
        var initial = new MlpTrainer(new MLContext(1), Mlp()).Fit(Data).Model;

        var options = Mlp();
        options.HiddenLayers = [16, 4];
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new MlpTrainer(new MLContext(1), options).Fit(Data, initial));
        Assert.AreEqual(nameof(MlpTrainer.Options.HiddenLayers), e.ParamName);
        StringAssert.Contains(e.Message, "[8]");
        StringAssert.Contains(e.Message, "[16, 4]");

        options = Mlp();
        options.Activation = MlpActivation.Tanh;
        e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new MlpTrainer(new MLContext(1), options).Fit(Data, initial));
        Assert.AreEqual(nameof(MlpTrainer.Options.Activation), e.ParamName);
        StringAssert.Contains(e.Message, "LeakyRelu");
        StringAssert.Contains(e.Message, "Tanh");

        // The same architecture continues.
        Assert.HasCount(4, new MlpTrainer(new MLContext(1), Mlp()).Fit(Data, initial).Model.History);
    }

    [TestMethod]
    public void ACnnWarmStartWithOtherLayersIsRefused()
    {
        var initial = new CnnTrainer(new MLContext(1), Cnn(epochs: 1)).Fit(Images).Model;
        var options = Cnn(epochs: 1);
        options.Layers = "conv8,relu,pool,flatten";
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new CnnTrainer(new MLContext(1), options).Fit(Images, initial));
        Assert.AreEqual(nameof(CnnTrainer.Options.Layers), e.ParamName);
        StringAssert.Contains(e.Message, "conv4");
        StringAssert.Contains(e.Message, "conv8");

        options = Cnn(epochs: 1);
        options.PixelScale = 0.5f;
        e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new CnnTrainer(new MLContext(1), options).Fit(Images, initial));
        Assert.AreEqual(nameof(CnnTrainer.Options.PixelScale), e.ParamName);
    }

    [TestMethod]
    public void AValidationSetWithOtherClassNamesIsRefused()
    {
        var ml = new MLContext(1);
        var train = Rows(ml, Enumerable.Range(0, 60).Select(i => "abc"[i % 3].ToString()));
        var validation = Rows(ml, Enumerable.Range(0, 30).Select(i => "xyz"[i % 3].ToString()), seed: 2);
        var e = Assert.ThrowsExactly<ArgumentException>(() => new MlpTrainer(ml, Mlp()).Fit(train, validation));
        Assert.AreEqual("validationData", e.ParamName);
        StringAssert.Contains(e.Message, "x");
        StringAssert.Contains(e.Message, "a");

        var options = Cnn(epochs: 1);
        options.ImageHeight = 2;
        options.ImageWidth = 4;
        options.Layers = "";
        e = Assert.ThrowsExactly<ArgumentException>(() => new CnnTrainer(ml, options).Fit(train, validation, null, CancellationToken.None));
        Assert.AreEqual("validationData", e.ParamName);
    }

    [TestMethod]
    public void TrainingDataOfOneClassIsRefusedNamingTheLabelColumn()
    {
        var ml = new MLContext(1);
        var oneClass = Rows(ml, Enumerable.Repeat("only", 40));
        var e = Assert.ThrowsExactly<ArgumentException>(() => new MlpTrainer(ml, Mlp()).Fit(oneClass));
        StringAssert.Contains(e.Message, "'Label'");
        StringAssert.Contains(e.Message, "one class");

        var options = Cnn(epochs: 1);
        options.ImageHeight = 2;
        options.ImageWidth = 4;
        options.Layers = "";
        e = Assert.ThrowsExactly<ArgumentException>(() => new CnnTrainer(ml, options).Fit(oneClass));
        StringAssert.Contains(e.Message, "'Label'");
    }

    [TestMethod]
    public void AValidationFractionThatLeavesFewerTrainingRowsThanClassesIsRefused()
    {
        var options = Mlp();
        options.ValidationFraction = 0.9999f;
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new MlpTrainer(new MLContext(1), options).Fit(Data));
        Assert.AreEqual(nameof(MlpTrainer.Options.ValidationFraction), e.ParamName);
        StringAssert.Contains(e.Message, "600");
        StringAssert.Contains(e.Message, "1 ");

        var cnn = Cnn(epochs: 1);
        cnn.ValidationFraction = 0.9999f;
        e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new CnnTrainer(new MLContext(1), cnn).Fit(Images));
        Assert.AreEqual(nameof(CnnTrainer.Options.ValidationFraction), e.ParamName);
    }
}
