using System.Buffers.Binary;
using System.IO.Compression;
using MlNetMlp.Data;
using MlNetMlp.Tests.Data;

namespace MlNetMlp.Tests.Hardening;

/// <summary>
/// Feeds <see cref="PngDecoder"/> thousands of seeded mutations of small valid PNGs of every color type, both as
/// raw bytes and chunk by chunk (CRCs recomputed, so the mutation reaches the header, palette, filter and
/// decompression code instead of stopping at the CRC check). Each decode must give a consistent image or the
/// documented <see cref="InvalidDataException"/> naming the source, without hanging or allocating far more than
/// the input can describe.
/// </summary>
[TestClass]
public sealed class PngFuzzTests
{
    private static readonly int IterationsPerSeed = Fuzzing.Iterations(4_000);

    /// <summary>Any single decode of a file of a few hundred bytes must stay far below this.</summary>
    private const long AllocationLimit = 32L << 20;

    private const string Source = "fuzz.png";

    private static TempDirectory _temp = null!;

    [ClassInitialize]
    public static void CreateTempDirectory(TestContext _) => _temp = new TempDirectory();

    [ClassCleanup]
    public static void DeleteTempDirectory() => _temp.Dispose();

    private static int[] Samples(int count, int bitDepth, int seed, int limit = 0)
    {
        var random = new Random(seed);
        int max = limit > 0 ? limit : 1 << bitDepth;
        return Enumerable.Range(0, count).Select(_ => random.Next(max)).ToArray();
    }

    private static readonly (string Name, byte[] Png)[] Bases =
    [
        ("encoder gray8 4x3", PngEncoder.EncodeGray8(Enumerable.Range(0, 12).Select(i => (byte)(i * 20)).ToArray(), 4, 3)),
        ("encoder gray8 1x1", PngEncoder.EncodeGray8([77], 1, 1)),
        ("palette 2-bit 5x4 tRNS", TestPng.Build(5, 4, 3, 2, Samples(20, 2, 1), row => row % 5,
            palette: [0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255], transparency: [0, 128, 255])),
        ("palette 8-bit 3x3 interlaced", TestPng.Build(3, 3, 3, 8, Samples(9, 8, 2, limit: 3), interlaced: true,
            palette: [10, 20, 30, 40, 50, 60, 70, 80, 90])),
        ("rgba8 4x3 filters", TestPng.Build(4, 3, 6, 8, Samples(48, 8, 3), row => (row + 1) % 5)),
        ("rgb16 3x3 interlaced tRNS", TestPng.Build(3, 3, 2, 16, Samples(27, 16, 4), row => row % 5, interlaced: true,
            transparency: [0, 1, 0, 2, 0, 3])),
        ("gray1 9x5 interlaced", TestPng.Build(9, 5, 0, 1, Samples(45, 1, 5), row => 4 - row % 5, interlaced: true)),
        ("gray-alpha16 3x2", TestPng.Build(3, 2, 4, 16, Samples(12, 16, 6), row => 3)),
        ("gray16 2x2 tRNS", TestPng.Build(2, 2, 0, 16, Samples(4, 16, 7), transparency: [0x12, 0x34])),
        ("gray4 7x2", TestPng.Build(7, 2, 0, 4, Samples(14, 4, 8), row => row == 0 ? 1 : 4)),
    ];

    [TestMethod]
    [DataRow(1)]
    [DataRow(424242)]
    [DataRow(20250101)]
    public void MutatedPngsDecodeConsistentlyOrFailWithInvalidData(int seed)
    {
        seed = Fuzzing.Seed(seed);
        string path = Path.Combine(_temp.Path, $"fuzz-{seed}.png");
        int iteration = -1;
        Fuzzing.RunWithWatchdog(Fuzzing.Limit(IterationsPerSeed), () => $"seed {seed}, iteration {iteration}", () =>
        {
            var random = new Random(seed);
            var mutator = new Mutator(random);
            int decoded = 0, rejected = 0;
            for (iteration = 0; iteration < IterationsPerSeed; iteration++)
            {
                var (baseName, png) = Bases[random.Next(Bases.Length)];
                var steps = new List<string>();
                byte[] mutant = random.Next(5) < 2 ? MutateBytes(mutator, png, steps) : MutateChunks(mutator, png, steps);
                bool verifyCrc = random.Next(3) != 0;
                bool fromFile = random.Next(16) == 0;
                string context = $"seed {seed}, iteration {iteration}: {baseName}, {string.Join(", ", steps)}, verifyCrc {verifyCrc}, "
                    + $"fromFile {fromFile}, bytes {Convert.ToHexString(mutant)}";
                if (Check(mutant, verifyCrc, fromFile ? path : null, context)) decoded++;
                else rejected++;
            }
            // Both outcomes must be common, or the mutations test little.
            Assert.IsGreaterThan(IterationsPerSeed / 20, decoded, $"seed {seed}: too few mutants decoded");
            Assert.IsGreaterThan(IterationsPerSeed / 2, rejected, $"seed {seed}: too few mutants rejected");
        });
    }

    /// <summary>Decodes (in memory, or through a file and <see cref="ImageFolder.LoadImage"/>) and checks the outcome; true when decoded.</summary>
    private static bool Check(byte[] png, bool verifyCrc, string? path, string context)
    {
        object? result = null;
        string source = path ?? Source;
        if (path is not null) File.WriteAllBytes(path, png);
        var (bytes, thrown, elapsed) = Fuzzing.MeasureAllocation(() => result = path is null
            ? PngDecoder.Decode(png, Source, verifyCrc)
            : ImageFolder.LoadImage(path));

        Assert.IsLessThan(AllocationLimit, bytes, $"{context}: allocated {bytes} bytes for a {png.Length}-byte file ({thrown?.GetType().Name})");
        Assert.IsLessThan(TimeSpan.FromSeconds(5), elapsed, $"{context}: took {elapsed}");
        if (thrown is not null)
        {
            if (thrown is not InvalidDataException)
                Assert.Fail($"{context}: undocumented exception {thrown}");
            StringAssert.StartsWith(thrown.Message, source + ": ", $"{context}: the message must start with the source name");
            return false;
        }

        switch (result)
        {
            case PngImage image:
                Assert.IsGreaterThan(0, image.Width, context);
                Assert.IsGreaterThan(0, image.Height, context);
                Assert.IsLessThanOrEqualTo(PngDecoder.MaxPixels, (long)image.Width * image.Height, context);
                Assert.HasCount(image.Width * image.Height, image.Gray, context);
                AssertPixelValues(image.Gray, context);
                if (image.Alpha is not null)
                {
                    Assert.HasCount(image.Gray.Length, image.Alpha, context);
                    AssertPixelValues(image.Alpha, context);
                }
                break;
            case float[] input:
                Assert.HasCount(28 * 28, input, context);
                AssertPixelValues(input, context);
                break;
            default:
                Assert.Fail($"{context}: unexpected result {result}");
                break;
        }
        return true;
    }

    private static void AssertPixelValues(float[] values, string context)
    {
        for (int i = 0; i < values.Length; i++)
            if (!(values[i] >= 0f && values[i] <= 255.01f))
                Assert.Fail($"{context}: value {values[i]} at {i} is outside 0..255");
    }

    private static byte[] MutateBytes(Mutator mutator, byte[] png, List<string> steps)
    {
        for (int n = mutator.Random.Next(1, 4); n > 0; n--)
        {
            var mutated = mutator.Generic(png);
            steps.Add($"bytes {png.Length}->{mutated.Length}");
            png = mutated;
        }
        return png;
    }

    /// <summary>Parses a (valid) PNG into its chunks.</summary>
    private static List<(string Type, byte[] Data)> Chunks(byte[] png)
    {
        var chunks = new List<(string, byte[])>();
        for (int offset = 8; offset < png.Length;)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(offset));
            chunks.Add((System.Text.Encoding.ASCII.GetString(png, offset + 4, 4), png[(offset + 8)..(offset + 8 + length)]));
            offset += 12 + length;
        }
        return chunks;
    }

    private static byte[] MutateChunks(Mutator mutator, byte[] png, List<string> steps)
    {
        var random = mutator.Random;
        var chunks = Chunks(png);
        for (int n = random.Next(1, 4); n > 0; n--)
            MutateChunkList(mutator, chunks, steps);
        var result = TestPng.Assemble(chunks);
        if (random.Next(10) == 0)
            result = MutateBytes(mutator, result, steps);
        return result;
    }

    private static void MutateChunkList(Mutator mutator, List<(string Type, byte[] Data)> chunks, List<string> steps)
    {
        var random = mutator.Random;
        int Index() => random.Next(chunks.Count);
        switch (random.Next(12))
        {
            case 0:
            case 1:
            case 2:
                MutateHeader(mutator, chunks, steps);
                break;
            case 3:
            case 4:
            case 5:
                MutateImageData(mutator, chunks, steps);
                break;
            case 6 when chunks.Count > 0:
            {
                int i = Index();
                steps.Add($"drop {chunks[i].Type}");
                chunks.RemoveAt(i);
                break;
            }
            case 7 when chunks.Count > 0:
            {
                int i = Index(), j = Index();
                steps.Add($"duplicate {chunks[i].Type} to {j}");
                chunks.Insert(j, chunks[i]);
                break;
            }
            case 8 when chunks.Count > 1:
            {
                int i = Index(), j = Index();
                steps.Add($"swap {chunks[i].Type} and {chunks[j].Type}");
                (chunks[i], chunks[j]) = (chunks[j], chunks[i]);
                break;
            }
            case 9:
            {
                // A palette or transparency chunk of any length, or an unknown chunk, somewhere.
                string[] types = ["PLTE", "tRNS", "PLTE", "tRNS", "ABCD", "abCD", "IDAT", "IEND", "IHDR"];
                string type = types[random.Next(types.Length)];
                var data = new byte[random.Next(4) == 0 ? random.Next(800) : random.Next(13)];
                random.NextBytes(data);
                int at = chunks.Count == 0 ? 0 : random.Next(chunks.Count + 1);
                steps.Add($"insert {type} of {data.Length} bytes at {at}");
                chunks.Insert(at, (type, data));
                break;
            }
            default:
            {
                if (chunks.Count == 0) break;
                int i = Index();
                var mutated = mutator.Generic(chunks[i].Data);
                steps.Add($"{chunks[i].Type} data {chunks[i].Data.Length}->{mutated.Length} bytes");
                chunks[i] = (chunks[i].Type, mutated);
                break;
            }
        }
    }

    private static void MutateHeader(Mutator mutator, List<(string Type, byte[] Data)> chunks, List<string> steps)
    {
        var random = mutator.Random;
        int i = chunks.FindIndex(c => c.Type == "IHDR");
        if (i < 0) return;
        var data = (byte[])chunks[i].Data.Clone();
        if (data.Length != 13) return;
        switch (random.Next(6))
        {
            case 0:
            case 1:
            {
                uint[] sizes = [0, 1, 2, 3, 8, 9, 17, 8192, 8193, 65536, 100000, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF];
                uint value = random.Next(3) == 0 ? (uint)random.Next(1, 40) : sizes[random.Next(sizes.Length)];
                int field = random.Next(2);
                BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(4 * field), value);
                steps.Add($"IHDR {(field == 0 ? "width" : "height")} = {value}");
                break;
            }
            case 2:
            {
                byte[] depths = [0, 1, 2, 3, 4, 5, 8, 16, 32, 255];
                data[8] = depths[random.Next(depths.Length)];
                steps.Add($"IHDR bit depth = {data[8]}");
                break;
            }
            case 3:
                data[9] = (byte)(random.Next(4) == 0 ? random.Next(256) : random.Next(8));
                steps.Add($"IHDR color type = {data[9]}");
                break;
            case 4:
            {
                // Color type and bit depth together, so that valid but mismatched combinations come up often.
                (byte Type, byte Depth)[] combos = [(0, 1), (0, 2), (0, 4), (0, 8), (0, 16), (2, 8), (2, 16), (3, 1), (3, 2), (3, 4), (3, 8), (4, 8), (4, 16), (6, 8), (6, 16)];
                var (type, depth) = combos[random.Next(combos.Length)];
                data[8] = depth;
                data[9] = type;
                steps.Add($"IHDR color type {type}, bit depth {depth}");
                break;
            }
            default:
            {
                int field = 10 + random.Next(3); // compression, filter, interlace
                data[field] = (byte)(random.Next(3) == 0 ? random.Next(256) : random.Next(2));
                steps.Add($"IHDR byte {field} = {data[field]}");
                break;
            }
        }
        chunks[i] = ("IHDR", data);
    }

    /// <summary>Replaces the IDAT chunks with mutated image data: scanlines changed and recompressed, or the zlib stream itself changed.</summary>
    private static void MutateImageData(Mutator mutator, List<(string Type, byte[] Data)> chunks, List<string> steps)
    {
        var random = mutator.Random;
        int first = chunks.FindIndex(c => c.Type == "IDAT");
        if (first < 0) return;
        byte[] compressed = [.. chunks.Where(c => c.Type == "IDAT").SelectMany(c => c.Data)];
        if (random.Next(2) == 0 && Inflate(compressed) is byte[] scanlines)
        {
            switch (random.Next(4))
            {
                case 0 when scanlines.Length > 0:
                {
                    // A filter type byte (row 0 sits at 0; other rows are somewhere after it): any value, mostly invalid.
                    int at = random.Next(2) == 0 ? 0 : random.Next(scanlines.Length);
                    scanlines[at] = (byte)random.Next(256);
                    steps.Add($"scanline byte {at} = {scanlines[at]}");
                    break;
                }
                case 1:
                {
                    // Random samples: out-of-palette indices, new filter types.
                    random.NextBytes(scanlines);
                    steps.Add("random scanlines");
                    break;
                }
                default:
                {
                    var mutated = mutator.Generic(scanlines);
                    steps.Add($"scanlines {scanlines.Length}->{mutated.Length} bytes");
                    scanlines = mutated;
                    break;
                }
            }
            compressed = Deflate(scanlines);
        }
        else
        {
            var mutated = random.Next(4) == 0 ? Mutator.SetInt32(compressed, compressed.Length - 4, mutator.Extreme()) : mutator.Generic(compressed);
            steps.Add($"zlib stream {compressed.Length}->{mutated.Length} bytes");
            compressed = mutated;
        }

        chunks.RemoveAll(c => c.Type == "IDAT");
        int pieces = Math.Min(compressed.Length, random.Next(1, 4));
        int position = 0;
        for (int p = 0; p < pieces; p++)
        {
            int length = p == pieces - 1 ? compressed.Length - position : random.Next(1, compressed.Length - position - (pieces - p - 1) + 1);
            chunks.Insert(Math.Min(first + p, chunks.Count), ("IDAT", compressed[position..(position + length)]));
            position += length;
        }
        if (pieces == 0) chunks.Insert(Math.Min(first, chunks.Count), ("IDAT", []));
    }

    private static byte[]? Inflate(byte[] compressed)
    {
        try
        {
            using var zlib = new ZLibStream(new MemoryStream(compressed), CompressionMode.Decompress);
            var output = new MemoryStream();
            zlib.CopyTo(output);
            return output.ToArray();
        }
        catch (Exception e) when (e is InvalidDataException or IOException) // IOException: .NET's internal ZLibException
        {
            return null;
        }
    }

    private static byte[] Deflate(byte[] data)
    {
        var output = new MemoryStream();
        using (var zlib = new ZLibStream(output, CompressionLevel.Fastest, leaveOpen: true))
            zlib.Write(data);
        return output.ToArray();
    }

    /// <summary>An IHDR and a tiny (valid) zlib stream: the header's size is a lie the data cannot back.</summary>
    private static byte[] LyingPng(uint width, uint height, byte bitDepth, byte colorType)
    {
        var header = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(header, width);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4), height);
        header[8] = bitDepth;
        header[9] = colorType;
        return TestPng.Assemble([("IHDR", header), ("IDAT", Deflate(new byte[16])), ("IEND", [])]);
    }

    [TestMethod]
    [DataRow(100000u, 100000u, (byte)8, (byte)0, DisplayName = "100000x100000 gray8")]
    [DataRow(100000u, 100000u, (byte)16, (byte)6, DisplayName = "100000x100000 rgba16")]
    [DataRow(0x7FFFFFFFu, 1u, (byte)8, (byte)0, DisplayName = "2^31-1 x 1")]
    [DataRow(0xFFFFFFFFu, 0xFFFFFFFFu, (byte)8, (byte)0, DisplayName = "2^32-1 x 2^32-1")]
    [DataRow(8192u, 8192u, (byte)16, (byte)6, DisplayName = "8192x8192 rgba16 (over the pixel limit, 512 MB of raw data)")]
    [DataRow(8192u, 8192u, (byte)8, (byte)0, DisplayName = "8192x8192 gray8 (over the pixel limit)")]
    [DataRow(65536u, 1024u, (byte)8, (byte)2, DisplayName = "65536x1024 rgb8 (over the pixel limit)")]
    public void LyingHeaderFailsFastWithoutAllocating(uint width, uint height, byte bitDepth, byte colorType)
    {
        var png = LyingPng(width, height, bitDepth, colorType);
        try
        {
            PngDecoder.Decode(LyingPng(2, 2, bitDepth, colorType), "warm-up.png"); // JIT and statics, not measured
        }
        catch (InvalidDataException)
        {
        }

        var (bytes, thrown, elapsed) = Fuzzing.MeasureAllocation(() => PngDecoder.Decode(png, "liar.png"));

        Assert.IsNotNull(thrown, $"a {png.Length}-byte PNG claiming {width}×{height} pixels decoded");
        Assert.AreEqual(typeof(InvalidDataException), thrown.GetType(), $"expected InvalidDataException, got {thrown}");
        StringAssert.StartsWith(thrown.Message, "liar.png: ");
        Assert.IsLessThan(4L << 20, bytes, $"decoding a {png.Length}-byte PNG claiming {width}×{height} pixels allocated {bytes:N0} bytes: {thrown.Message}");
        Assert.IsLessThan(TimeSpan.FromSeconds(2), elapsed);
    }

    [TestMethod]
    public void LargeButHonestImageStillDecodes()
    {
        // The memory guard must not reject a legitimate image that compresses extremely well.
        var png = PngEncoder.EncodeGray8(new byte[2048 * 2048], 2048, 2048);
        var image = PngDecoder.Decode(png, "black.png");
        Assert.AreEqual(2048, image.Width);
        Assert.AreEqual(0f, image.Gray.Max());
    }
}
