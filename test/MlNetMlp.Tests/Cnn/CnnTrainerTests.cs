using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetMlp.Cnn;

namespace MlNetMlp.Tests.Cnn;

[TestClass]
public sealed class CnnTrainerTests
{
    internal sealed class ImageRow
    {
        public string Label { get; set; } = "";

        [VectorType(Shapes.Side, Shapes.Side)]
        public float[] Image { get; set; } = [];
    }

    internal sealed class Prediction
    {
        public float[] Score { get; set; } = [];

        public string PredictedLabel { get; set; } = "";
    }

    /// <summary>
    /// 12×12 images of one of four strokes at a random place, on a noisy background, pixels 0..255: a horizontal bar,
    /// a vertical bar, a plus and a diagonal cross. Position varies, so the network has to find the pattern.
    /// </summary>
    internal static class Shapes
    {
        public const int Side = 12;
        public static readonly string[] Classes = ["hbar", "vbar", "plus", "cross"];

        public static ImageRow[] Make(int rows, int seed)
        {
            var random = new Random(seed);
            var result = new ImageRow[rows];
            for (int n = 0; n < rows; n++)
            {
                int c = random.Next(Classes.Length);
                var image = new float[Side * Side];
                for (int i = 0; i < image.Length; i++) image[i] = random.Next(60);
                int cy = random.Next(3, Side - 3), cx = random.Next(3, Side - 3);
                void Set(int y, int x) => image[y * Side + x] = 200 + random.Next(56);
                for (int d = -3; d <= 3; d++)
                {
                    if (c == 0 || c == 2) Set(cy, cx + d);
                    if (c == 1 || c == 2) Set(cy + d, cx);
                    if (c == 3) { Set(cy + d, cx + d); Set(cy + d, cx - d); }
                }
                result[n] = new ImageRow { Label = Classes[c], Image = image };
            }
            return result;
        }
    }

    internal const string SmallLayers = "conv8,bn,relu,pool,conv16,bn,relu,pool,flatten,dense32,relu,drop0.25";

    internal static CnnTrainer.Options SmallOptions(int epochs = 8) => new()
    {
        Layers = SmallLayers,
        Epochs = epochs,
        BatchSize = 32,
        LearningRate = 3e-3f,
        Seed = 11,
        NumberOfThreads = 2,
        MonitoringSubsetSize = 200,
    };

    private static IDataView Keyed(MLContext ml, IDataView data) => ml.Transforms.Conversion.MapValueToKey("Label").Fit(data).Transform(data);

    [TestMethod]
    public void BarsAndCrossesAreLearnedToNinetyFivePercentThroughMlNetEvaluate()
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(Shapes.Make(1600, 1));
        var test = ml.Data.LoadFromEnumerable(Shapes.Make(400, 2));
        var epochs = new List<EpochRecord>();
        var trainer = ml.MulticlassClassification.Trainers.Cnn(SmallOptions());
        trainer.EpochCompleted += (_, record) => epochs.Add(record);
        var model = ml.Transforms.Conversion.MapValueToKey("Label").Append(trainer).Fit(train);
        var metrics = ml.MulticlassClassification.Evaluate(model.Transform(test));
        Assert.IsGreaterThanOrEqualTo(0.95, metrics.MicroAccuracy, $"micro-accuracy {metrics.MicroAccuracy}");
        Assert.AreEqual(4, metrics.ConfusionMatrix.NumberOfClasses);
        Assert.HasCount(8, epochs);
        CollectionAssert.AreEqual(epochs, model.LastTransformer.Model.History.ToArray());
        CollectionAssert.AreEqual(Enumerable.Range(1, 8).ToArray(), epochs.Select(e => e.Epoch).ToArray());
        Assert.IsLessThan(epochs[0].TrainLoss, epochs[^1].TrainLoss, "the training loss falls");
    }

    [TestMethod]
    public void ScoresCarryClassNamesAndPredictionEngineAgreesWithBatchScoring()
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(Shapes.Make(600, 3));
        var model = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.Cnn(SmallOptions(epochs: 3)))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"))
            .Fit(train);
        var rows = Shapes.Make(150, 4);
        var scored = model.Transform(ml.Data.LoadFromEnumerable(rows));

        var score = scored.Schema["Score"];
        Assert.AreEqual(4, ((VectorDataViewType)score.Type).Size);
        var slotNames = default(VBuffer<ReadOnlyMemory<char>>);
        score.GetSlotNames(ref slotNames);
        var keyValues = default(VBuffer<ReadOnlyMemory<char>>);
        ml.Transforms.Conversion.MapValueToKey("Label").Fit(train).Transform(train).Schema["Label"].GetKeyValues(ref keyValues);
        CollectionAssert.AreEqual(keyValues.DenseValues().Select(v => v.ToString()).ToArray(), slotNames.DenseValues().Select(v => v.ToString()).ToArray());
        Assert.AreEqual(TextDataViewType.Instance, scored.Schema["PredictedLabel"].Type);

        var batchScores = scored.GetColumn<float[]>("Score").ToArray();
        var batchLabels = scored.GetColumn<string>("PredictedLabel").ToArray();
        var engine = ml.Model.CreatePredictionEngine<ImageRow, Prediction>(model);
        for (int i = 0; i < rows.Length; i++)
        {
            var prediction = engine.Predict(rows[i]);
            CollectionAssert.AreEqual(batchScores[i], prediction.Score, $"row {i}: one row alone scores as in a block");
            Assert.AreEqual(batchLabels[i], prediction.PredictedLabel);
            Assert.AreEqual(1.0, prediction.Score.Sum(), 1e-5);
            Assert.AreEqual(slotNames.GetValues()[Array.IndexOf(prediction.Score, prediction.Score.Max())].ToString(), prediction.PredictedLabel);
        }
        var model1 = ((IEnumerable<ITransformer>)model).OfType<MulticlassNetworkTransformer<CnnModelParameters>>().Single().Model;
        CollectionAssert.AreEqual(batchScores[0], model1.PredictProbabilities(rows[0].Image));
    }

    [TestMethod]
    public void SavedModelLoadsAndScoresIdentically()
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(Shapes.Make(400, 5));
        var options = SmallOptions(epochs: 2);
        options.ValidationFraction = 0.2f;
        var model = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.MulticlassClassification.Trainers.Cnn(options)).Fit(train);
        var test = ml.Data.LoadFromEnumerable(Shapes.Make(100, 6));
        var before = model.Transform(test);

        string path = Path.Combine(Path.GetTempPath(), $"mlnetmlp-cnn-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.Save(model, train.Schema, path);
            var loaded = new MLContext(seed: 2).Model.Load(path, out var schema);
            Assert.AreEqual(train.Schema.Count, schema.Count);
            var after = loaded.Transform(test);
            var a = before.GetColumn<float[]>("Score").ToArray();
            var b = after.GetColumn<float[]>("Score").ToArray();
            for (int i = 0; i < a.Length; i++)
                CollectionAssert.AreEqual(a[i], b[i], $"row {i}");
            CollectionAssert.AreEqual(before.GetColumn<uint>("PredictedLabel").ToArray(), after.GetColumn<uint>("PredictedLabel").ToArray());

            var original = model.LastTransformer;
            var restored = ((IEnumerable<ITransformer>)loaded).OfType<MulticlassNetworkTransformer<CnnModelParameters>>().Single();
            CollectionAssert.AreEqual(original.ClassNames!.ToArray(), restored.ClassNames!.ToArray());
            Assert.AreEqual(original.Model.LayersText, restored.Model.LayersText);
            // Everything but the wall time, which is not saved (it would make model files irreproducible).
            CollectionAssert.AreEqual(original.Model.History.Select(r => r with { Elapsed = default }).ToArray(), restored.Model.History.ToArray());
            Assert.IsNotNull(restored.Model.History[0].ValidationAccuracy);
            foreach (var name in original.Model.ParameterNames.Concat(original.Model.BufferNames))
                CollectionAssert.AreEqual(original.Model.GetTensor(name), restored.Model.GetTensor(name), name);
            Assert.AreEqual(original.Model.PixelScale, restored.Model.PixelScale);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void SameSeedAndThreadsGiveTheSameModelAndAnotherSeedDoesNot()
    {
        var ml = new MLContext(seed: 1);
        var train = Keyed(ml, ml.Data.LoadFromEnumerable(Shapes.Make(300, 7)));
        float[] Train(int seed, int threads)
        {
            var options = SmallOptions(epochs: 2);
            options.Seed = seed;
            options.NumberOfThreads = threads;
            var m = new CnnTrainer(ml, options).Fit(train).Model;
            return m.ParameterNames.SelectMany(m.GetTensor).Concat(m.BufferNames.SelectMany(m.GetTensor)).ToArray();
        }
        CollectionAssert.AreEqual(Train(3, 2), Train(3, 2));
        CollectionAssert.AreEqual(Train(3, 1), Train(3, 1));
        CollectionAssert.AreNotEqual(Train(3, 2), Train(4, 2));
    }

    [TestMethod]
    public void WarmStartContinuesTheHistory()
    {
        var ml = new MLContext(seed: 1);
        var train = Keyed(ml, ml.Data.LoadFromEnumerable(Shapes.Make(300, 8)));
        var trainer = new CnnTrainer(ml, SmallOptions(epochs: 1));
        var first = trainer.Fit(train).Model;
        var second = trainer.Fit(train, first).Model;
        CollectionAssert.AreEqual(new[] { 1, 2 }, second.History.Select(e => e.Epoch).ToArray());
        Assert.AreEqual(first.History[0], second.History[0]);
        CollectionAssert.AreNotEqual(first.GetTensor("conv1.weight"), second.GetTensor("conv1.weight"));
    }

    [TestMethod]
    public void CancellationStopsTraining()
    {
        var ml = new MLContext(seed: 1);
        var train = Keyed(ml, ml.Data.LoadFromEnumerable(Shapes.Make(300, 9)));
        using var cancel = new CancellationTokenSource();
        var trainer = new CnnTrainer(ml, SmallOptions(epochs: 50));
        trainer.EpochCompleted += (_, record) => { if (record.Epoch == 1) cancel.Cancel(); };
        Assert.ThrowsExactly<OperationCanceledException>(() => trainer.Fit(train, cancel.Token));
    }

    [TestMethod]
    public void MonitoringStopsOnCancellation()
    {
        // The end-of-epoch measurement is the longest stretch without a mini-batch: it checks the token too.
        var network = new CnnNetwork(new TensorShape(1, Shapes.Side, Shapes.Side), CnnLayerSpec.ParseList(SmallLayers), 4, 1f / 255);
        network.Initialize(new Random(1));
        var rows = Shapes.Make(100, 12);
        var data = new MlNetMlp.Training.TrainingSet(rows.SelectMany(r => r.Image).ToArray(), rows.Select(r => Array.IndexOf(Shapes.Classes, r.Label)).ToArray(), Shapes.Side * Shapes.Side);
        using var engine = new CnnEngine(network, threads: 2, maxBatchRows: 32);
        Assert.IsTrue(double.IsFinite(engine.Evaluate(data, null).Loss));
        Assert.ThrowsExactly<OperationCanceledException>(() => engine.Evaluate(data, null, new CancellationToken(canceled: true)));
    }

    [TestMethod]
    public void TheImageShapeComesFromTheColumnOrTheOptions()
    {
        var ml = new MLContext(seed: 1);
        var column = (DataViewSchema.Column)ml.Data.LoadFromEnumerable(Shapes.Make(1, 1)).Schema["Image"];
        Assert.AreEqual(new TensorShape(1, 12, 12), MlNetMlp.Cnn.CnnDefinition.ImageShape(column, new CnnTrainer.Options(), "data"));

        var flat = new DataViewSchema.Builder();
        flat.AddColumn("Image", new VectorDataViewType(NumberDataViewType.Single, 784));
        flat.AddColumn("Rect", new VectorDataViewType(NumberDataViewType.Single, 600));
        flat.AddColumn("Rgb", new VectorDataViewType(NumberDataViewType.Single, 3, 8, 10));
        var schema = flat.ToSchema();
        Assert.AreEqual(new TensorShape(1, 28, 28), MlNetMlp.Cnn.CnnDefinition.ImageShape(schema["Image"], new CnnTrainer.Options(), "data"));
        Assert.AreEqual(new TensorShape(3, 8, 10), MlNetMlp.Cnn.CnnDefinition.ImageShape(schema["Rgb"], new CnnTrainer.Options(), "data"));
        Assert.AreEqual(new TensorShape(1, 20, 30), MlNetMlp.Cnn.CnnDefinition.ImageShape(schema["Rect"], new CnnTrainer.Options { ImageHeight = 20 }, "data"));
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => MlNetMlp.Cnn.CnnDefinition.ImageShape(schema["Rect"], new CnnTrainer.Options(), "data"));
        Assert.AreEqual(nameof(CnnTrainer.Options.ImageHeight), e.ParamName);
        e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => MlNetMlp.Cnn.CnnDefinition.ImageShape(schema["Rect"], new CnnTrainer.Options { ImageHeight = 7, ImageWidth = 7 }, "data"));
        Assert.AreEqual(nameof(CnnTrainer.Options.ImageHeight), e.ParamName);
    }

    [TestMethod]
    public void MultiChannelImagesTrain()
    {
        var ml = new MLContext(seed: 1);
        var rows = Shapes.Make(200, 10).Select(r => new TwoChannelRow { Label = r.Label, Image = r.Image.Concat(r.Image.Select(v => 255 - v)).ToArray() }).ToArray();
        var data = ml.Data.LoadFromEnumerable(rows);
        var model = new CnnTrainer(ml, SmallOptions(epochs: 1)).Fit(Keyed(ml, data)).Model;
        Assert.AreEqual(2, model.ImageChannels);
        CollectionAssert.AreEqual(new[] { 8, 2, 3, 3 }, model.GetTensorShape("conv1.weight").ToArray());
    }

    internal sealed class TwoChannelRow
    {
        public string Label { get; set; } = "";

        [VectorType(2, Shapes.Side, Shapes.Side)]
        public float[] Image { get; set; } = [];
    }

    [TestMethod]
    [DataRow(nameof(CnnTrainer.Options.LabelColumnName))]
    [DataRow(nameof(CnnTrainer.Options.ImageColumnName))]
    [DataRow(nameof(CnnTrainer.Options.ImageHeight))]
    [DataRow(nameof(CnnTrainer.Options.ImageWidth))]
    [DataRow(nameof(CnnTrainer.Options.Layers))]
    [DataRow(nameof(CnnTrainer.Options.PixelScale))]
    [DataRow(nameof(CnnTrainer.Options.Epochs))]
    [DataRow(nameof(CnnTrainer.Options.BatchSize))]
    [DataRow(nameof(CnnTrainer.Options.LearningRate))]
    [DataRow(nameof(CnnTrainer.Options.LearningRateSchedule))]
    [DataRow(nameof(CnnTrainer.Options.LearningRateDecay))]
    [DataRow(nameof(CnnTrainer.Options.LearningRateStepEpochs))]
    [DataRow(nameof(CnnTrainer.Options.MinLearningRate))]
    [DataRow(nameof(CnnTrainer.Options.Beta1))]
    [DataRow(nameof(CnnTrainer.Options.Beta2))]
    [DataRow(nameof(CnnTrainer.Options.Epsilon))]
    [DataRow(nameof(CnnTrainer.Options.L2Regularization))]
    [DataRow(nameof(CnnTrainer.Options.ValidationFraction))]
    [DataRow(nameof(CnnTrainer.Options.MonitoringSubsetSize))]
    [DataRow(nameof(CnnTrainer.Options.NumberOfThreads))]
    [DataRow(nameof(CnnTrainer.Options.RandomShift))]
    public void InvalidOptionsAreRejectedByName(string option)
    {
        var options = new CnnTrainer.Options();
        switch (option)
        {
            case nameof(CnnTrainer.Options.LabelColumnName): options.LabelColumnName = " "; break;
            case nameof(CnnTrainer.Options.ImageColumnName): options.ImageColumnName = ""; break;
            case nameof(CnnTrainer.Options.ImageHeight): options.ImageHeight = 0; break;
            case nameof(CnnTrainer.Options.ImageWidth): options.ImageWidth = -3; break;
            case nameof(CnnTrainer.Options.Layers): options.Layers = "conv32,bn,swish"; break;
            case nameof(CnnTrainer.Options.PixelScale): options.PixelScale = float.NaN; break;
            case nameof(CnnTrainer.Options.Epochs): options.Epochs = 0; break;
            case nameof(CnnTrainer.Options.BatchSize): options.BatchSize = 0; break;
            case nameof(CnnTrainer.Options.LearningRate): options.LearningRate = -1; break;
            case nameof(CnnTrainer.Options.LearningRateSchedule): options.LearningRateSchedule = (LearningRateSchedule)99; break;
            case nameof(CnnTrainer.Options.LearningRateDecay): options.LearningRateDecay = 0; break;
            case nameof(CnnTrainer.Options.LearningRateStepEpochs): options.LearningRateStepEpochs = 0; break;
            case nameof(CnnTrainer.Options.MinLearningRate): options.MinLearningRate = 1; break;
            case nameof(CnnTrainer.Options.Beta1): options.Beta1 = 1; break;
            case nameof(CnnTrainer.Options.Beta2): options.Beta2 = -0.1f; break;
            case nameof(CnnTrainer.Options.Epsilon): options.Epsilon = 0; break;
            case nameof(CnnTrainer.Options.L2Regularization): options.L2Regularization = -1e-4f; break;
            case nameof(CnnTrainer.Options.ValidationFraction): options.ValidationFraction = 1; break;
            case nameof(CnnTrainer.Options.MonitoringSubsetSize): options.MonitoringSubsetSize = -1; break;
            case nameof(CnnTrainer.Options.NumberOfThreads): options.NumberOfThreads = 0; break;
            case nameof(CnnTrainer.Options.RandomShift): options.RandomShift = -1; break;
        }
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new MLContext().MulticlassClassification.Trainers.Cnn(options));
        Assert.AreEqual(option, e.ParamName);
        Assert.Contains(option, e.Message);
    }

    [TestMethod]
    public void LayersThatDoNotFitTheImageAreRejectedByName()
    {
        var options = new CnnTrainer.Options { ImageHeight = 8, ImageWidth = 8, Layers = "conv8,pool,pool,pool,pool" };
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new CnnTrainer(new MLContext(), options));
        Assert.AreEqual(nameof(CnnTrainer.Options.Layers), e.ParamName);

        // Without a known size the check happens at Fit, against the column.
        var ml = new MLContext(seed: 1);
        var train = Keyed(ml, ml.Data.LoadFromEnumerable(Shapes.Make(50, 1)));
        var trainer = new CnnTrainer(ml, new CnnTrainer.Options { Layers = "conv8k5valid,conv8k5valid,conv8k5valid", Epochs = 1 });
        e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => trainer.Fit(train));
        Assert.AreEqual(nameof(CnnTrainer.Options.Layers), e.ParamName);
    }

    [TestMethod]
    public void MissingOrWrongColumnsAreReported()
    {
        var ml = new MLContext(seed: 1);
        var raw = ml.Data.LoadFromEnumerable(Shapes.Make(20, 1));
        var trainer = new CnnTrainer(ml, SmallOptions(1));
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => trainer.Fit(raw));
        Assert.Contains("key type", e.Message);
        var renamed = new CnnTrainer(ml, new CnnTrainer.Options { ImageColumnName = "Pixels", Epochs = 1 });
        e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => renamed.Fit(Keyed(ml, raw)));
        Assert.Contains("Pixels", e.Message);
    }
}
