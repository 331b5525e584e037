using MlNetMlp.Data;

namespace MlNetMlp.Tests.Data;

[TestClass]
public sealed class PngTests
{
    private const float Tolerance = 1e-3f;

    private static int[] RandomSamples(int count, int bitDepth, int seed, int limit = 0)
    {
        var random = new Random(seed);
        int max = limit > 0 ? limit : 1 << bitDepth;
        return Enumerable.Range(0, count).Select(_ => random.Next(max)).ToArray();
    }

    private static float Scale(int value, int bitDepth) => value * 255f / ((1 << bitDepth) - 1);

    private static float Luminance(float r, float g, float b) => 0.299f * r + 0.587f * g + 0.114f * b;

    /// <summary>Gray and alpha the decoder should produce, from the samples by the PNG specification.</summary>
    private static (float[] Gray, float[]? Alpha) Expected(int colorType, int bitDepth, int[] samples, byte[]? palette = null)
    {
        int channels = TestPng.Channels(colorType);
        int pixels = samples.Length / channels;
        var gray = new float[pixels];
        float[]? alpha = colorType is 4 or 6 ? new float[pixels] : null;
        for (int i = 0; i < pixels; i++)
        {
            int s = i * channels;
            gray[i] = colorType switch
            {
                0 or 4 => Scale(samples[s], bitDepth),
                2 or 6 => Luminance(Scale(samples[s], bitDepth), Scale(samples[s + 1], bitDepth), Scale(samples[s + 2], bitDepth)),
                _ => Luminance(palette![3 * samples[s]], palette[3 * samples[s] + 1], palette[3 * samples[s] + 2]),
            };
            if (alpha is not null) alpha[i] = Scale(samples[s + channels - 1], bitDepth);
        }
        return (gray, alpha);
    }

    private static void AssertClose(float[] expected, float[] actual, string what)
    {
        Assert.HasCount(expected.Length, actual, what);
        for (int i = 0; i < expected.Length; i++)
            Assert.AreEqual(expected[i], actual[i], Tolerance, $"{what} at {i}");
    }

    private static byte[] RandomPalette(int entries, int seed)
    {
        var palette = new byte[entries * 3];
        new Random(seed).NextBytes(palette);
        return palette;
    }

    [TestMethod]
    [DataRow(0, 1)]
    [DataRow(0, 2)]
    [DataRow(0, 4)]
    [DataRow(0, 8)]
    [DataRow(0, 16)]
    [DataRow(2, 8)]
    [DataRow(2, 16)]
    [DataRow(3, 1)]
    [DataRow(3, 2)]
    [DataRow(3, 4)]
    [DataRow(3, 8)]
    [DataRow(4, 8)]
    [DataRow(4, 16)]
    [DataRow(6, 8)]
    [DataRow(6, 16)]
    public void DecodesEveryColorTypeAndBitDepthWithEveryFilter(int colorType, int bitDepth)
    {
        const int width = 13, height = 11; // odd sizes: partial bytes at low bit depths, uneven interlace passes
        int channels = TestPng.Channels(colorType);
        byte[]? palette = colorType == 3 ? RandomPalette(Math.Min(256, 1 << bitDepth), seed: bitDepth) : null;
        var samples = RandomSamples(width * height * channels, bitDepth, seed: colorType * 100 + bitDepth);
        var (gray, alpha) = Expected(colorType, bitDepth, samples, palette);

        foreach (bool interlaced in new[] { false, true })
        {
            var png = TestPng.Build(width, height, colorType, bitDepth, samples, row => row % 5, interlaced, palette);
            var image = PngDecoder.Decode(png, "test.png");
            string what = $"color type {colorType}, {bitDepth} bits, interlaced {interlaced}";
            Assert.AreEqual(width, image.Width);
            Assert.AreEqual(height, image.Height);
            AssertClose(gray, image.Gray, what + " gray");
            if (alpha is null) Assert.IsNull(image.Alpha, what);
            else AssertClose(alpha, image.Alpha!, what + " alpha");
        }
    }

    [TestMethod]
    [DataRow(0)]
    [DataRow(1)]
    [DataRow(2)]
    [DataRow(3)]
    [DataRow(4)]
    public void EachFilterTypeAloneReconstructsRgbAndGray(int filter)
    {
        // RGB has a 3-byte filter unit, gray 1 byte: Sub, Average and Paeth must use the right left neighbour.
        foreach (var (colorType, bitDepth) in new[] { (2, 8), (0, 8), (6, 16) })
        {
            var samples = RandomSamples(9 * 6 * TestPng.Channels(colorType), bitDepth, seed: filter);
            var png = TestPng.Build(9, 6, colorType, bitDepth, samples, _ => filter);
            AssertClose(Expected(colorType, bitDepth, samples).Gray, PngDecoder.Decode(png).Gray, $"filter {filter}, color type {colorType}");
        }
    }

    [TestMethod]
    public void TinyInterlacedImagesWithEmptyPassesDecode()
    {
        foreach (var (width, height) in new[] { (1, 1), (2, 1), (1, 3), (3, 2), (5, 5) })
        {
            var samples = RandomSamples(width * height, 8, seed: width * 10 + height);
            var png = TestPng.Build(width, height, 0, 8, samples, row => row % 5, interlaced: true);
            AssertClose(Expected(0, 8, samples).Gray, PngDecoder.Decode(png).Gray, $"{width}×{height}");
        }
    }

    [TestMethod]
    public void TransparencyChunkGivesAlpha()
    {
        // Gray key color 7 is transparent.
        var grayPng = TestPng.Build(3, 1, 0, 8, [7, 8, 7], transparency: [0, 7]);
        CollectionAssert.AreEqual(new[] { 0f, 255f, 0f }, PngDecoder.Decode(grayPng).Alpha);

        // RGB key color (1, 2, 3) is transparent, (1, 2, 4) is not.
        var rgbPng = TestPng.Build(2, 1, 2, 8, [1, 2, 3, 1, 2, 4], transparency: [0, 1, 0, 2, 0, 3]);
        CollectionAssert.AreEqual(new[] { 0f, 255f }, PngDecoder.Decode(rgbPng).Alpha);

        // Palette alpha per entry; entries past the tRNS list are opaque.
        var palettePng = TestPng.Build(3, 1, 3, 8, [0, 1, 2], palette: RandomPalette(3, 1), transparency: [10, 200]);
        CollectionAssert.AreEqual(new[] { 10f, 200f, 255f }, PngDecoder.Decode(palettePng).Alpha);
    }

    [TestMethod]
    public void EncoderRoundTripsBytesAndRoundsFloats()
    {
        var pixels = Enumerable.Range(0, 28 * 20).Select(i => (byte)(i * 37)).ToArray();
        var image = PngDecoder.Decode(PngEncoder.EncodeGray8(pixels, 28, 20));
        Assert.AreEqual(28, image.Width);
        Assert.AreEqual(20, image.Height);
        Assert.IsNull(image.Alpha);
        CollectionAssert.AreEqual(pixels.Select(p => (float)p).ToArray(), image.Gray);

        var floats = PngDecoder.Decode(PngEncoder.EncodeGray8([-5f, 0.4f, 0.6f, 254.5f, 300f, 128f], 3, 2)).Gray;
        CollectionAssert.AreEqual(new[] { 0f, 0f, 1f, 254f, 255f, 128f }, floats, "rounded to even, clamped to 0..255");
    }

    [TestMethod]
    public void SavedFileLoadsFromDisk()
    {
        using var temp = new TempDirectory();
        string path = Path.Combine(temp.Path, "sample.png");
        PngEncoder.SaveGray8(path, new float[] { 0, 64, 128, 255 }, 2, 2);
        var image = PngImage.Load(path);
        CollectionAssert.AreEqual(new[] { 0f, 64f, 128f, 255f }, image.Gray);
    }

    [TestMethod]
    public void ChunkCrcIsTheStandardCrc32OfTypeThenData()
    {
        // "123456789" is CRC-32's standard check value; PNG's chunk CRC covers the type, then the data.
        Assert.AreEqual(0xCBF43926u, PngDecoder.ChunkCrc("1234"u8, "56789"u8));
        Assert.AreEqual(TestPng.Crc("IEND"u8.ToArray()), PngDecoder.ChunkCrc("IEND"u8, []));
    }

    [TestMethod]
    public void NonPngFilesNameTheFileAndWhatTheyLookLike()
    {
        using var temp = new TempDirectory();
        var cases = new (string Name, byte[] Bytes, string Problem)[]
        {
            ("photo.png", [0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10], "looks like a JPEG"),
            ("favicon.png", [0, 0, 1, 0, 3, 0, 0x30, 0x30], "looks like a Windows icon"),
            ("text.png", "hello, world"u8.ToArray(), "not a PNG file"),
            ("empty.png", [], "the file is empty"),
            ("cut-signature.png", [137, 80, 78], "ends inside the PNG signature"),
        };
        foreach (var (name, bytes, problem) in cases)
        {
            string path = Path.Combine(temp.Path, name);
            File.WriteAllBytes(path, bytes);
            var e = Assert.ThrowsExactly<InvalidDataException>(() => PngDecoder.Load(path), name);
            StringAssert.StartsWith(e.Message, path + ": not a PNG file");
            StringAssert.Contains(e.Message, problem);
        }
    }

    [TestMethod]
    public void MissingFileNamesThePath()
    {
        string path = Path.Combine(Path.GetTempPath(), "mlnetmlp-no-such-image.png");
        var e = Assert.ThrowsExactly<FileNotFoundException>(() => PngDecoder.Load(path));
        StringAssert.Contains(e.Message, path);
    }

    [TestMethod]
    public void TruncatedFileIsReported()
    {
        var png = TestPng.Build(20, 20, 0, 8, RandomSamples(400, 8, 1));
        var e = Assert.ThrowsExactly<InvalidDataException>(() => PngDecoder.Decode(png[..(png.Length * 2 / 3)], "cut.png"));
        StringAssert.StartsWith(e.Message, "cut.png: ");
        StringAssert.Contains(e.Message, "truncated");
    }

    [TestMethod]
    public void CrcMismatchIsReportedUnlessCheckingIsOff()
    {
        var png = TestPng.Build(4, 4, 0, 8, RandomSamples(16, 8, 2));
        png[^1] ^= 0xFF; // IEND's CRC
        var e = Assert.ThrowsExactly<InvalidDataException>(() => PngDecoder.Decode(png, "bad-crc.png"));
        StringAssert.StartsWith(e.Message, "bad-crc.png: CRC mismatch in chunk IEND");
        Assert.AreEqual(4, PngDecoder.Decode(png, "bad-crc.png", verifyCrc: false).Width);
    }

    [TestMethod]
    public void StructuralErrorsAreNamed()
    {
        var ihdr = (int width, int height, byte bitDepth, byte colorType, byte interlace) =>
        {
            var data = new byte[13];
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(data, width);
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(data.AsSpan(4), height);
            data[8] = bitDepth;
            data[9] = colorType;
            data[12] = interlace;
            return ("IHDR", data);
        };
        var idat = ("IDAT", new byte[] { 0x78, 0x9c, 0x63, 0, 0, 0, 1, 0, 1 });
        var iend = ("IEND", Array.Empty<byte>());
        var cases = new (string Problem, (string, byte[])[] Chunks)[]
        {
            ("bit depth 16 is not allowed for color type 3", [ihdr(1, 1, 16, 3, 0), idat, iend]),
            ("unknown color type 5", [ihdr(1, 1, 8, 5, 0), idat, iend]),
            ("invalid image size 0×1", [ihdr(0, 1, 8, 0, 0), idat, iend]),
            ("larger than the supported", [ihdr(100000, 100000, 8, 0, 0), idat, iend]),
            ("unknown interlace method 2", [ihdr(1, 1, 8, 0, 2), idat, iend]),
            ("the first chunk is IDAT, expected IHDR", [idat, ihdr(1, 1, 8, 0, 0), iend]),
            ("palette image without a PLTE chunk", [ihdr(1, 1, 8, 3, 0), idat, iend]),
            ("no IDAT chunk", [ihdr(1, 1, 8, 0, 0), iend]),
            ("no IEND chunk", [ihdr(1, 1, 8, 0, 0), idat]),
            ("unknown critical chunk ABCD", [ihdr(1, 1, 8, 0, 0), ("ABCD", [1]), idat, iend]),
            ("tRNS chunk in a GrayscaleAlpha image", [ihdr(1, 1, 8, 4, 0), ("tRNS", [0, 0]), idat, iend]),
        };
        foreach (var (problem, chunks) in cases)
        {
            var e = Assert.ThrowsExactly<InvalidDataException>(() => PngDecoder.Decode(TestPng.Assemble(chunks), "x.png"), problem);
            StringAssert.StartsWith(e.Message, "x.png: ", problem);
            StringAssert.Contains(e.Message, problem);
        }
    }

    [TestMethod]
    public void UnknownFilterTypeAndBadPaletteIndexAreReported()
    {
        var badFilter = TestPng.Build(3, 3, 0, 8, RandomSamples(9, 8, 3), row => row == 1 ? 9 : 0);
        var e = Assert.ThrowsExactly<InvalidDataException>(() => PngDecoder.Decode(badFilter, "f.png"));
        StringAssert.StartsWith(e.Message, "f.png: unknown filter type 9 on row 1");

        var badIndex = TestPng.Build(2, 1, 3, 8, [0, 5], palette: RandomPalette(2, 4));
        e = Assert.ThrowsExactly<InvalidDataException>(() => PngDecoder.Decode(badIndex, "p.png"));
        StringAssert.StartsWith(e.Message, "p.png: palette index 5 is outside the 2-entry palette");
    }

    [TestMethod]
    public void CorruptCompressedDataIsReported()
    {
        var chunks = new (string, byte[])[]
        {
            ("IHDR", [0, 0, 0, 2, 0, 0, 0, 2, 8, 0, 0, 0, 0]),
            ("IDAT", [0x78, 0x9c, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]),
            ("IEND", []),
        };
        var e = Assert.ThrowsExactly<InvalidDataException>(() => PngDecoder.Decode(TestPng.Assemble(chunks), "z.png"));
        StringAssert.StartsWith(e.Message, "z.png: ");
        Assert.IsTrue(e.Message.Contains("corrupt compressed image data") || e.Message.Contains("truncated"), e.Message);
    }

    [TestMethod]
    public void LightOnBlackInvertsThenMakesTransparencyBlack()
    {
        var image = new PngImage(4, 1, [0f, 255f, 100f, 200f], [255f, 255f, 0f, 127.5f]);
        CollectionAssert.AreEqual(new[] { 0f, 255f, 0f, 100f }, image.ToLightOnBlack(invert: false));
        CollectionAssert.AreEqual(new[] { 255f, 0f, 0f, 27.5f }, image.ToLightOnBlack(invert: true));
        CollectionAssert.AreEqual(new[] { 255f, 0f }, new PngImage(2, 1, [0f, 255f]).ToLightOnBlack(invert: true));
    }

    [TestMethod]
    public void LooksDarkOnLightJudgesTheBackground()
    {
        // 5×5 with a 3×3 center object.
        static PngImage Picture(float background, float item, float? backgroundAlpha = null)
        {
            var gray = new float[25];
            var alpha = backgroundAlpha is null ? null : new float[25];
            for (int y = 0; y < 5; y++)
                for (int x = 0; x < 5; x++)
                {
                    bool center = x is >= 1 and <= 3 && y is >= 1 and <= 3;
                    gray[y * 5 + x] = center ? item : background;
                    if (alpha is not null) alpha[y * 5 + x] = center ? 255f : backgroundAlpha!.Value;
                }
            return new PngImage(5, 5, gray, alpha);
        }

        Assert.IsTrue(Picture(background: 250, item: 20).LooksDarkOnLight(), "dark shoe photographed on white");
        Assert.IsFalse(Picture(background: 0, item: 230).LooksDarkOnLight(), "Fashion-MNIST style");
        Assert.IsTrue(Picture(background: 255, item: 30, backgroundAlpha: 0).LooksDarkOnLight(), "dark object, transparent background");
        Assert.IsFalse(Picture(background: 0, item: 220, backgroundAlpha: 0).LooksDarkOnLight(), "light object, transparent background");
    }
}
