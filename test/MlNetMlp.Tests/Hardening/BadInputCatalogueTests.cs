using System.Buffers.Binary;
using Microsoft.ML;
using MlNetMlp.Data;
using MlNetMlp.Tests.Data;

namespace MlNetMlp.Tests.Hardening;

/// <summary>
/// The bad inputs a user actually produces (a half-downloaded .gz, the wrong file, a resized dataset, an empty
/// file, a web page saved as .jpg), each checked for the exact exception type and a message that names the file and
/// says what is wrong with it.
/// </summary>
[TestClass]
public sealed class BadInputCatalogueTests
{
    private static TempDirectory _temp = null!;

    [ClassInitialize]
    public static void CreateTempDirectory(TestContext _) => _temp = new TempDirectory();

    [ClassCleanup]
    public static void DeleteTempDirectory() => _temp.Dispose();

    private static string Write(string name, byte[] bytes)
    {
        string directory = _temp.Sub(Guid.NewGuid().ToString("N")[..8]);
        string path = Path.Combine(directory, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static void AssertNamesFileAndProblem(Exception e, string path, params string[] problem)
    {
        StringAssert.StartsWith(e.Message, path + ": ", $"the message must start with the file path: {e.Message}");
        foreach (string part in problem)
            StringAssert.Contains(e.Message, part, $"the message must say what is wrong: {e.Message}");
    }

    private static byte[] FiveImages(int rows = 4, int columns = 3) => IdxBytes.Images(5, rows, columns, IdxBytes.FakePixel);

    // ---- IDX files ----

    [TestMethod]
    public void GzipCutInTheMiddleIsTruncatedOrCorrupt()
    {
        var gzip = IdxBytes.Gzip(IdxBytes.Images(40, 28, 28, (i, p) => (byte)(i * p)));
        string path = Write("train-images-idx3-ubyte.gz", gzip[..(gzip.Length / 2)]);
        var e = Assert.ThrowsExactly<InvalidDataException>(() => IdxReader.ReadImages(path));
        StringAssert.StartsWith(e.Message, path + ": ");
        Assert.IsTrue(e.Message.Contains("truncated", StringComparison.Ordinal) || e.Message.Contains("corrupt gzip data", StringComparison.Ordinal), e.Message);
    }

    [TestMethod]
    public void GzipCutRightAfterItsHeaderHasNoData()
    {
        string path = Write("labels.gz", IdxBytes.Gzip(IdxBytes.Labels(1, 2, 3))[..10]);
        AssertNamesFileAndProblem(Assert.ThrowsExactly<InvalidDataException>(() => IdxReader.ReadLabels(path)), path, "no data");
    }

    [TestMethod]
    public void GzipWithCorruptDeflateDataIsCorrupt()
    {
        var gzip = IdxBytes.Gzip(FiveImages());
        for (int i = 10; i < gzip.Length - 8; i++) gzip[i] = 0xFF; // every deflate byte: an invalid block type
        string path = Write("images.gz", gzip);
        AssertNamesFileAndProblem(Assert.ThrowsExactly<InvalidDataException>(() => IdxReader.ReadImages(path)), path, "corrupt gzip data");
    }

    [TestMethod]
    public void GzipWithWrongCrcIsCorrupt()
    {
        var gzip = IdxBytes.Gzip(FiveImages());
        gzip[^8] ^= 0x55; // CRC32 of the trailer
        string path = Write("images.gz", gzip);
        AssertNamesFileAndProblem(Assert.ThrowsExactly<InvalidDataException>(() => IdxReader.ReadImages(path)), path, "corrupt gzip data");
    }

    [TestMethod]
    public void GzipMagicFollowedByGarbageIsCorrupt()
    {
        string path = Write("images.gz", [0x1F, 0x8B, 0x08, 0x00, .. "this is not really gzip at all, just text"u8]);
        AssertNamesFileAndProblem(Assert.ThrowsExactly<InvalidDataException>(() => IdxReader.ReadImages(path)), path, "corrupt gzip data");
    }

    [TestMethod]
    public void CompressedTwiceIsRecognized()
    {
        string path = Write("images.gz", IdxBytes.Gzip(IdxBytes.Gzip(FiveImages())));
        AssertNamesFileAndProblem(Assert.ThrowsExactly<InvalidDataException>(() => IdxReader.ReadImages(path)), path,
            "wrong magic number 0x1f8b", "compressed twice");
    }

    [TestMethod]
    public void LabelFileReadAsImagesNamesBothMagics()
    {
        string path = Write("t10k-labels-idx1-ubyte", IdxBytes.Labels(IdxBytes.FakeLabels(10)));
        AssertNamesFileAndProblem(Assert.ThrowsExactly<InvalidDataException>(() => IdxReader.ReadImages(path)), path,
            "wrong magic number 0x00000801", "this is an IDX label file", "expected 0x00000803");
    }

    [TestMethod]
    public void ImageFileReadAsLabelsNamesBothMagics()
    {
        string path = Write("t10k-images-idx3-ubyte", FiveImages());
        AssertNamesFileAndProblem(Assert.ThrowsExactly<InvalidDataException>(() => IdxReader.ReadLabels(path)), path,
            "wrong magic number 0x00000803", "this is an IDX image file", "expected 0x00000801");
    }

    [TestMethod]
    public void PngGivenAsIdxHasWrongMagic()
    {
        string path = Write("images", TestImages.EncodeGray8(new byte[4], 2, 2));
        AssertNamesFileAndProblem(Assert.ThrowsExactly<InvalidDataException>(() => IdxReader.ReadImages(path)), path,
            "wrong magic number 0x89504e47");
    }

    [TestMethod]
    public void LittleEndianHeaderHasWrongMagic()
    {
        var bytes = FiveImages();
        BinaryPrimitives.WriteInt32LittleEndian(bytes, IdxReader.ImagesMagic);
        string path = Write("images", bytes);
        AssertNamesFileAndProblem(Assert.ThrowsExactly<InvalidDataException>(() => IdxReader.ReadImages(path)), path,
            "wrong magic number 0x03080000");
    }

    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void EmptyFileIsEmpty(bool viaFashionMnist)
    {
        string path = Write("t10k-images-idx3-ubyte", []);
        Exception e;
        if (viaFashionMnist)
        {
            IdxBytes.WriteFakeSplit(Path.GetDirectoryName(path)!, FashionMnistSplit.Test, 3, gzip: true);
            // The raw name is preferred over the .gz one, so the empty file is the one loaded.
            e = Assert.ThrowsExactly<InvalidDataException>(() =>
                FashionMnist.Load(new MLContext(seed: 1), FashionMnistSplit.Test, Path.GetDirectoryName(path), options: new FashionMnistOptions { AllowDownload = false }));
        }
        else
        {
            e = Assert.ThrowsExactly<InvalidDataException>(() => IdxReader.ReadImages(path));
        }
        AssertNamesFileAndProblem(e, path, "the file is empty");
    }

    [TestMethod]
    public void EmptyGzipStreamHasNoData()
    {
        // A complete gzip member holding nothing (GZipStream writes no bytes at all when given none).
        string path = Write("labels.gz", [0x1F, 0x8B, 0x08, 0, 0, 0, 0, 0, 0, 0x03, 0x03, 0x00, 0, 0, 0, 0, 0, 0, 0, 0]);
        AssertNamesFileAndProblem(Assert.ThrowsExactly<InvalidDataException>(() => IdxReader.ReadLabels(path)), path, "no data");
    }

    [TestMethod]
    public void HeaderCutShortSaysHowManyBytes()
    {
        string path = Write("images", FiveImages()[..11]);
        AssertNamesFileAndProblem(Assert.ThrowsExactly<InvalidDataException>(() => IdxReader.ReadImages(path)), path,
            "expected a 16-byte IDX image file header, found only 11 bytes", "truncated");
    }

    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void HeaderWithoutPayloadSaysExpectedAndFound(bool gzip)
    {
        var header = FiveImages()[..16];
        string path = Write("images", gzip ? IdxBytes.Gzip(header) : header);
        AssertNamesFileAndProblem(Assert.ThrowsExactly<InvalidDataException>(() => IdxReader.ReadImages(path)), path,
            "expected 60 pixel bytes, found 0", "truncated");
    }

    [TestMethod]
    public void CountLargerThanTheFileCanHoldIsCaughtBeforeAllocating()
    {
        var bytes = FiveImages();
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), 60_000);
        string raw = Write("images", bytes);
        AssertNamesFileAndProblem(Assert.ThrowsExactly<InvalidDataException>(() => IdxReader.ReadImages(raw)), raw,
            "expected 720000 pixel bytes, found 60", "truncated");

        string gzip = Write("labels.gz", IdxBytes.Gzip(WithCount(IdxBytes.Labels(1, 2, 3), 500_000_000)));
        AssertNamesFileAndProblem(Assert.ThrowsExactly<InvalidDataException>(() => IdxReader.ReadLabels(gzip)), gzip,
            "the header announces 500000000 label bytes", "gzip file can decompress to");
    }

    private static byte[] WithCount(byte[] idx, int count)
    {
        BinaryPrimitives.WriteInt32BigEndian(idx.AsSpan(4), count);
        return idx;
    }

    [TestMethod]
    public void TrailingBytesAreCounted()
    {
        string path = Write("labels", [.. IdxBytes.Labels(1, 2, 3), 0, 0]);
        AssertNamesFileAndProblem(Assert.ThrowsExactly<InvalidDataException>(() => IdxReader.ReadLabels(path)), path,
            "2 unexpected trailing bytes after the 3 label bytes");
    }

    [TestMethod]
    public void ImplausibleImageSideIsNamed()
    {
        string path = Write("images", WithSide(IdxBytes.Images(1, 1, 1, IdxBytes.FakePixel), 0));
        AssertNamesFileAndProblem(Assert.ThrowsExactly<InvalidDataException>(() => IdxReader.ReadImages(path)), path,
            "implausible image size 0×1");
    }

    private static byte[] WithSide(byte[] idx, int rows)
    {
        BinaryPrimitives.WriteInt32BigEndian(idx.AsSpan(8), rows);
        return idx;
    }

    [TestMethod]
    public void ImageAndLabelCountMismatchNamesBothFiles()
    {
        string images = Write("images", FiveImages());
        string labels = Write("labels", IdxBytes.Labels(1, 2, 3, 4));
        var e = Assert.ThrowsExactly<InvalidDataException>(() => IdxReader.ReadPair(images, labels));
        StringAssert.StartsWith(e.Message, images + " holds 5 images but " + labels + " holds 4 labels");
        StringAssert.Contains(e.Message, "same split");
    }

    [TestMethod]
    public void FashionMnistWithMismatchedCountsNamesBothFiles()
    {
        string directory = _temp.Sub("mismatch");
        IdxBytes.WriteFakeSplit(directory, FashionMnistSplit.Test, 4);
        string labels = Path.Combine(directory, "t10k-labels-idx1-ubyte.gz");
        File.WriteAllBytes(labels, IdxBytes.Gzip(IdxBytes.Labels(IdxBytes.FakeLabels(3))));
        var options = new FashionMnistOptions { AllowDownload = false, VerifyChecksums = false };

        var e = Assert.ThrowsExactly<InvalidDataException>(() => FashionMnist.Load(new MLContext(seed: 1), FashionMnistSplit.Test, directory, options: options));
        StringAssert.StartsWith(e.Message, Path.Combine(directory, "t10k-images-idx3-ubyte.gz") + " holds 4 images but " + labels + " holds 3 labels");
    }

    /// <summary>Writes a Test split of <paramref name="count"/> images of the given size (labels 0..9) into a new directory.</summary>
    private static (string Directory, string ImagesPath, Dictionary<string, string> Sha256) WriteSplit(int rows, int columns, int count = 3)
    {
        string directory = _temp.Sub(Guid.NewGuid().ToString("N")[..8]);
        var images = IdxBytes.Images(count, rows, columns, IdxBytes.FakePixel);
        var labels = IdxBytes.Labels(IdxBytes.FakeLabels(count));
        string imagesPath = Path.Combine(directory, "t10k-images-idx3-ubyte.gz");
        File.WriteAllBytes(imagesPath, IdxBytes.Gzip(images));
        File.WriteAllBytes(Path.Combine(directory, "t10k-labels-idx1-ubyte.gz"), IdxBytes.Gzip(labels));
        return (directory, imagesPath, new Dictionary<string, string>
        {
            ["t10k-images-idx3-ubyte"] = IdxBytes.Sha256(images),
            ["t10k-labels-idx1-ubyte"] = IdxBytes.Sha256(labels),
        });
    }

    [TestMethod]
    [DataRow(27, 28)]
    [DataRow(28, 27)]
    [DataRow(32, 32)]
    public void FashionMnistWithWrongImageSizeNamesTheFileAndTheSize(int rows, int columns)
    {
        var (directory, imagesPath, sha256) = WriteSplit(rows, columns);
        var context = new MLContext(seed: 1);

        // With the official checksums (the default) the copy is rejected as not the official file.
        var e = Assert.ThrowsExactly<InvalidDataException>(() =>
            FashionMnist.Load(context, FashionMnistSplit.Test, directory, options: new FashionMnistOptions { AllowDownload = false }));
        StringAssert.StartsWith(e.Message, imagesPath + ": ");

        // Even when checksums are off or match, Load promises 28×28 images, so another size is refused by name.
        foreach (var options in new[]
        {
            new FashionMnistOptions { AllowDownload = false, VerifyChecksums = false },
            new FashionMnistOptions { AllowDownload = false, ExpectedSha256 = sha256 },
        })
        {
            e = Assert.ThrowsExactly<InvalidDataException>(() => FashionMnist.Load(context, FashionMnistSplit.Test, directory, options: options));
            AssertNamesFileAndProblem(e, imagesPath, $"{rows}×{columns}", "28×28");
            e = Assert.ThrowsExactly<InvalidDataException>(() => FashionMnist.LoadArrays(FashionMnistSplit.Test, directory, options: options));
            AssertNamesFileAndProblem(e, imagesPath, $"{rows}×{columns}", "28×28");
        }
    }

    [TestMethod]
    public void FashionMnistOfTheRightSizeStillLoads()
    {
        var (directory, _, sha256) = WriteSplit(28, 28, count: 4);
        var options = new FashionMnistOptions { AllowDownload = false, ExpectedSha256 = sha256 };
        var images = FashionMnist.LoadArrays(FashionMnistSplit.Test, directory, options: options);
        Assert.AreEqual(4, images.Count);
        Assert.AreEqual(28, images.Height);
        Assert.AreEqual(28, images.Width);
    }

    [TestMethod]
    public void FashionMnistLabelOutOfRangeNamesTheFileAndIndex()
    {
        string directory = _temp.Sub("label-range");
        IdxBytes.WriteFakeSplit(directory, FashionMnistSplit.Test, 3);
        string labels = Path.Combine(directory, "t10k-labels-idx1-ubyte.gz");
        File.WriteAllBytes(labels, IdxBytes.Gzip(IdxBytes.Labels(0, 1, 200)));
        var options = new FashionMnistOptions { AllowDownload = false, VerifyChecksums = false };
        var e = Assert.ThrowsExactly<InvalidDataException>(() => FashionMnist.Load(new MLContext(seed: 1), FashionMnistSplit.Test, directory, options: options));
        AssertNamesFileAndProblem(e, labels, "label 200 at index 2", "0..9");
    }

    [TestMethod]
    public void FashionMnistDirectoryWithoutLabelsSaysWhatIsMissing()
    {
        string directory = _temp.Sub("no-labels");
        File.WriteAllBytes(Path.Combine(directory, "t10k-images-idx3-ubyte.gz"), IdxBytes.Gzip(FiveImages(28, 28)));
        var e = Assert.ThrowsExactly<FashionMnistNotFoundException>(() =>
            FashionMnist.Load(new MLContext(seed: 1), FashionMnistSplit.Test, directory, options: new FashionMnistOptions { AllowDownload = false }));
        StringAssert.Contains(e.Message, directory);
        StringAssert.Contains(e.Message, "missing t10k-labels-idx1-ubyte[.gz]");
    }

    [TestMethod]
    public void MissingIdxFileNamesThePath()
    {
        string path = Path.Combine(_temp.Path, "nowhere", "train-images-idx3-ubyte.gz");
        var e = Assert.ThrowsExactly<DirectoryNotFoundException>(() => IdxReader.ReadImages(path));
        StringAssert.Contains(e.Message, path);
        path = Path.Combine(_temp.Path, "no-such-file");
        AssertNamesFileAndProblem(Assert.ThrowsExactly<FileNotFoundException>(() => IdxReader.ReadImages(path)), path, "not found");
    }

    // ---- Image files (decoded by SkiaSharp) ----

    public static IEnumerable<object[]> NonImageFiles() =>
    [
        ["notes.png", "just some text, not an image"u8.ToArray(), "starts with the text \"just some text"],
        ["page.jpg", "<html>404 Not Found</html>"u8.ToArray(), "starts with the text \"<html>"],
        ["empty.png", Array.Empty<byte>(), "the file is empty"],
        ["scan.png", "II*\0\u0008\0\0\0"u8.ToArray(), "looks like a TIFF"],
        ["idx.png", IdxBytes.Labels(1, 2, 3), "looks like an IDX file"],
        ["photo.jpg", new byte[] { 0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A, 0x46, 0x49, 0x46 }, "truncated"],
        ["cut.png", new byte[] { 137, 80, 78, 71 }, "truncated"],
    ];

    [TestMethod]
    [DynamicData(nameof(NonImageFiles))]
    public void NonImageFileIsNamedWithWhatItLooksLike(string name, byte[] bytes, string problem)
    {
        string path = Write(name, bytes);
        AssertNamesFileAndProblem(Assert.ThrowsExactly<InvalidDataException>(() => DecodedImage.Load(path)), path, "not an image in a supported format", problem);
        AssertNamesFileAndProblem(Assert.ThrowsExactly<InvalidDataException>(() => ImageFolder.LoadImage(path)), path, "not an image in a supported format", problem);
        AssertNamesFileAndProblem(Assert.ThrowsExactly<InvalidDataException>(() => DecodedImage.ReadSize(path)), path, "not an image in a supported format", problem);
    }

    [TestMethod]
    [DataRow(SkiaSharp.SKEncodedImageFormat.Png, "cut.png")]
    [DataRow(SkiaSharp.SKEncodedImageFormat.Jpeg, "cut.jpg")]
    [DataRow(SkiaSharp.SKEncodedImageFormat.Webp, "cut.webp")]
    public void TruncatedImageSaysTruncated(SkiaSharp.SKEncodedImageFormat format, string name)
    {
        var random = new Random(3);
        var pixels = new byte[64 * 64];
        random.NextBytes(pixels); // noise does not compress, so half the file is half the image
        var bytes = TestImages.EncodeGray8(pixels, 64, 64, format);
        string path = Write(name, bytes[..(bytes.Length / 2)]);
        AssertNamesFileAndProblem(Assert.ThrowsExactly<InvalidDataException>(() => ImageFolder.LoadImage(path)), path, "truncated");
    }

    [TestMethod]
    public void ImageFolderReportsTheCorruptFileItself()
    {
        string root = _temp.Sub("folder");
        string good = Path.Combine(_temp.Sub("folder/Bag"), "good.png");
        TestImages.SaveGray8(good, new byte[28 * 28], 28, 28);
        string bad = Path.Combine(_temp.Sub("folder/Sneaker"), "bad.jpg");
        File.WriteAllBytes(bad, "<html>404 Not Found</html>"u8.ToArray());

        var e = Assert.ThrowsExactly<InvalidDataException>(() => ImageFolder.Load(new MLContext(seed: 1), root));
        AssertNamesFileAndProblem(e, bad, "not an image in a supported format");
    }

    [TestMethod]
    public void MissingImageNamesThePath()
    {
        string path = Path.Combine(_temp.Path, "no-such-image.png");
        var e = Assert.ThrowsExactly<FileNotFoundException>(() => ImageFolder.LoadImage(path));
        AssertNamesFileAndProblem(e, path, "not found");
    }
}
