using System.Text.Json;
using Microsoft.ML;
using MlNetMlp.Data;
using MlNetMlp.Tests.Cnn;

namespace MlNetMlp.Tests.Hardening;

/// <summary>CNN model files: reproducible byte for byte, and files of the previous payload version still load.</summary>
[TestClass]
public sealed class CnnModelFileTests
{
    // 8×8 single-channel images (64 features, inferred square), three separable classes.
    private static readonly SyntheticDataView Data = new(rows: 200, features: 64, classes: 3, seed: 4, spread: 0.5f);

    private static MulticlassNetworkTransformer<CnnModelParameters> Train(MLContext ml, int seed) => new CnnTrainer(ml, new CnnTrainer.Options
    {
        ImageColumnName = "Features", Layers = "conv4,relu,pool,flatten", Epochs = 2, BatchSize = 16, PixelScale = 1,
        LearningRate = 0.01f, Seed = seed, NumberOfThreads = 2, MonitoringSubsetSize = 0,
    }).Fit(Data);

    private static string TempFile(string name) => Path.Combine(Path.GetTempPath(), $"mlnetmlp-cnn-{name}-{Guid.NewGuid():N}.zip");

    [TestMethod]
    public void SameDataOptionsSeedAndThreadsGiveByteIdenticalModelFiles()
    {
        string a = TempFile("det-a"), b = TempFile("det-b"), other = TempFile("det-other");
        try
        {
            var first = Train(new MLContext(seed: 1), seed: 11);
            ModelFile.Save(new MLContext(seed: 1), first, Data.Schema, a);
            Thread.Sleep(2100); // zip timestamps have 2-second resolution: make a difference visible if any
            var second = Train(new MLContext(seed: 1), seed: 11);
            ModelFile.Save(new MLContext(seed: 1), second, Data.Schema, b);
            Assert.IsTrue(first.Model.History.Concat(second.Model.History).All(r => r.Elapsed > TimeSpan.Zero), "the runs were timed, but the times are not saved");
            CollectionAssert.AreEqual(File.ReadAllBytes(a), File.ReadAllBytes(b));

            ModelFile.Save(new MLContext(seed: 1), Train(new MLContext(seed: 1), seed: 12), Data.Schema, other);
            CollectionAssert.AreNotEqual(File.ReadAllBytes(a), File.ReadAllBytes(other), "another seed is another model");
        }
        finally
        {
            File.Delete(a);
            File.Delete(b);
            File.Delete(other);
        }
    }

    [TestMethod]
    public void ModelsSavedWithPayloadVersionOneStillLoadAndScoreAsTheyDid()
    {
        string directory = Path.Combine(CnnFixture.Directory, "..", "cnn-model-v1");
        using var expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(directory, "expected.json")));
        float[][] Read(string name) => expected.RootElement.GetProperty(name).EnumerateArray()
            .Select(row => row.EnumerateArray().Select(v => v.GetSingle()).ToArray()).ToArray();
        float[][] inputs = Read("inputs"), probabilities = Read("probabilities");

        var ml = new MLContext(seed: 1);
        var loaded = (MulticlassNetworkTransformer<CnnModelParameters>)ModelFile.Load(ml, Path.Combine(directory, "model.zip"), out var schema);
        Assert.AreEqual("conv4,relu,pool,flatten", loaded.Model.LayersText);
        Assert.HasCount(expected.RootElement.GetProperty("epochs").GetInt32(), loaded.Model.History);
        Assert.IsTrue(loaded.Model.History.All(r => r.Elapsed > TimeSpan.Zero), "version 1 kept the wall time, and it still reads back");
        for (int i = 0; i < inputs.Length; i++)
            CollectionAssert.AreEqual(probabilities[i], loaded.Model.PredictProbabilities(inputs[i]), $"image {i}");

        // Saved again, it is written in the current version: the same network, without the wall time.
        string path = TempFile("resaved");
        try
        {
            ModelFile.Save(ml, loaded, schema, path);
            var resaved = (MulticlassNetworkTransformer<CnnModelParameters>)ModelFile.Load(ml, path, out _);
            Assert.IsTrue(resaved.Model.History.All(r => r.Elapsed == TimeSpan.Zero));
            CollectionAssert.AreEqual(loaded.Model.History.Select(r => r with { Elapsed = default }).ToArray(), resaved.Model.History.ToArray());
            foreach (var name in loaded.Model.ParameterNames.Concat(loaded.Model.BufferNames))
                CollectionAssert.AreEqual(loaded.Model.GetTensor(name), resaved.Model.GetTensor(name), name);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
