using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using MlNetMlp.Tests.Scoring;
using static MlNetMlp.Tests.Scoring.TaskModels;

namespace MlNetMlp.Tests.Onnx;

/// <summary>
/// Binary and regression transformers (MLP and CNN) export through <c>mlContext.Model.ConvertToOnnx</c> to graphs that
/// ONNX Runtime scores like ML.NET: Score (and Probability) within 1e-5, PredictedLabel exactly, in a batch and row by row.
/// </summary>
[TestClass]
public sealed class TaskOnnxExportTests
{
    private const double Tolerance = 1e-5;

    /// <summary>Features only: every column of the data is a graph input, and the graph is fed the features alone.</summary>
    private sealed class FeatureRow
    {
        [VectorType(FeatureCount)] public float[] Features { get; set; } = [];
    }

    private static IDataView FeaturesOnly(MLContext ml, float[][] features) =>
        ml.Data.LoadFromEnumerable(features.Select(f => new FeatureRow { Features = f }));

    /// <summary>The named outputs of <paramref name="rows"/> rows from <paramref name="first"/>, scored by ONNX Runtime as one batch.</summary>
    private static Dictionary<string, Array> Run(InferenceSession session, float[][] features, int first, int rows)
    {
        var input = new DenseTensor<float>(features.Skip(first).Take(rows).SelectMany(f => f).ToArray(), [rows, FeatureCount]);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("Features", input)]);
        return results.ToDictionary(r => r.Name, r => r.Value switch
        {
            Tensor<float> t => (Array)t.ToArray(),
            Tensor<bool> t => t.ToArray(),
            var other => throw new AssertFailedException($"{r.Name}: {other?.GetType()}"),
        });
    }

    private static void AssertClose(float[] expected, float[] actual, int first, string column, double tolerance = Tolerance)
    {
        for (int i = 0; i < actual.Length; i++)
            Assert.AreEqual(expected[first + i], actual[i], tolerance, $"row {first + i}: {column}");
    }

    [TestMethod]
    [DataRow("mlp")]
    [DataRow("cnn")]
    public void BinaryExportsScoreProbabilityAndPredictedLabel(string network)
    {
        var ml = new MLContext(seed: 1);
        var model = Model(network, 11);
        var rows = BinaryRows(model, 50, 12);
        var data = FeaturesOnly(ml, rows.Select(r => r.Features).ToArray());
        var transformer = Binary(model);
        var scored = transformer.Transform(data);
        float[] score = scored.GetColumn<float>("Score").ToArray(), probability = scored.GetColumn<float>("Probability").ToArray();
        bool[] predicted = scored.GetColumn<bool>("PredictedLabel").ToArray();

        using var session = new InferenceSession(OnnxRuntimeScoring.Export(ml, transformer, data));
        Assert.AreEqual(typeof(bool), session.OutputMetadata["PredictedLabel.output"].ElementType, "PredictedLabel is a Boolean");
        var features = rows.Select(r => r.Features).ToArray();
        foreach (var (first, count) in new[] { (0, rows.Length), (0, 1), (1, 1), (2, 1) })
        {
            var outputs = Run(session, features, first, count);
            AssertClose(score, (float[])outputs["Score.output"], first, "Score");
            AssertClose(probability, (float[])outputs["Probability.output"], first, "Probability");
            CollectionAssert.AreEqual(predicted.Skip(first).Take(count).ToArray(), (bool[])outputs["PredictedLabel.output"], "PredictedLabel");
        }
        Assert.IsTrue(predicted.Any(p => p) && predicted.Any(p => !p), "both classes are predicted");
    }

    /// <remarks>
    /// The network's output is compared within 1e-5, like the classifiers' scores: Score, that output times the target's
    /// scale (77) plus its mean (152), then within 1e-5 × 77 (a float near 150 is only resolved to 1.5e-5).
    /// </remarks>
    [TestMethod]
    [DataRow("mlp")]
    [DataRow("cnn")]
    public void RegressionExportsTheScoreInTheTargetsUnits(string network)
    {
        var ml = new MLContext(seed: 1);
        var model = Model(network, 13);
        var rows = RegressionRows(model, 152.1f, 77f, 50, 14);
        var data = FeaturesOnly(ml, rows.Select(r => r.Features).ToArray());
        var transformer = Regression(model, 152.1f, 77f);
        float[] score = transformer.Transform(data).GetColumn<float>("Score").ToArray();

        using var session = new InferenceSession(OnnxRuntimeScoring.Export(ml, transformer, data));
        var features = rows.Select(r => r.Features).ToArray();
        foreach (var (first, count) in new[] { (0, rows.Length), (0, 1), (1, 1), (2, 1) })
            AssertClose(score, (float[])Run(session, features, first, count)["Score.output"], first, "Score", Tolerance * 77);
    }
}
