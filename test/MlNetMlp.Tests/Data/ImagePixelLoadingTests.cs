using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetMlp.Data;

namespace MlNetMlp.Tests.Data;

/// <summary>
/// <c>mlContext.Transforms.LoadImagePixels</c>: image paths in, [channels, height, width] pixels out, the layout of
/// ImageAnalytics' ExtractPixels; saved and loaded with the model; a bad file stops the cursor naming it.
/// </summary>
[TestClass]
public sealed class ImagePixelLoadingTests
{
    public sealed class PathRow
    {
        public string ImagePath { get; set; } = "";
    }

    private static IDataView Paths(MLContext ml, params string[] paths) =>
        ml.Data.LoadFromEnumerable(paths.Select(p => new PathRow { ImagePath = p }).ToList());

    private static float[][] Pixels(IDataView data) =>
        data.GetColumn<VBuffer<float>>("Pixels").Select(v => v.DenseValues().ToArray()).ToArray();

    [TestMethod]
    public void GrayscaleIsOnePlaneAndColorThreePlanes()
    {
        var ml = new MLContext(seed: 1);
        // halves.bmp: 16×8, left half 40, right half 200 (test/generate_image_fixtures.py).
        var data = Paths(ml, TestImages.Fixture("halves.bmp"), TestImages.Fixture("halves.png"));

        var gray = ml.Transforms.LoadImagePixels("Pixels", "ImagePath", width: 4, height: 2).Fit(data).Transform(data);
        CollectionAssert.AreEqual(new[] { 1, 2, 4 }, ((VectorDataViewType)gray.Schema["Pixels"].Type).Dimensions.ToArray());
        foreach (var image in Pixels(gray))
            CollectionAssert.AreEqual(new[] { 40f, 40f, 200f, 200f, 40f, 40f, 200f, 200f }, image);

        var color = ml.Transforms.LoadImagePixels("Pixels", "ImagePath", width: 2, height: 1, color: true).Fit(data).Transform(data);
        CollectionAssert.AreEqual(new[] { 3, 1, 2 }, ((VectorDataViewType)color.Schema["Pixels"].Type).Dimensions.ToArray());
        CollectionAssert.AreEqual(new[] { 40f, 200f, 40f, 200f, 40f, 200f }, Pixels(color)[0], "red plane, green plane, blue plane");
    }

    [TestMethod]
    public void ColorPlanesKeepTheirChannels()
    {
        using var temp = new TempDirectory();
        string path = Path.Combine(temp.Path, "rgb.png");
        File.WriteAllBytes(path, TestImages.EncodeRgba([255, 0, 0, 255, 0, 128, 255, 255], 2, 1));
        var ml = new MLContext(seed: 1);
        var data = Paths(ml, path);
        var pixels = Pixels(ml.Transforms.LoadImagePixels("Pixels", "ImagePath", 2, 1, color: true).Fit(data).Transform(data))[0];
        CollectionAssert.AreEqual(new[] { 255f, 0f, 0f, 128f, 0f, 255f }, pixels);
    }

    [TestMethod]
    public void SavedAndLoadedItReadsTheSamePixels()
    {
        var ml = new MLContext(seed: 1);
        var data = Paths(ml, TestImages.Fixture("halves.jpg"), TestImages.Fixture("halves.webp"), TestImages.Fixture("halves.gif"));
        var model = ml.Transforms.LoadImagePixels("Pixels", "ImagePath", 8, 4, color: true).Fit(data);
        var stream = new MemoryStream();
        ml.Model.Save(model, data.Schema, stream);
        stream.Position = 0;
        var loaded = new MLContext().Model.Load(stream, out var schema);
        Assert.AreEqual(TextDataViewType.Instance, schema["ImagePath"].Type);
        var before = Pixels(model.Transform(data));
        var after = Pixels(loaded.Transform(data));
        for (int i = 0; i < before.Length; i++) CollectionAssert.AreEqual(before[i], after[i], $"row {i}");
    }

    [TestMethod]
    public void ABadFileStopsTheCursorNamingIt()
    {
        using var temp = new TempDirectory();
        string bad = Path.Combine(temp.Path, "bad.gif");
        File.WriteAllText(bad, "not a picture");
        var ml = new MLContext(seed: 1);
        var data = Paths(ml, TestImages.Fixture("halves.png"), bad);
        var transformed = ml.Transforms.LoadImagePixels("Pixels", "ImagePath", 4, 4).Fit(data).Transform(data);
        var e = Assert.ThrowsExactly<InvalidDataException>(() => Pixels(transformed));
        StringAssert.StartsWith(e.Message, bad + ": not an image in a supported format");

        var missing = Path.Combine(temp.Path, "gone.jpg");
        var gone = ml.Transforms.LoadImagePixels("Pixels", "ImagePath", 4, 4).Fit(Paths(ml, missing)).Transform(Paths(ml, missing));
        StringAssert.Contains(Assert.ThrowsExactly<FileNotFoundException>(() => Pixels(gone)).Message, missing);
    }

    [TestMethod]
    public void ItRefusesSizesAndColumnsItCannotRead()
    {
        var ml = new MLContext(seed: 1);
        Assert.AreEqual("width", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.LoadImagePixels("P", "ImagePath", 0, 4)).ParamName);
        Assert.AreEqual("height", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.LoadImagePixels("P", "ImagePath", 4, 5000)).ParamName);
        var numbers = ml.Data.LoadFromEnumerable(new[] { new { X = 1f } });
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.LoadImagePixels("P", "X", 4, 4).Fit(numbers));
        StringAssert.Contains(e.Message, "must hold text (image file paths)");
    }
}
