using System.Globalization;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetMlp.Tests.Cnn;

namespace MlNetMlp.Tests.Scoring;

/// <summary>
/// Multiclass model files written before one transformer per task (test/fixtures/multiclass-before-tasks, by the
/// separate MlpPredictionTransformer and CnnPredictionTransformer) load as <see cref="MulticlassNetworkTransformer{TModel}"/>,
/// score the same bits, and save again to the same bytes: the multiclass format did not change.
/// </summary>
[TestClass]
public sealed class MulticlassFormatFixtureTests
{
    private sealed class Row
    {
        public string Label { get; set; } = "";

        [VectorType(64)] public float[] Features { get; set; } = [];
    }

    private static string FixtureDirectory(string network) => Path.Combine(CnnFixture.Directory, "..", "multiclass-before-tasks", network);

    private static float[][] Read(JsonDocument json, string name) => json.RootElement.GetProperty(name).EnumerateArray()
        .Select(row => row.EnumerateArray().Select(v => float.Parse(v.GetString()!, CultureInfo.InvariantCulture)).ToArray()).ToArray();

    [TestMethod]
    public void MlpFileLoadsScoresAndSavesAsBefore() => LoadsScoresAndSavesAsBefore<MlpModelParameters>("mlp", m => m.PredictProbabilities);

    [TestMethod]
    public void CnnFileLoadsScoresAndSavesAsBefore() => LoadsScoresAndSavesAsBefore<CnnModelParameters>("cnn", m => m.PredictProbabilities);

    private delegate float[] Predict(ReadOnlySpan<float> features);

    private static void LoadsScoresAndSavesAsBefore<TModel>(string network, Func<TModel, Predict> predict)
        where TModel : NetworkModelParameters
    {
        string directory = FixtureDirectory(network), file = Path.Combine(directory, "model.zip");
        using var expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(directory, "expected.json")));
        float[][] inputs = Read(expected, "inputs"), probabilities = Read(expected, "probabilities"), scores = Read(expected, "scores");

        var ml = new MLContext(seed: 1);
        var loaded = (TransformerChain<ITransformer>)ModelFile.Load(ml, file, out var schema);
        var transformer = (MulticlassNetworkTransformer<TModel>)loaded.LastTransformer;
        CollectionAssert.AreEqual(new[] { "cat", "dog", "bird" }, transformer.ClassNames!.ToArray());
        Assert.HasCount(expected.RootElement.GetProperty("epochs").GetInt32(), transformer.Model.History);

        var rows = inputs.Select(f => new Row { Label = "cat", Features = f }).ToArray();
        var scored = loaded.Transform(ml.Data.LoadFromEnumerable(rows)).GetColumn<float[]>("Score").ToArray();
        for (int i = 0; i < inputs.Length; i++)
        {
            CollectionAssert.AreEqual(scores[i], scored[i], $"row {i}: Score");
            CollectionAssert.AreEqual(probabilities[i], predict(transformer.Model)(inputs[i]), $"row {i}: PredictProbabilities");
        }

        string resaved = Path.Combine(Path.GetTempPath(), $"mlnetmlp-fixture-{network}-{Guid.NewGuid():N}.zip");
        try
        {
            ModelFile.Save(ml, loaded, schema, resaved);
            CollectionAssert.AreEqual(File.ReadAllBytes(file), File.ReadAllBytes(resaved), "saved again, the file is the same bytes");
        }
        finally
        {
            File.Delete(resaved);
        }
    }
}
