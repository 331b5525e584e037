using MlNetMlp.Data;

namespace MlNetMlp.Tests.Data;

[TestClass]
public sealed class IdxReaderTests
{
    private static TempDirectory _temp = null!;

    [ClassInitialize]
    public static void CreateTempDirectory(TestContext _) => _temp = new TempDirectory();

    [ClassCleanup]
    public static void DeleteTempDirectory() => _temp.Dispose();

    private static string Write(string name, byte[] bytes)
    {
        string path = Path.Combine(_temp.Path, Guid.NewGuid().ToString("N")[..8] + "-" + name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static byte[] ThreeImages() => IdxBytes.Images(3, 2, 4, (i, p) => (byte)(i * 10 + p));

    private static InvalidDataException ReadImagesFails(string path) =>
        Assert.ThrowsExactly<InvalidDataException>(() => IdxReader.ReadImages(path));

    private static void AssertMessage(Exception e, string path, params string[] problem)
    {
        StringAssert.StartsWith(e.Message, path + ":", "the message must name the file first");
        foreach (string part in problem)
            StringAssert.Contains(e.Message, part);
    }

    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void ReadsImagesRawAndGzip(bool gzip)
    {
        var raw = ThreeImages();
        string path = Write("images", gzip ? IdxBytes.Gzip(raw) : raw);

        var images = IdxReader.ReadImages(path, computeSha256: true);

        Assert.AreEqual(3, images.Count);
        Assert.AreEqual(2, images.Rows);
        Assert.AreEqual(4, images.Columns);
        CollectionAssert.AreEqual(raw[16..], images.Pixels);
        Assert.AreEqual(IdxBytes.Sha256(raw), images.ContentSha256, "the hash covers the decompressed content, header included");
        Assert.AreEqual(path, images.SourcePath);
    }

    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void ReadsLabelsRawAndGzip(bool gzip)
    {
        var raw = IdxBytes.Labels(9, 0, 3, 255);
        string path = Write("labels", gzip ? IdxBytes.Gzip(raw) : raw);

        var labels = IdxReader.ReadLabels(path, computeSha256: true);

        CollectionAssert.AreEqual(new byte[] { 9, 0, 3, 255 }, labels.Labels);
        Assert.AreEqual(4, labels.Count);
        Assert.AreEqual(IdxBytes.Sha256(raw), labels.ContentSha256);
        Assert.AreEqual(IdxBytes.Sha256(raw), IdxReader.ComputeContentSha256(path));
    }

    [TestMethod]
    public void GzipIsDetectedByContentNotName()
    {
        var raw = IdxBytes.Labels(1, 2);
        string gzipWithoutExtension = Write("labels-idx1-ubyte", IdxBytes.Gzip(raw));
        string rawNamedGz = Write("labels-idx1-ubyte.gz", raw);
        CollectionAssert.AreEqual(new byte[] { 1, 2 }, IdxReader.ReadLabels(gzipWithoutExtension).Labels);
        CollectionAssert.AreEqual(new byte[] { 1, 2 }, IdxReader.ReadLabels(rawNamedGz).Labels);
    }

    [TestMethod]
    public void ZeroImagesIsValid()
    {
        var images = IdxReader.ReadImages(Write("empty-set", IdxBytes.Images(0, 28, 28, (_, _) => 0)));
        Assert.AreEqual(0, images.Count);
        Assert.AreEqual(0, images.Pixels.Length);
    }

    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void TruncatedPayloadNamesExpectedAndFoundBytes(bool gzip)
    {
        var raw = ThreeImages()[..^5];
        string path = Write("truncated", gzip ? IdxBytes.Gzip(raw) : raw);
        AssertMessage(ReadImagesFails(path), path, "expected 24 pixel bytes, found 19", "truncated");
    }

    [TestMethod]
    public void TruncatedGzipStreamIsAnError()
    {
        var gzip = IdxBytes.Gzip(IdxBytes.Images(50, 28, 28, (i, p) => (byte)(i ^ p)));
        string path = Write("cut.gz", gzip[..(gzip.Length / 2)]);
        var e = ReadImagesFails(path);
        StringAssert.StartsWith(e.Message, path + ":");
        Assert.IsTrue(e.Message.Contains("truncated") || e.Message.Contains("corrupt gzip"), e.Message);
    }

    [TestMethod]
    public void GzipChecksumMismatchIsAnError()
    {
        var gzip = IdxBytes.Gzip(IdxBytes.Labels(1, 2, 3));
        gzip[^8] ^= 0xFF; // first byte of the CRC-32 in the gzip trailer
        string path = Write("bad-crc.gz", gzip);
        var e = Assert.ThrowsExactly<InvalidDataException>(() => IdxReader.ReadLabels(path));
        AssertMessage(e, path, "corrupt gzip data");
    }

    [TestMethod]
    public void CorruptGzipDataNamesTheFile()
    {
        var gzip = IdxBytes.Gzip(IdxBytes.Images(20, 28, 28, (i, p) => (byte)(i * p)));
        for (int i = 20; i < gzip.Length - 8; i += 7) gzip[i] ^= 0x5A;
        string path = Write("corrupt.gz", gzip);
        var e = ReadImagesFails(path);
        StringAssert.StartsWith(e.Message, path + ":");
    }

    [TestMethod]
    public void LabelFileReadAsImagesReportsWrongMagic()
    {
        string path = Write("labels-as-images", IdxBytes.Labels(1, 2, 3, 4, 5, 6, 7, 8, 9));
        AssertMessage(ReadImagesFails(path), path, "wrong magic number 0x00000801", "this is an IDX label file", "expected 0x00000803");
    }

    [TestMethod]
    public void ImageFileReadAsLabelsReportsWrongMagic()
    {
        string path = Write("images-as-labels", ThreeImages());
        var e = Assert.ThrowsExactly<InvalidDataException>(() => IdxReader.ReadLabels(path));
        AssertMessage(e, path, "wrong magic number 0x00000803", "expected 0x00000801");
    }

    [TestMethod]
    public void ArbitraryBytesReportWrongMagic()
    {
        string path = Write("text", "<html>not found</html>"u8.ToArray());
        AssertMessage(ReadImagesFails(path), path, "wrong magic number 0x3c68746d");
    }

    [TestMethod]
    [DataRow(0, 28)]
    [DataRow(28, 0)]
    [DataRow(-1, 28)]
    [DataRow(28, 100000)]
    public void ImplausibleDimensionsAreRejected(int rows, int columns)
    {
        var raw = ThreeImages();
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(raw.AsSpan(8), rows);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(raw.AsSpan(12), columns);
        string path = Write("bad-dims", raw);
        AssertMessage(ReadImagesFails(path), path, $"implausible image size {rows}×{columns}");
    }

    [TestMethod]
    public void NegativeCountIsRejected()
    {
        var raw = IdxBytes.Labels(1);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(raw.AsSpan(4), -5);
        string path = Write("negative", raw);
        var e = Assert.ThrowsExactly<InvalidDataException>(() => IdxReader.ReadLabels(path));
        AssertMessage(e, path, "negative label count -5");
    }

    [TestMethod]
    public void HugeCountIsRejectedBeforeAllocating()
    {
        var raw = ThreeImages();
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(raw.AsSpan(4), int.MaxValue);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(raw.AsSpan(8), 1000);
        string path = Write("huge", raw);
        AssertMessage(ReadImagesFails(path), path, "exceed the largest array");
    }

    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void TrailingBytesAreAnError(bool gzip)
    {
        var raw = ThreeImages().Concat(new byte[] { 1, 2, 3 }).ToArray();
        string path = Write("trailing", gzip ? IdxBytes.Gzip(raw) : raw);
        AssertMessage(ReadImagesFails(path), path, "3 unexpected trailing bytes after the 24 pixel bytes");
    }

    [TestMethod]
    public void EmptyFileIsAnError()
    {
        string path = Write("empty", []);
        AssertMessage(ReadImagesFails(path), path, "empty");
    }

    [TestMethod]
    public void ShortHeaderIsAnError()
    {
        string path = Write("short", ThreeImages()[..10]);
        AssertMessage(ReadImagesFails(path), path, "16-byte IDX image file header", "only 10 bytes");
    }

    [TestMethod]
    public void MissingFileNamesThePath()
    {
        string path = Path.Combine(_temp.Path, "does-not-exist.gz");
        var e = Assert.ThrowsExactly<FileNotFoundException>(() => IdxReader.ReadImages(path));
        StringAssert.Contains(e.Message, path);
    }

    [TestMethod]
    public void CountMismatchNamesBothFiles()
    {
        string images = Write("images", IdxBytes.Gzip(ThreeImages()));
        string labels = Write("labels", IdxBytes.Gzip(IdxBytes.Labels(1, 2)));
        var e = Assert.ThrowsExactly<InvalidDataException>(() => IdxReader.ReadPair(images, labels));
        StringAssert.Contains(e.Message, images + " holds 3 images");
        StringAssert.Contains(e.Message, labels + " holds 2 labels");
    }

    [TestMethod]
    public void MatchingPairLoads()
    {
        string images = Write("images", ThreeImages());
        string labels = Write("labels", IdxBytes.Labels(4, 5, 6));
        var (readImages, readLabels) = IdxReader.ReadPair(images, labels);
        Assert.AreEqual(3, readImages.Count);
        CollectionAssert.AreEqual(new byte[] { 4, 5, 6 }, readLabels.Labels);
    }
}
