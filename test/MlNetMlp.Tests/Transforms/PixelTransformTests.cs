using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetMlp.Transforms;

namespace MlNetMlp.Tests.Transforms;

[TestClass]
public sealed class PixelTransformTests
{
    private sealed class ImageRow
    {
        [VectorType(2, 3)]
        public float[] Image { get; set; } = [];
    }

    private sealed class FlatRow
    {
        [VectorType(6)]
        public float[] Pixels { get; set; } = [];
    }

    private static readonly ImageRow[] Rows =
    [
        new() { Image = [0, 51, 102, 153, 204, 255] },
        new() { Image = [255, 255, 0, 0, 10, 20] },
    ];

    private static float[][] Column(IDataView data, string name) =>
        data.GetColumn<float[]>(name).ToArray();

    [TestMethod]
    public void ScaleDividesByMaxPixelValueAndKeepsShape()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Rows);
        var model = ml.Transforms.NormalizePixels("Scaled", "Image").Fit(data);
        var output = model.Transform(data);

        var type = (VectorDataViewType)output.Schema["Scaled"].Type;
        CollectionAssert.AreEqual(new[] { 2, 3 }, type.Dimensions.ToArray());
        var scaled = Column(output, "Scaled");
        CollectionAssert.AreEqual(new[] { 0f, 0.2f, 0.4f, 0.6f, 0.8f, 1f }, scaled[0], new FloatComparer(1e-6f));
        Assert.AreEqual(0f, model.Mean);
        Assert.AreEqual(1f, model.StandardDeviation);
    }

    [TestMethod]
    public void StandardizeUsesTrainingMeanAndStd()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Rows);
        var model = ml.Transforms.NormalizePixels("Image", mode: PixelNormalizationMode.Standardize).Fit(data);

        var all = Rows.SelectMany(r => r.Image).Select(v => v / 255.0).ToArray();
        double mean = all.Average(), std = Math.Sqrt(all.Select(v => (v - mean) * (v - mean)).Average());
        Assert.AreEqual(mean, model.Mean, 1e-6);
        Assert.AreEqual(std, model.StandardDeviation, 1e-6);

        var standardized = Column(model.Transform(data), "Image").SelectMany(v => v).ToArray();
        Assert.AreEqual(0, standardized.Average(), 1e-5);
        Assert.AreEqual(1, Math.Sqrt(standardized.Select(v => (double)v * v).Average()), 1e-5);
    }

    [TestMethod]
    public void ConstantImagesStandardizeWithoutDividingByZero()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(new[] { new ImageRow { Image = [7, 7, 7, 7, 7, 7] } });
        var model = ml.Transforms.NormalizePixels("Image", mode: PixelNormalizationMode.Standardize).Fit(data);
        Assert.AreEqual(1f, model.StandardDeviation);
        Assert.IsTrue(Column(model.Transform(data), "Image")[0].All(v => Math.Abs(v) < 1e-6f));
    }

    [TestMethod]
    public void FlattenKeepsValuesAndDropsDimensions()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Rows);
        var output = ml.Transforms.FlattenImage("Features", "Image").Fit(data).Transform(data);
        var type = (VectorDataViewType)output.Schema["Features"].Type;
        Assert.AreEqual(6, type.Size);
        Assert.AreEqual(1, type.Dimensions.Length);
        CollectionAssert.AreEqual(Rows[1].Image, Column(output, "Features")[1]);
    }

    [TestMethod]
    public void TransformsComposeWithBuiltInTransformsAndSurviveSaveLoad()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Rows);
        var pipeline = ml.Transforms.NormalizePixels("Image", mode: PixelNormalizationMode.Standardize)
            .Append(ml.Transforms.FlattenImage("Flat", "Image"))
            .Append(ml.Transforms.Concatenate("Features", "Flat"));
        var model = pipeline.Fit(data);
        var expected = Column(model.Transform(data), "Features");

        var path = Path.Combine(Path.GetTempPath(), $"mlnetmlp-transforms-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.Save(model, data.Schema, path);
            var loaded = new MLContext().Model.Load(path, out var schema);
            Assert.AreEqual(data.Schema.Count, schema.Count);
            var actual = Column(loaded.Transform(data), "Features");
            for (int i = 0; i < expected.Length; i++) CollectionAssert.AreEqual(expected[i], actual[i]);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void PredictionEngineRunsThroughTheRowMapper()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Rows);
        var model = ml.Transforms.NormalizePixels("Image").Append(ml.Transforms.FlattenImage("Pixels", "Image")).Fit(data);
        var engine = ml.Model.CreatePredictionEngine<ImageRow, FlatRow>(model);
        CollectionAssert.AreEqual(new[] { 1f, 1f, 0f, 0f, 10 / 255f, 20 / 255f }, engine.Predict(Rows[1]).Pixels, new FloatComparer(1e-6f));
        CollectionAssert.AreEqual(new[] { 0f, 0.2f, 0.4f, 0.6f, 0.8f, 1f }, engine.Predict(Rows[0]).Pixels, new FloatComparer(1e-6f));
    }

    [TestMethod]
    public void BadColumnsAndArgumentsAreNamed()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Rows);
        var missing = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.NormalizePixels("X", "Nope").Fit(data));
        StringAssert.Contains(missing.Message, "'Nope'");
        var scalar = ml.Data.LoadFromEnumerable(new[] { new { Value = 1f } });
        var wrongType = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.FlattenImage("F", "Value").Fit(scalar));
        StringAssert.Contains(wrongType.Message, "'Value'");
        var badMax = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.NormalizePixels("Image", maxPixelValue: 0));
        Assert.AreEqual("maxPixelValue", badMax.ParamName);
    }
}

internal sealed class FloatComparer(float tolerance) : System.Collections.IComparer
{
    public int Compare(object? x, object? y) => Math.Abs((float)x! - (float)y!) <= tolerance ? 0 : ((float)x!).CompareTo((float)y!);
}
