using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetMlp.Scoring;
using static MlNetMlp.Tests.Scoring.TaskModels;

namespace MlNetMlp.Tests.Scoring;

/// <summary>
/// <see cref="BinaryNetworkTransformer{TModel}"/> over an MLP and a CNN with random weights: the columns and annotations
/// ML.NET's binary tools expect, Evaluate's metrics equal to ones computed here from the same columns, PredictionEngine,
/// block scoring and save/load (in memory and in another process) all giving the network's own logit, to the bit.
/// </summary>
[TestClass]
public sealed class BinaryNetworkTransformerTests
{
    [TestMethod]
    [DataRow("mlp")]
    [DataRow("cnn")]
    public void AppendsScoreProbabilityAndPredictedLabelAnnotatedAsMlNetBinaryScorers(string network)
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(BinaryRows(Model(network, 1), 10, 2));
        var schema = Binary(Model(network, 1)).GetOutputSchema(data.Schema);

        Assert.AreEqual(NumberDataViewType.Single, schema["Score"].Type);
        Assert.AreEqual(NumberDataViewType.Single, schema["Probability"].Type);
        Assert.AreEqual(BooleanDataViewType.Instance, schema["PredictedLabel"].Type);
        foreach (var (column, kind) in new[] { ("Score", "Score"), ("Probability", "Probability"), ("PredictedLabel", "PredictedLabel") })
        {
            Assert.AreEqual("BinaryClassification", Annotation(schema[column], "ScoreColumnKind"), column);
            Assert.AreEqual(kind, Annotation(schema[column], "ScoreValueKind"), column);
        }
        bool normalized = false;
        schema["Probability"].Annotations.GetValue("IsNormalized", ref normalized);
        Assert.IsTrue(normalized, "Probability is normalized, as ML.NET's calibrated scorers mark it");
    }

    [TestMethod]
    [DataRow("mlp")]
    [DataRow("cnn")]
    public void ColumnsAreTheLogitItsSigmoidAndItsSignForEveryRowOfABlockOrAlone(string network)
    {
        var ml = new MLContext(seed: 1);
        var model = Model(network, 3);
        var rows = BinaryRows(model, 700, 4); // several blocks per lane and a short last block
        var data = ml.Data.LoadFromEnumerable(rows);
        var scored = Binary(model).Transform(data);
        float[] score = scored.GetColumn<float>("Score").ToArray(), probability = scored.GetColumn<float>("Probability").ToArray();
        bool[] predicted = scored.GetColumn<bool>("PredictedLabel").ToArray();
        float[] logits = Outputs(model, rows.Select(r => r.Features).ToArray());
        var engine = ml.Model.CreatePredictionEngine<BinaryRow, BinaryPrediction>(Binary(model));
        for (int i = 0; i < rows.Length; i++)
        {
            Assert.AreEqual(logits[i], score[i], $"row {i}: Score is the network's logit, the same bits in a block as alone");
            Assert.AreEqual(BinaryScoring.Sigmoid(logits[i]), probability[i], $"row {i}: Probability");
            Assert.AreEqual(logits[i] > 0, predicted[i], $"row {i}: PredictedLabel");
            var one = engine.Predict(rows[i]);
            Assert.AreEqual(score[i], one.Score, $"row {i}: PredictionEngine Score");
            Assert.AreEqual(probability[i], one.Probability, $"row {i}: PredictionEngine Probability");
            Assert.AreEqual(predicted[i], one.PredictedLabel, $"row {i}: PredictionEngine PredictedLabel");
        }
        Assert.IsTrue(predicted.Any(p => p) && predicted.Any(p => !p), "both classes are predicted");
    }

    [TestMethod]
    [DataRow("mlp")]
    [DataRow("cnn")]
    public void BinaryClassificationEvaluateReadsTheColumns(string network)
    {
        var ml = new MLContext(seed: 1);
        var model = Model(network, 5);
        var rows = BinaryRows(model, 400, 6);
        var scored = Binary(model).Transform(ml.Data.LoadFromEnumerable(rows));
        var metrics = ml.BinaryClassification.Evaluate(scored);

        float[] score = scored.GetColumn<float>("Score").ToArray();
        bool[] predicted = scored.GetColumn<bool>("PredictedLabel").ToArray();
        double accuracy = rows.Select((r, i) => r.Label == predicted[i] ? 1.0 : 0.0).Average();
        Assert.AreEqual(accuracy, metrics.Accuracy, 1e-12, "accuracy of PredictedLabel");
        // AUC by counting pairs: the share of (positive, negative) pairs the score orders correctly.
        var positives = score.Where((_, i) => rows[i].Label).ToArray();
        var negatives = score.Where((_, i) => !rows[i].Label).ToArray();
        double auc = positives.Sum(p => negatives.Sum(n => p > n ? 1.0 : p == n ? 0.5 : 0.0)) / ((double)positives.Length * negatives.Length);
        Assert.AreEqual(auc, metrics.AreaUnderRocCurve, 1e-9, "AUC of Score");
        Assert.IsTrue(metrics.AreaUnderRocCurve is > 0.75 and < 1, $"labels follow the logits with every seventh flipped: AUC {metrics.AreaUnderRocCurve}");
        Assert.IsTrue(double.IsFinite(metrics.LogLoss) && metrics.LogLoss > 0, "log-loss comes from Probability");
        Assert.IsTrue(metrics.F1Score is > 0 and < 1);
    }

    [TestMethod]
    [DataRow("mlp")]
    [DataRow("cnn")]
    public void SavedAndLoadedInMemoryItIsTheSameTransformerScoringTheSameBits(string network)
    {
        var ml = new MLContext(seed: 1);
        var model = Model(network, 7);
        var data = ml.Data.LoadFromEnumerable(BinaryRows(model, 300, 8));
        var original = Binary(model);
        var loaded = SaveAndLoad(ml, original, data.Schema);

        Assert.AreEqual(original.GetType(), loaded.GetType(), "BinaryNetworkTransformer of the same network");
        var (before, after) = (original.Transform(data), loaded.Transform(data));
        CollectionAssert.AreEqual(before.GetColumn<float>("Score").ToArray(), after.GetColumn<float>("Score").ToArray());
        CollectionAssert.AreEqual(before.GetColumn<float>("Probability").ToArray(), after.GetColumn<float>("Probability").ToArray());
        CollectionAssert.AreEqual(before.GetColumn<bool>("PredictedLabel").ToArray(), after.GetColumn<bool>("PredictedLabel").ToArray());
        Assert.AreEqual(((ISingleFeaturePredictionTransformer<NetworkModelParameters>)original).Model.ParameterCount,
            ((ISingleFeaturePredictionTransformer<NetworkModelParameters>)loaded).Model.ParameterCount);
    }

    [TestMethod]
    [DataRow("mlp")]
    [DataRow("cnn")]
    public void SavedHereAndLoadedInAnotherProcessItScoresTheSameBits(string network)
    {
        var ml = new MLContext(seed: 1);
        var model = Model(network, 9);
        var rows = BinaryRows(model, 64, 10);
        var data = ml.Data.LoadFromEnumerable(rows);
        var transformer = Binary(model);
        var scored = transformer.Transform(data);
        float[] score = scored.GetColumn<float>("Score").ToArray(), probability = scored.GetColumn<float>("Probability").ToArray();
        bool[] predicted = scored.GetColumn<bool>("PredictedLabel").ToArray();

        var directory = Directory.CreateTempSubdirectory("mlnetmlp-binary-child-").FullName;
        try
        {
            string path = Path.Combine(directory, "model.zip");
            ModelFile.Save(ml, transformer, data.Schema, path);
            using var reader = ChildScoring.Run(directory, path, rows.Select(r => r.Features).ToArray(), "binary");
            Assert.AreEqual(rows.Length, reader.ReadInt32());
            for (int i = 0; i < rows.Length; i++)
            {
                for (int pass = 0; pass < 2; pass++) // the cursor's, then PredictionEngine's
                {
                    Assert.AreEqual(score[i], reader.ReadSingle(), $"row {i} Score ({pass})");
                    Assert.AreEqual(probability[i], reader.ReadSingle(), $"row {i} Probability ({pass})");
                    Assert.AreEqual(predicted[i], reader.ReadBoolean(), $"row {i} PredictedLabel ({pass})");
                }
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [TestMethod]
    public void ANetworkOfSeveralOutputsIsNotABinaryClassifier()
    {
        var network = new MlNetMlp.Numerics.MlpNetwork([4, 3], MlpActivation.Relu, 0.01f, 1f);
        var error = Assert.ThrowsExactly<ArgumentException>(() => new BinaryNetworkTransformer<MlpModelParameters>(new MlpModelParameters(network, []), "Features"));
        Assert.AreEqual("model", error.ParamName);
    }
}
