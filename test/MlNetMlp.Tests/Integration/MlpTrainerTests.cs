using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetMlp.Tests.Integration;

[TestClass]
public sealed class MlpTrainerTests
{
    internal sealed class Row
    {
        public string Label { get; set; } = "";

        [VectorType(Synthetic.FeatureCount)]
        public float[] Features { get; set; } = [];
    }

    internal sealed class Prediction
    {
        public float[] Score { get; set; } = [];

        public string PredictedLabel { get; set; } = "";
    }

    /// <summary>Gaussian clusters around well-separated centers: a problem an MLP must solve almost perfectly.</summary>
    internal static class Synthetic
    {
        public const int FeatureCount = 12;
        public static readonly string[] Classes = ["cat", "dog", "emu", "fox"];

        public static Row[] Make(int rows, int seed)
        {
            var random = new Random(seed);
            var centers = new Random(1234);
            var means = Classes.Select(_ => Enumerable.Range(0, FeatureCount).Select(_ => (float)(centers.NextDouble() * 6 - 3)).ToArray()).ToArray();
            return Enumerable.Range(0, rows).Select(_ =>
            {
                int c = random.Next(Classes.Length);
                return new Row
                {
                    Label = Classes[c],
                    Features = means[c].Select(m => m + (float)(random.NextDouble() - 0.5)).ToArray(),
                };
            }).ToArray();
        }
    }

    private static MlpTrainer.Options SmallOptions(int epochs = 15) => new()
    {
        HiddenLayers = [16],
        Epochs = epochs,
        BatchSize = 32,
        LearningRate = 0.01f,
        Seed = 7,
        NumberOfThreads = 1,
    };

    private static EstimatorChain<MulticlassNetworkTransformer<MlpModelParameters>> Pipeline(MLContext ml, MlpTrainer trainer) =>
        ml.Transforms.Conversion.MapValueToKey("Label").Append(trainer);

    [TestMethod]
    public void SeparableClustersReachNinetyNinePercentThroughMlNetEvaluate()
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(Synthetic.Make(2000, 1));
        var test = ml.Data.LoadFromEnumerable(Synthetic.Make(500, 2));
        var model = Pipeline(ml, new MlpTrainer(ml, SmallOptions())).Fit(train);
        var metrics = ml.MulticlassClassification.Evaluate(model.Transform(test));
        Assert.IsGreaterThanOrEqualTo(0.99, metrics.MicroAccuracy, $"micro-accuracy {metrics.MicroAccuracy}");
        Assert.IsLessThan(0.1, metrics.LogLoss);
        Assert.AreEqual(4, metrics.ConfusionMatrix.NumberOfClasses);
    }

    [TestMethod]
    public void OutputColumnsCarryClassNamesAndMapBackToLabels()
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(Synthetic.Make(1000, 1));
        var model = Pipeline(ml, ml.MulticlassClassification.Trainers.Mlp(SmallOptions()))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"))
            .Fit(train);
        var testRows = Synthetic.Make(200, 3);
        var scored = model.Transform(ml.Data.LoadFromEnumerable(testRows));

        var score = scored.Schema["Score"];
        Assert.AreEqual(4, ((VectorDataViewType)score.Type).Size);
        var slotNames = default(VBuffer<ReadOnlyMemory<char>>);
        score.GetSlotNames(ref slotNames);
        var label = train.Schema["Label"];
        // MapValueToKey assigns keys in order of first appearance; slot names must follow the keys.
        var keyOrder = ml.Transforms.Conversion.MapValueToKey("Label").Fit(train).Transform(train).Schema["Label"];
        var keyValues = default(VBuffer<ReadOnlyMemory<char>>);
        keyOrder.GetKeyValues(ref keyValues);
        CollectionAssert.AreEqual(keyValues.DenseValues().Select(v => v.ToString()).ToArray(), slotNames.DenseValues().Select(v => v.ToString()).ToArray());
        Assert.AreEqual(TextDataViewType.Instance, scored.Schema["PredictedLabel"].Type);

        var predictedNames = scored.GetColumn<string>("PredictedLabel").ToArray();
        var truth = testRows.Select(r => r.Label).ToArray();
        Assert.IsGreaterThan(0.97, predictedNames.Zip(truth).Count(p => p.First == p.Second) / (double)truth.Length);
        foreach (var probabilities in scored.GetColumn<float[]>("Score"))
            Assert.AreEqual(1.0, probabilities.Sum(), 1e-5);

        var engine = ml.Model.CreatePredictionEngine<Row, Prediction>(model);
        var rows = Synthetic.Make(50, 4);
        var cursorScores = model.Transform(ml.Data.LoadFromEnumerable(rows)).GetColumn<float[]>("Score").ToArray();
        for (int i = 0; i < rows.Length; i++)
        {
            var prediction = engine.Predict(rows[i]);
            CollectionAssert.AreEqual(cursorScores[i], prediction.Score);
            Assert.AreEqual(slotNames.GetValues()[Array.IndexOf(cursorScores[i], cursorScores[i].Max())].ToString(), prediction.PredictedLabel);
        }
    }

    [TestMethod]
    public void SameSeedGivesTheSameModelAndADifferentSeedDoesNot()
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Transforms.Conversion.MapValueToKey("Label").Fit(ml.Data.LoadFromEnumerable(Synthetic.Make(600, 1)))
            .Transform(ml.Data.LoadFromEnumerable(Synthetic.Make(600, 1)));
        var a = new MlpTrainer(ml, SmallOptions(3)).Fit(train).Model;
        var b = new MlpTrainer(ml, SmallOptions(3)).Fit(train).Model;
        var options = SmallOptions(3);
        options.Seed = 8;
        var c = new MlpTrainer(ml, options).Fit(train).Model;
        CollectionAssert.AreEqual(a.GetWeights(0), b.GetWeights(0));
        CollectionAssert.AreEqual(a.GetWeights(1), b.GetWeights(1));
        CollectionAssert.AreNotEqual(a.GetWeights(0), c.GetWeights(0));
    }

    [TestMethod]
    public void HistoryEventsAndWarmStartContinueTheEpochCount()
    {
        var ml = new MLContext(seed: 1);
        var raw = ml.Data.LoadFromEnumerable(Synthetic.Make(600, 1));
        var train = ml.Transforms.Conversion.MapValueToKey("Label").Fit(raw).Transform(raw);
        var options = SmallOptions(4);
        options.ValidationFraction = 0.2f;
        var trainer = new MlpTrainer(ml, options);
        var events = new List<EpochRecord>();
        trainer.EpochCompleted += (_, e) => events.Add(e);
        var first = trainer.Fit(train).Model;
        Assert.AreEqual(4, events.Count);
        CollectionAssert.AreEqual(events, first.History.ToList());
        Assert.IsTrue(first.History.All(e => e.ValidationAccuracy is >= 0 and <= 1 && e.TrainLoss > 0));

        var second = new MlpTrainer(ml, SmallOptions(2)).Fit(train, first).Model;
        CollectionAssert.AreEqual(new[] { 1, 2, 3, 4, 5, 6 }, second.History.Select(e => e.Epoch).ToArray());
        CollectionAssert.AreNotEqual(first.GetWeights(0), second.GetWeights(0));
    }

    [TestMethod]
    public void SaveLoadInTheSameProcessKeepsTypeAndScores()
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(Synthetic.Make(500, 1));
        var model = Pipeline(ml, new MlpTrainer(ml, SmallOptions(3))).Fit(train);
        var test = ml.Data.LoadFromEnumerable(Synthetic.Make(100, 5));
        var expected = model.Transform(test).GetColumn<float[]>("Score").ToArray();

        var path = Path.Combine(Path.GetTempPath(), $"mlnetmlp-inproc-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.Save(model, train.Schema, path);
            var loaded = (TransformerChain<ITransformer>)new MLContext().Model.Load(path, out _);
            var mlp = (MulticlassNetworkTransformer<MlpModelParameters>)loaded.LastTransformer;
            Assert.AreEqual(model.LastTransformer.Model.History.Count, mlp.Model.History.Count);
            CollectionAssert.AreEqual(new[] { 16 }, mlp.Model.HiddenLayers.ToArray());
            var actual = loaded.Transform(test).GetColumn<float[]>("Score").ToArray();
            for (int i = 0; i < expected.Length; i++) CollectionAssert.AreEqual(expected[i], actual[i]);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void SaveInProcessLoadInAChildProcessScoresIdentically()
    {
        var ml = new MLContext(seed: 1);
        var rows = Synthetic.Make(400, 1);
        var train = ml.Data.LoadFromEnumerable(rows);
        var model = Pipeline(ml, new MlpTrainer(ml, SmallOptions(3))).Fit(train);
        var test = Synthetic.Make(64, 6);
        var scored = model.Transform(ml.Data.LoadFromEnumerable(test));
        var expectedScores = scored.GetColumn<float[]>("Score").ToArray();
        var expectedLabels = scored.GetColumn<uint>("PredictedLabel").ToArray();

        var dir = Directory.CreateTempSubdirectory("mlnetmlp-child-").FullName;
        try
        {
            var modelPath = Path.Combine(dir, "model.zip");
            ModelFile.Save(ml, model, train.Schema, modelPath);
            using (var writer = new BinaryWriter(File.Create(Path.Combine(dir, "features.bin"))))
            {
                writer.Write(test.Length);
                writer.Write(Synthetic.FeatureCount);
                foreach (var row in test) foreach (var v in row.Features) writer.Write(v);
            }

            var child = Path.Combine(AppContext.BaseDirectory, "MlNetMlp.ChildProcess.dll");
            var start = new ProcessStartInfo("dotnet", [child, modelPath, Path.Combine(dir, "features.bin"), Path.Combine(dir, "scores.bin")])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var process = Process.Start(start)!;
            string stdout = process.StandardOutput.ReadToEnd(), stderr = process.StandardError.ReadToEnd();
            Assert.IsTrue(process.WaitForExit(120_000), "child process timed out");
            Assert.AreEqual(0, process.ExitCode, $"child failed: {stdout} {stderr}");

            using var reader = new BinaryReader(File.OpenRead(Path.Combine(dir, "scores.bin")));
            Assert.AreEqual(test.Length, reader.ReadInt32());
            int classes = reader.ReadInt32();
            Assert.AreEqual(4, classes);
            for (int i = 0; i < test.Length; i++)
            {
                var cursorScores = Enumerable.Range(0, classes).Select(_ => reader.ReadSingle()).ToArray();
                uint label = reader.ReadUInt32();
                var engineScores = Enumerable.Range(0, classes).Select(_ => reader.ReadSingle()).ToArray();
                CollectionAssert.AreEqual(expectedScores[i], cursorScores, $"row {i} (cursor)");
                CollectionAssert.AreEqual(expectedScores[i], engineScores, $"row {i} (PredictionEngine)");
                Assert.AreEqual(expectedLabels[i], label, $"row {i} PredictedLabel");
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void SoftmaxRegressionHasNoHiddenLayer()
    {
        var ml = new MLContext(seed: 1);
        var options = SmallOptions(10);
        options.HiddenLayers = [];
        var model = Pipeline(ml, new MlpTrainer(ml, options)).Fit(ml.Data.LoadFromEnumerable(Synthetic.Make(800, 1)));
        var metrics = ml.MulticlassClassification.Evaluate(model.Transform(ml.Data.LoadFromEnumerable(Synthetic.Make(300, 2))));
        Assert.AreEqual(1, model.LastTransformer.Model.LinearLayerCount);
        Assert.IsGreaterThan(0.95, metrics.MicroAccuracy);
    }

    [TestMethod]
    public void SchemaProblemsNameTheColumn()
    {
        var ml = new MLContext(seed: 1);
        var raw = ml.Data.LoadFromEnumerable(Synthetic.Make(100, 1));
        var notKey = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new MlpTrainer(ml, SmallOptions(1)).Fit(raw));
        StringAssert.Contains(notKey.Message, "'Label'");
        StringAssert.Contains(notKey.Message, "MapValueToKey");

        var keyed = ml.Transforms.Conversion.MapValueToKey("Label").Fit(raw).Transform(raw);
        var options = SmallOptions(1);
        options.FeatureColumnName = "Pixels";
        var missing = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new MlpTrainer(ml, options).Fit(keyed));
        StringAssert.Contains(missing.Message, "'Pixels'");

        var model = new MlpTrainer(ml, SmallOptions(1)).Fit(keyed);
        var definition = SchemaDefinition.Create(typeof(NarrowRow));
        definition["Features"].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 3);
        var wrongSize = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => model.Transform(ml.Data.LoadFromEnumerable(new[] { new NarrowRow() }, definition)));
        StringAssert.Contains(wrongSize.Message, "'Features'");
        StringAssert.Contains(wrongSize.Message, "12");
    }

    internal sealed class NarrowRow
    {
        public float[] Features { get; set; } = new float[3];
    }

    [TestMethod]
    public void NonFiniteFeaturesAreRejectedWithRowAndSlot()
    {
        var ml = new MLContext(seed: 1);
        var rows = Synthetic.Make(50, 1);
        rows[17].Features[3] = float.NaN;
        var data = ml.Transforms.Conversion.MapValueToKey("Label").Fit(ml.Data.LoadFromEnumerable(rows)).Transform(ml.Data.LoadFromEnumerable(rows));
        var error = Assert.ThrowsExactly<InvalidDataException>(() => new MlpTrainer(ml, SmallOptions(1)).Fit(data));
        StringAssert.Contains(error.Message, "row 17");
        StringAssert.Contains(error.Message, "slot 3");
        StringAssert.Contains(error.Message, "'Features'");
    }

    [TestMethod]
    public void EveryInvalidOptionIsNamed()
    {
        var ml = new MLContext(seed: 1);
        var cases = new (string name, Action<MlpTrainer.Options> breakIt)[]
        {
            (nameof(MlpTrainer.Options.Epochs), o => o.Epochs = 0),
            (nameof(MlpTrainer.Options.BatchSize), o => o.BatchSize = 0),
            (nameof(MlpTrainer.Options.BatchSize), o => o.BatchSize = -5),
            (nameof(MlpTrainer.Options.LearningRate), o => o.LearningRate = 0),
            (nameof(MlpTrainer.Options.LearningRate), o => o.LearningRate = float.NaN),
            (nameof(MlpTrainer.Options.L2Regularization), o => o.L2Regularization = -1e-4f),
            (nameof(MlpTrainer.Options.HiddenLayers), o => o.HiddenLayers = [128, 0]),
            (nameof(MlpTrainer.Options.HiddenLayers), o => o.HiddenLayers = [-3]),
            (nameof(MlpTrainer.Options.Dropout), o => o.Dropout = 1),
            (nameof(MlpTrainer.Options.Momentum), o => o.Momentum = 1.5f),
            (nameof(MlpTrainer.Options.Beta1), o => o.Beta1 = 1),
            (nameof(MlpTrainer.Options.Beta2), o => o.Beta2 = -0.1f),
            (nameof(MlpTrainer.Options.Epsilon), o => o.Epsilon = 0),
            (nameof(MlpTrainer.Options.ValidationFraction), o => o.ValidationFraction = 1),
            (nameof(MlpTrainer.Options.LeakyReluSlope), o => o.LeakyReluSlope = -0.1f),
            (nameof(MlpTrainer.Options.EluAlpha), o => o.EluAlpha = 0),
            (nameof(MlpTrainer.Options.NumberOfThreads), o => o.NumberOfThreads = 0),
            (nameof(MlpTrainer.Options.Activation), o => o.Activation = (MlpActivation)99),
            (nameof(MlpTrainer.Options.LearningRateDecay), o => o.LearningRateDecay = 0),
            (nameof(MlpTrainer.Options.EarlyStoppingPatience), o => o.EarlyStoppingPatience = 0),
            (nameof(MlpTrainer.Options.MonitoringSubsetSize), o => o.MonitoringSubsetSize = -1),
            (nameof(MlpTrainer.Options.LabelColumnName), o => o.LabelColumnName = ""),
        };
        foreach (var (name, breakIt) in cases)
        {
            var options = new MlpTrainer.Options();
            breakIt(options);
            var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new MlpTrainer(ml, options), name);
            Assert.AreEqual(name, error.ParamName);
            StringAssert.Contains(error.Message, name);
        }
    }
}
