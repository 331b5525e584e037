using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetMlp.Tests.Data;

namespace MlNetMlp.Tests.Tasks;

/// <summary>
/// What the multiclass trainers are tested for, for the binary and regression heads of both networks: learning, save/load,
/// determinism, bit-exact resume from a checkpoint, warm start, streaming, example weights, and the output columns.
/// </summary>
[TestClass]
public sealed class TaskTrainerTests
{
    private const int FeatureCount = 16; // 4×4 images for the CNN

    private sealed class Row
    {
        [VectorType(FeatureCount)] public float[] Features { get; set; } = [];
        public bool Positive { get; set; }
        public float Target { get; set; }
        public float Weight { get; set; } = 1;
    }

    /// <summary>Rows whose label depends on two features: positive when x₀ + x₁ > 0; target 40·(x₀ − 2x₁) + 150 (a scale far from 1).</summary>
    private static Row[] Rows(int count, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ =>
        {
            float[] x = [.. Enumerable.Range(0, FeatureCount).Select(_ => 2 * random.NextSingle() - 1)];
            return new Row { Features = x, Positive = x[0] + x[1] > 0, Target = 40 * (x[0] - 2 * x[1]) + 150 + 2 * (random.NextSingle() - 0.5f) };
        })];
    }

    public static IEnumerable<object[]> Trainers => [["Mlp", "Binary"], ["Mlp", "Regression"], ["Cnn", "Binary"], ["Cnn", "Regression"]];

    private static NetworkTrainerOptions Options(string network, string task, int epochs = 8)
    {
        NetworkTrainerOptions options = network == "Mlp"
            ? new MlpTrainer.Options { HiddenLayers = [16], FeatureColumnName = "Features" }
            : new CnnTrainer.Options { Layers = "conv4,relu,flatten,dense16,relu", ImageColumnName = "Features", PixelScale = 1 };
        options.LabelColumnName = task == "Binary" ? "Positive" : "Target";
        options.Epochs = epochs;
        options.BatchSize = 20;
        options.LearningRate = 0.01f;
        options.Seed = 7;
        options.NumberOfThreads = 2;
        return options;
    }

    private static IEstimator<ITransformer> Trainer(MLContext mlContext, string network, string task, NetworkTrainerOptions options) => (network, task) switch
    {
        ("Mlp", "Binary") => mlContext.BinaryClassification.Trainers.Mlp((MlpTrainer.Options)options),
        ("Mlp", _) => mlContext.Regression.Trainers.Mlp((MlpTrainer.Options)options),
        ("Cnn", "Binary") => mlContext.BinaryClassification.Trainers.Cnn((CnnTrainer.Options)options),
        _ => mlContext.Regression.Trainers.Cnn((CnnTrainer.Options)options),
    };

    private static ITransformer Fit(string network, string task, NetworkTrainerOptions options, IEnumerable<Row>? rows = null, object? initialModel = null)
    {
        var mlContext = new MLContext(1);
        var data = mlContext.Data.LoadFromEnumerable(rows ?? Rows(300, 1));
        var trainer = Trainer(mlContext, network, task, options);
        if (initialModel is null) return trainer.Fit(data);
        // Warm start through the typed Fit(trainData, initialModel).
        return (ITransformer)trainer.GetType().GetMethod("Fit", [typeof(IDataView), initialModel.GetType()])!.Invoke(trainer, [data, initialModel])!;
    }

    private static float[] Scores(ITransformer model, string column = "Score")
    {
        var mlContext = new MLContext(1);
        var scored = model.Transform(mlContext.Data.LoadFromEnumerable(Rows(100, 2)));
        return [.. scored.GetColumn<float>(column)];
    }

    /// <summary>The saved model's zip entries (names and contents, in order): the zip's own timestamps say when, not what.</summary>
    private static byte[] Bytes(ITransformer model)
    {
        var mlContext = new MLContext(1);
        using var stream = new MemoryStream();
        mlContext.Model.Save(model, mlContext.Data.LoadFromEnumerable(Rows(1, 3)).Schema, stream);
        stream.Position = 0;
        using var zip = new System.IO.Compression.ZipArchive(stream, System.IO.Compression.ZipArchiveMode.Read);
        using var content = new MemoryStream();
        foreach (var entry in zip.Entries)
        {
            content.Write(System.Text.Encoding.UTF8.GetBytes(entry.FullName));
            using var data = entry.Open();
            data.CopyTo(content);
        }
        return content.ToArray();
    }

    private static ITransformer Load(byte[] modelFile)
    {
        using var stream = new MemoryStream(modelFile);
        return new MLContext(1).Model.Load(stream, out _);
    }

    [TestMethod]
    [DynamicData(nameof(Trainers))]
    public void LearnsSavesLoadsAndScoresTheSame(string network, string task)
    {
        var model = Fit(network, task, Options(network, task));
        var mlContext = new MLContext(1);
        var test = model.Transform(mlContext.Data.LoadFromEnumerable(Rows(200, 2)));
        if (task == "Binary")
        {
            var metrics = mlContext.BinaryClassification.Evaluate(test, "Positive");
            Assert.IsGreaterThan(0.95, metrics.AreaUnderRocCurve, $"AUC {metrics.AreaUnderRocCurve}");
        }
        else
        {
            var metrics = mlContext.Regression.Evaluate(test, "Target");
            Assert.IsGreaterThan(0.8, metrics.RSquared, $"R² {metrics.RSquared}: the standardized target is fitted and the scale restored");
        }

        using var saved = new MemoryStream();
        mlContext.Model.Save(model, mlContext.Data.LoadFromEnumerable(Rows(1, 3)).Schema, saved);
        var loaded = Load(saved.ToArray());
        CollectionAssert.AreEqual(Scores(model), Scores(loaded));
        if (task == "Binary") CollectionAssert.AreEqual(Scores(model, "Probability"), Scores(loaded, "Probability"));
    }

    [TestMethod]
    [DynamicData(nameof(Trainers))]
    public void TheSameSeedGivesTheSameModelBytes(string network, string task) =>
        CollectionAssert.AreEqual(Bytes(Fit(network, task, Options(network, task, epochs: 3))), Bytes(Fit(network, task, Options(network, task, epochs: 3))));

    [TestMethod]
    [DynamicData(nameof(Trainers))]
    public void AResumedRunEndsBitIdenticalToAnUninterruptedOne(string network, string task)
    {
        using var straight = new TempDirectory();
        var options = Options(network, task, epochs: 4);
        options.CheckpointDirectory = straight.Path;
        byte[] expected = Bytes(Fit(network, task, options));

        using var interrupted = new TempDirectory();
        options.CheckpointDirectory = interrupted.Path;
        options.Epochs = 2; // the run is cut after two epochs...
        Fit(network, task, options);
        options.Epochs = 4; // ...and resumed for the other two
        options.ResumeFromCheckpoint = true;
        CollectionAssert.AreEqual(expected, Bytes(Fit(network, task, options)));
    }

    [TestMethod]
    [DynamicData(nameof(Trainers))]
    public void AWarmStartContinuesTheInitialModel(string network, string task)
    {
        var first = (ISingleFeaturePredictionTransformer<NetworkModelParameters>)Fit(network, task, Options(network, task, epochs: 2));
        var second = (ISingleFeaturePredictionTransformer<NetworkModelParameters>)Fit(network, task, Options(network, task, epochs: 3), initialModel: first.Model);
        CollectionAssert.AreEqual(new[] { 1, 2, 3, 4, 5 }, second.Model.History.Select(r => r.Epoch).ToArray());
        Assert.IsLessThan(first.Model.History[^1].TrainLoss, second.Model.History[^1].TrainLoss);
    }

    [TestMethod]
    [DynamicData(nameof(Trainers))]
    public void StreamingThroughAShuffleBufferTrains(string network, string task)
    {
        var options = Options(network, task);
        options.ShuffleBufferSize = 64;
        var model = (ISingleFeaturePredictionTransformer<NetworkModelParameters>)Fit(network, task, options);
        Assert.IsLessThan(model.Model.History[0].TrainLoss * 0.7, model.Model.History[^1].TrainLoss, "the loss falls");
    }

    /// <summary>Integer example weights train exactly as repeating the rows would (one full batch per epoch, no shuffling).</summary>
    [TestMethod]
    [DynamicData(nameof(Trainers))]
    public void AWeightOfTwoIsTheRowTwice(string network, string task)
    {
        var rows = Rows(60, 4);
        for (int i = 0; i < rows.Length; i += 3) rows[i].Weight = 2;
        var repeated = rows.SelectMany(r => Enumerable.Repeat(new Row { Features = r.Features, Positive = r.Positive, Target = r.Target }, (int)r.Weight)).ToArray();
        NetworkTrainerOptions Full()
        {
            var options = Options(network, task, epochs: 5);
            options.BatchSize = 100;
            options.Shuffle = false;
            options.Optimizer = Optimizer.Sgd;
            options.LearningRate = 0.1f;
            options.NumberOfThreads = 1;
            return options;
        }
        var weightedOptions = Full();
        weightedOptions.ExampleWeightColumnName = "Weight";
        float[] weighted = Scores(Fit(network, task, weightedOptions, rows)), twice = Scores(Fit(network, task, Full(), repeated));
        for (int i = 0; i < weighted.Length; i++)
            Assert.AreEqual(twice[i], weighted[i], 1e-4 * Math.Max(1, Math.Abs(twice[i])), $"row {i}");
        CollectionAssert.AreNotEqual(Scores(Fit(network, task, Full(), rows)), weighted, "the weights change the model");
    }

    [TestMethod]
    public void BinaryAndRegressionAppendTheColumnsOfTheirMlNetTask()
    {
        var mlContext = new MLContext(1);
        var schema = Fit("Mlp", "Binary", Options("Mlp", "Binary", epochs: 1)).GetOutputSchema(mlContext.Data.LoadFromEnumerable(Rows(1, 3)).Schema);
        Assert.AreEqual(NumberDataViewType.Single, schema["Score"].Type);
        Assert.AreEqual(NumberDataViewType.Single, schema["Probability"].Type);
        Assert.AreEqual(BooleanDataViewType.Instance, schema["PredictedLabel"].Type);
        schema = Fit("Mlp", "Regression", Options("Mlp", "Regression", epochs: 1)).GetOutputSchema(mlContext.Data.LoadFromEnumerable(Rows(1, 3)).Schema);
        Assert.AreEqual(NumberDataViewType.Single, schema["Score"].Type);
        Assert.IsNull(schema.GetColumnOrNull("PredictedLabel"));
    }

    [TestMethod]
    public void LabelsOfTheWrongTypeAreRefusedNamingTheColumn()
    {
        var mlContext = new MLContext(1);
        var data = mlContext.Data.LoadFromEnumerable(Rows(10, 1));
        var binary = Options("Mlp", "Binary");
        binary.LabelColumnName = "Target";
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => mlContext.BinaryClassification.Trainers.Mlp((MlpTrainer.Options)binary).Fit(data));
        StringAssert.Contains(e.Message, "The label column 'Target' of a binary classifier must be Boolean");
        var regression = Options("Mlp", "Regression");
        regression.LabelColumnName = "Positive";
        e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => mlContext.Regression.Trainers.Mlp((MlpTrainer.Options)regression).Fit(data));
        StringAssert.Contains(e.Message, "The label column 'Positive' of a regression must be Single");
        var constant = Rows(30, 1).Select(r => { r.Target = 5; return r; });
        var ex = Assert.ThrowsExactly<ArgumentException>(() => mlContext.Regression.Trainers.Mlp((MlpTrainer.Options)Options("Mlp", "Regression"))
            .Fit(mlContext.Data.LoadFromEnumerable(constant)));
        StringAssert.Contains(ex.Message, "is the same (5) in all 30 training rows");
    }
}
