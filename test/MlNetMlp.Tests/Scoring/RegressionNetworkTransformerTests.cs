using Microsoft.ML;
using Microsoft.ML.Data;
using static MlNetMlp.Tests.Scoring.TaskModels;

namespace MlNetMlp.Tests.Scoring;

/// <summary>
/// <see cref="RegressionNetworkTransformer{TModel}"/> over an MLP and a CNN with random weights: Score is the network's
/// output in the target's units (output · scale + mean), annotated for Regression.Evaluate, the same bits in blocks, in
/// PredictionEngine and after save/load in memory and in another process.
/// </summary>
[TestClass]
public sealed class RegressionNetworkTransformerTests
{
    private const float Mean = 152.1f, Scale = 77.0f; // about the diabetes targets' mean and standard deviation

    [TestMethod]
    [DataRow("mlp")]
    [DataRow("cnn")]
    public void AppendsAScoreAnnotatedAsARegressionScore(string network)
    {
        var ml = new MLContext(seed: 1);
        var model = Model(network, 1);
        var data = ml.Data.LoadFromEnumerable(RegressionRows(model, Mean, Scale, 10, 2));
        var schema = Regression(model, Mean, Scale).GetOutputSchema(data.Schema);

        Assert.AreEqual(data.Schema.Count + 1, schema.Count, "one column added");
        Assert.AreEqual(NumberDataViewType.Single, schema["Score"].Type);
        Assert.AreEqual("Regression", Annotation(schema["Score"], "ScoreColumnKind"));
        Assert.AreEqual("Score", Annotation(schema["Score"], "ScoreValueKind"));
    }

    [TestMethod]
    [DataRow("mlp")]
    [DataRow("cnn")]
    public void ScoreIsTheOutputInTheTargetsUnitsForEveryRowOfABlockOrAlone(string network)
    {
        var ml = new MLContext(seed: 1);
        var model = Model(network, 3);
        var rows = RegressionRows(model, Mean, Scale, 700, 4);
        var transformer = Regression(model, Mean, Scale);
        float[] score = transformer.Transform(ml.Data.LoadFromEnumerable(rows)).GetColumn<float>("Score").ToArray();
        float[] outputs = Outputs(model, rows.Select(r => r.Features).ToArray());
        var engine = ml.Model.CreatePredictionEngine<RegressionRow, RegressionPrediction>(transformer);
        for (int i = 0; i < rows.Length; i++)
        {
            float scaled = outputs[i] * Scale;
            Assert.AreEqual(scaled + Mean, score[i], $"row {i}: Score = output · scale + mean");
            Assert.AreEqual(score[i], engine.Predict(rows[i]).Score, $"row {i}: PredictionEngine");
        }
    }

    [TestMethod]
    [DataRow("mlp")]
    [DataRow("cnn")]
    public void RegressionEvaluateReadsTheScore(string network)
    {
        var ml = new MLContext(seed: 1);
        var model = Model(network, 5);
        var rows = RegressionRows(model, Mean, Scale, 400, 6);
        var scored = Regression(model, Mean, Scale).Transform(ml.Data.LoadFromEnumerable(rows));
        var metrics = ml.Regression.Evaluate(scored);

        double[] error = scored.GetColumn<float>("Score").Select((s, i) => (double)rows[i].Label - s).ToArray();
        double mean = rows.Average(r => (double)r.Label);
        double mse = error.Average(e => e * e), total = rows.Average(r => (r.Label - mean) * (r.Label - mean));
        Assert.AreEqual(error.Average(Math.Abs), metrics.MeanAbsoluteError, 1e-3);
        Assert.AreEqual(mse, metrics.MeanSquaredError, 1e-6 * mse);
        Assert.AreEqual(1 - mse / total, metrics.RSquared, 1e-6);
        Assert.IsTrue(metrics.MeanAbsoluteError > 0, "every seventh label is one scale off");
    }

    [TestMethod]
    [DataRow("mlp")]
    [DataRow("cnn")]
    public void SavedAndLoadedInMemoryItKeepsTheTargetScaleAndScoresTheSameBits(string network)
    {
        var ml = new MLContext(seed: 1);
        var model = Model(network, 7);
        var data = ml.Data.LoadFromEnumerable(RegressionRows(model, Mean, Scale, 300, 8));
        var original = Regression(model, Mean, Scale);
        var loaded = SaveAndLoad(ml, original, data.Schema);

        Assert.AreEqual(original.GetType(), loaded.GetType(), "RegressionNetworkTransformer of the same network");
        CollectionAssert.AreEqual(original.Transform(data).GetColumn<float>("Score").ToArray(), loaded.Transform(data).GetColumn<float>("Score").ToArray());
        var (mean, scale) = loaded switch
        {
            RegressionNetworkTransformer<MlpModelParameters> mlp => (mlp.TargetMean, mlp.TargetScale),
            RegressionNetworkTransformer<CnnModelParameters> cnn => (cnn.TargetMean, cnn.TargetScale),
            _ => throw new AssertFailedException(loaded.GetType().Name),
        };
        Assert.AreEqual(Mean, mean);
        Assert.AreEqual(Scale, scale);
    }

    [TestMethod]
    [DataRow("mlp")]
    [DataRow("cnn")]
    public void SavedHereAndLoadedInAnotherProcessItScoresTheSameBits(string network)
    {
        var ml = new MLContext(seed: 1);
        var model = Model(network, 9);
        var rows = RegressionRows(model, Mean, Scale, 64, 10);
        var data = ml.Data.LoadFromEnumerable(rows);
        var transformer = Regression(model, Mean, Scale);
        float[] score = transformer.Transform(data).GetColumn<float>("Score").ToArray();

        var directory = Directory.CreateTempSubdirectory("mlnetmlp-regression-child-").FullName;
        try
        {
            string path = Path.Combine(directory, "model.zip");
            ModelFile.Save(ml, transformer, data.Schema, path);
            using var reader = ChildScoring.Run(directory, path, rows.Select(r => r.Features).ToArray(), "regression");
            Assert.AreEqual(rows.Length, reader.ReadInt32());
            for (int i = 0; i < rows.Length; i++)
            {
                Assert.AreEqual(score[i], reader.ReadSingle(), $"row {i} Score (cursor)");
                Assert.AreEqual(score[i], reader.ReadSingle(), $"row {i} Score (PredictionEngine)");
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [TestMethod]
    public void TheTargetScaleMustBeAPositiveFiniteNumber()
    {
        var model = Mlp(1);
        foreach (float scale in new[] { 0f, -1f, float.NaN, float.PositiveInfinity })
            Assert.AreEqual("targetScale", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new RegressionNetworkTransformer<MlpModelParameters>(model, "Features", 0f, scale)).ParamName);
        Assert.AreEqual("targetMean", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new RegressionNetworkTransformer<MlpModelParameters>(model, "Features", float.NaN, 1f)).ParamName);
    }
}
