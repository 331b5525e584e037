using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetMlp.Data;

namespace MlNetMlp.Tests.Data;

[TestClass]
public sealed class ImageFolderTests
{
    private static readonly MLContext Ml = new(seed: 1);

    /// <summary>A 56×56 image whose 2×2 blocks all hold <paramref name="value"/> except the top-left block, which averages 100.</summary>
    private static byte[] Picture(byte value)
    {
        var pixels = Enumerable.Repeat(value, 56 * 56).ToArray();
        pixels[0] = 0;
        pixels[1] = 200;
        pixels[56] = 50;
        pixels[57] = 150;
        return pixels;
    }

    private static void WritePng(string directory, string name, byte[] pixels, int width = 56, int height = 56)
    {
        Directory.CreateDirectory(directory);
        TestImages.SaveGray8(Path.Combine(directory, name), pixels, width, height);
    }

    private static List<(uint Label, float[] Image)> Rows(IDataView data)
    {
        var labels = data.GetColumn<uint>("Label").ToArray();
        var images = data.GetColumn<VBuffer<float>>("Image").Select(v => v.DenseValues().ToArray()).ToArray();
        return labels.Zip(images).Select(p => (p.First, p.Second)).ToList();
    }

    private static string[] KeyValues(IDataView data)
    {
        VBuffer<ReadOnlyMemory<char>> names = default;
        data.Schema["Label"].GetKeyValues(ref names);
        return names.DenseValues().Select(n => n.ToString()).ToArray();
    }

    [TestMethod]
    public void LoadsSortedClassFoldersResizedWithTheFashionMnistSchema()
    {
        using var temp = new TempDirectory();
        WritePng(temp.Sub("Sneaker"), "b.png", Picture(40));
        WritePng(temp.Sub("Sneaker"), "a.PNG", Picture(30));
        WritePng(temp.Sub("Bag"), "x.png", Picture(10));
        File.WriteAllText(Path.Combine(temp.Sub("Bag"), "notes.txt"), "ignored");
        WritePng(temp.Sub(".thumbnails"), "t.png", Picture(99));

        var data = ImageFolder.Load(Ml, temp.Path);

        CollectionAssert.AreEqual(new[] { "Bag", "Sneaker" }, KeyValues(data));
        var keyType = (KeyDataViewType)data.Schema["Label"].Type;
        Assert.AreEqual(2UL, keyType.Count);
        CollectionAssert.AreEqual(new[] { 28, 28 }, ((VectorDataViewType)data.Schema["Image"].Type).Dimensions.ToArray());
        Assert.AreEqual(3L, data.GetRowCount());

        var rows = Rows(data);
        CollectionAssert.AreEqual(new uint[] { 1, 2, 2 }, rows.Select(r => r.Label).ToArray(), "Bag, then Sneaker's files in name order");
        CollectionAssert.AreEqual(new[] { 10f, 30f, 40f }, rows.Select(r => r.Image[1]).ToArray(), "a.PNG before b.png");
        Assert.AreEqual(100f, rows[0].Image[0], 1e-4f, "each 2×2 block is averaged");
    }

    [TestMethod]
    public void InvertTurnsDarkOnLightIntoLightOnDark()
    {
        using var temp = new TempDirectory();
        WritePng(temp.Sub("Bag"), "x.png", Picture(250), 56, 56);
        var image = Rows(ImageFolder.Load(Ml, temp.Path, invert: true))[0].Image;
        Assert.AreEqual(5f, image[1], 1e-4f);
        Assert.AreEqual(155f, image[0], 1e-4f);
    }

    [TestMethod]
    public void CustomSizeSetsTheVectorShape()
    {
        using var temp = new TempDirectory();
        WritePng(temp.Sub("A"), "x.png", Picture(10));
        var data = ImageFolder.Load(Ml, temp.Path, width: 14, height: 7);
        CollectionAssert.AreEqual(new[] { 7, 14 }, ((VectorDataViewType)data.Schema["Image"].Type).Dimensions.ToArray());
        Assert.HasCount(98, Rows(data)[0].Image);
    }

    [TestMethod]
    public void GivenClassNamesMapFoldersLooselyAndKeepEveryKey()
    {
        using var temp = new TempDirectory();
        WritePng(temp.Sub("t-shirt_top"), "x.png", Picture(1));
        WritePng(temp.Sub("ANKLE BOOT"), "y.png", Picture(2));

        var data = ImageFolder.Load(Ml, temp.Path, classNames: FashionMnist.ClassNames);

        CollectionAssert.AreEqual(FashionMnist.ClassNames.ToArray(), KeyValues(data));
        CollectionAssert.AreEqual(new uint[] { 10, 1 }, Rows(data).Select(r => r.Label).ToArray(), "ANKLE BOOT sorts first; keys are 1-based");
    }

    [TestMethod]
    public void FolderMatchingNoGivenClassIsNamed()
    {
        using var temp = new TempDirectory();
        WritePng(temp.Sub("Hat"), "x.png", Picture(1));
        var e = Assert.ThrowsExactly<InvalidDataException>(() => ImageFolder.Load(Ml, temp.Path, classNames: FashionMnist.ClassNames));
        StringAssert.StartsWith(e.Message, Path.Combine(temp.Path, "Hat") + ": subfolder 'Hat' matches none of the class names");
    }

    [TestMethod]
    public void CorruptImageIsReportedByItsPath()
    {
        using var temp = new TempDirectory();
        WritePng(temp.Sub("A"), "good.png", Picture(1));
        string bad = Path.Combine(temp.Sub("B"), "bad.jpg");
        File.WriteAllText(bad, "<html>pretending</html>");
        var e = Assert.ThrowsExactly<InvalidDataException>(() => ImageFolder.Load(Ml, temp.Path));
        StringAssert.StartsWith(e.Message, bad + ": not an image in a supported format (JPEG, PNG, BMP, GIF or WebP)");
        StringAssert.Contains(e.Message, "<html>");
    }

    [TestMethod]
    public void MissingOrEmptyFoldersAreReported()
    {
        using var temp = new TempDirectory();
        string missing = Path.Combine(temp.Path, "missing");
        StringAssert.StartsWith(Assert.ThrowsExactly<DirectoryNotFoundException>(() => ImageFolder.Load(Ml, missing)).Message, missing);

        var noFolders = Assert.ThrowsExactly<InvalidDataException>(() => ImageFolder.Load(Ml, temp.Path));
        StringAssert.StartsWith(noFolders.Message, temp.Path + ": no class subfolders");

        temp.Sub("Empty");
        var noImages = Assert.ThrowsExactly<InvalidDataException>(() => ImageFolder.Load(Ml, temp.Path));
        StringAssert.StartsWith(noImages.Message, temp.Path + ": no image files (.jpg, .jpeg, .png, .bmp, .gif, .webp) in its class subfolders (Empty)");
    }

    [TestMethod]
    public void LoadImagePreparesOneFileForPrediction()
    {
        using var temp = new TempDirectory();
        WritePng(temp.Path, "one.png", Picture(200));
        var image = ImageFolder.LoadImage(Path.Combine(temp.Path, "one.png"));
        Assert.HasCount(784, image);
        Assert.AreEqual(200f, image[783], 1e-4f);
        var inverted = ImageFolder.LoadImage(Path.Combine(temp.Path, "one.png"), invert: true);
        Assert.AreEqual(55f, inverted[783], 1e-4f);
    }

    [TestMethod]
    public void TransparentBackgroundBecomesBlackEvenWhenInverted()
    {
        using var temp = new TempDirectory();
        // 2×1: an opaque black pixel and a fully transparent white one.
        var png = TestImages.EncodeRgba([0, 0, 0, 255, 255, 255, 255, 0], 2, 1);
        string path = Path.Combine(temp.Path, "alpha.png");
        File.WriteAllBytes(path, png);
        CollectionAssert.AreEqual(new[] { 255f, 0f }, ImageFolder.LoadImage(path, 2, 1, invert: true));
        CollectionAssert.AreEqual(new[] { 0f, 0f }, ImageFolder.LoadImage(path, 2, 1, invert: false));
    }
}
