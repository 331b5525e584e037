using System.Buffers.Binary;
using System.IO.Compression;
using System.Security.Cryptography;
using MlNetMlp.Data;
using MlNetMlp.Tests.Data;

namespace MlNetMlp.Tests.Hardening;

/// <summary>
/// Feeds <see cref="IdxReader"/> thousands of seeded mutations of small valid IDX files, raw and gzip, and checks it
/// either reads exactly what an independent parser finds in the bytes, or fails with the one documented exception
/// (<see cref="InvalidDataException"/>, message starting with the path), without hanging or allocating more than
/// the file could hold.
/// </summary>
[TestClass]
public sealed class IdxFuzzTests
{
    private static readonly int IterationsPerSeed = Fuzzing.Iterations(4_000);

    /// <summary>Any single read of a file of a few hundred bytes must stay far below this.</summary>
    private const long AllocationLimit = 4L << 20;

    private static TempDirectory _temp = null!;

    [ClassInitialize]
    public static void CreateTempDirectory(TestContext _) => _temp = new TempDirectory();

    [ClassCleanup]
    public static void DeleteTempDirectory() => _temp.Dispose();

    private enum Operation { ReadImages, ReadLabels, ContentSha256 }

    private static readonly (string Name, bool IsImages, byte[] Content)[] Bases =
    [
        ("5 images 4x3", true, IdxBytes.Images(5, 4, 3, IdxBytes.FakePixel)),
        ("1 image 1x1", true, IdxBytes.Images(1, 1, 1, IdxBytes.FakePixel)),
        ("0 images 28x28", true, IdxBytes.Images(0, 28, 28, IdxBytes.FakePixel)),
        ("5 labels", false, IdxBytes.Labels(9, 0, 3, 255, 7)),
        ("0 labels", false, IdxBytes.Labels()),
    ];

    [TestMethod]
    [DataRow(20240601)]
    [DataRow(7)]
    [DataRow(987654321)]
    public void MutatedIdxFilesReadConsistentlyOrFailWithInvalidData(int seed)
    {
        seed = Fuzzing.Seed(seed);
        string path = Path.Combine(_temp.Path, $"fuzz-{seed}.idx");
        int iteration = -1;
        Fuzzing.RunWithWatchdog(Fuzzing.Limit(IterationsPerSeed), () => $"seed {seed}, iteration {iteration}", () =>
        {
            var random = new Random(seed);
            var mutator = new Mutator(random);
            var outcomes = new Dictionary<string, int>();
            for (iteration = 0; iteration < IterationsPerSeed; iteration++)
            {
                var (baseName, isImages, content) = Bases[random.Next(Bases.Length)];
                var (file, description) = Mutate(mutator, content, isImages);
                int pick = random.Next(20);
                var operation = pick < 15 ? (isImages ? Operation.ReadImages : Operation.ReadLabels)
                    : pick < 18 ? (isImages ? Operation.ReadLabels : Operation.ReadImages)
                    : Operation.ContentSha256;
                bool sha = random.Next(2) == 0;
                File.WriteAllBytes(path, file);

                string context = $"seed {seed}, iteration {iteration}: {baseName} {description}, {operation}(sha: {sha}), file {Convert.ToHexString(file)}";
                string outcome = Check(path, file, operation, sha, context);
                outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
            }
            // The mutations must reach both outcomes often, or the fuzzer tests little.
            Assert.IsGreaterThan(IterationsPerSeed / 20, outcomes.GetValueOrDefault("ok"), $"seed {seed}: too few mutants read successfully");
            Assert.IsGreaterThan(IterationsPerSeed / 2, outcomes.GetValueOrDefault("invalid"), $"seed {seed}: too few mutants rejected");
        });
    }

    /// <summary>Reads the file and checks the outcome against <see cref="Expected"/>; returns "ok" or "invalid".</summary>
    private static string Check(string path, byte[] file, Operation operation, bool sha, string context)
    {
        byte[]? content = Decompressed(file);
        object? result = null;
        var (bytes, thrown, elapsed) = Fuzzing.MeasureAllocation(() => result = operation switch
        {
            Operation.ReadImages => IdxReader.ReadImages(path, sha),
            Operation.ReadLabels => IdxReader.ReadLabels(path, sha),
            _ => IdxReader.ComputeContentSha256(path),
        });

        Assert.IsLessThan(AllocationLimit, bytes, $"{context}: allocated {bytes} bytes for a {file.Length}-byte file ({thrown?.GetType().Name})");
        Assert.IsLessThan(TimeSpan.FromSeconds(5), elapsed, $"{context}: took {elapsed}");
        if (thrown is not null && thrown is not InvalidDataException)
            Assert.Fail($"{context}: undocumented exception {thrown}");
        if (thrown is not null)
            StringAssert.StartsWith(thrown.Message, path + ": ", $"{context}: the message must start with the path");

        string? expectedProblem = file.Length == 0 ? "empty file" : content is null ? "corrupt gzip" : Expected(content, operation);
        if (expectedProblem is not null)
        {
            Assert.IsNotNull(thrown, $"{context}: read succeeded although the content is invalid ({expectedProblem})");
            return "invalid";
        }
        Assert.IsNull(thrown, $"{context}: valid content was rejected: {thrown}");
        byte[] known = content!;
        string hash = Convert.ToHexStringLower(SHA256.HashData(known));
        switch (result)
        {
            case IdxImages images:
                Assert.AreEqual(BinaryPrimitives.ReadInt32BigEndian(known.AsSpan(4)), images.Count, context);
                Assert.AreEqual(BinaryPrimitives.ReadInt32BigEndian(known.AsSpan(8)), images.Rows, context);
                Assert.AreEqual(BinaryPrimitives.ReadInt32BigEndian(known.AsSpan(12)), images.Columns, context);
                Assert.AreEqual((long)images.Count * images.Rows * images.Columns, images.Pixels.LongLength, context);
                CollectionAssert.AreEqual(known[16..], images.Pixels, context);
                Assert.AreEqual(sha ? hash : null, images.ContentSha256, context);
                Assert.AreEqual(path, images.SourcePath, context);
                break;
            case IdxLabels labels:
                Assert.AreEqual(BinaryPrimitives.ReadInt32BigEndian(known.AsSpan(4)), labels.Count, context);
                CollectionAssert.AreEqual(known[8..], labels.Labels, context);
                Assert.AreEqual(sha ? hash : null, labels.ContentSha256, context);
                break;
            case string knownHash:
                Assert.AreEqual(hash, knownHash, context);
                break;
            default:
                Assert.Fail($"{context}: unexpected result {result}");
                break;
        }
        return "ok";
    }

    /// <summary>
    /// Independent oracle: why <paramref name="content"/> (the decompressed bytes) must be rejected by the
    /// operation, or null when it is a well-formed file of the kind read.
    /// </summary>
    private static string? Expected(byte[] content, Operation operation)
    {
        // The content hash is defined for any content, even an empty gzip stream's.
        if (operation == Operation.ContentSha256) return null;
        bool images = operation == Operation.ReadImages;
        int headerLength = images ? 16 : 8;
        if (content.Length < headerLength) return "short header";
        if (BinaryPrimitives.ReadInt32BigEndian(content) != (images ? IdxReader.ImagesMagic : IdxReader.LabelsMagic)) return "magic";
        long count = BinaryPrimitives.ReadInt32BigEndian(content.AsSpan(4));
        if (count < 0) return "negative count";
        long size = 1;
        if (images)
        {
            int rows = BinaryPrimitives.ReadInt32BigEndian(content.AsSpan(8));
            int columns = BinaryPrimitives.ReadInt32BigEndian(content.AsSpan(12));
            if (rows is < 1 or > IdxReader.MaxImageSide || columns is < 1 or > IdxReader.MaxImageSide) return "image size";
            size = (long)rows * columns;
        }
        return content.Length == headerLength + count * size ? null : "length differs from the header";
    }

    /// <summary>The file's content as the reader should see it: gunzipped when it starts with the gzip magic, null when that fails.</summary>
    private static byte[]? Decompressed(byte[] file)
    {
        if (!IdxReader.IsGzip(file)) return file;
        try
        {
            using var gzip = new GZipStream(new MemoryStream(file), CompressionMode.Decompress);
            var output = new MemoryStream();
            gzip.CopyTo(output);
            return output.ToArray();
        }
        catch (InvalidDataException)
        {
            return null;
        }
    }

    private static (byte[] File, string Description) Mutate(Mutator mutator, byte[] content, bool isImages)
    {
        var random = mutator.Random;
        var steps = new List<string>();
        bool gzip = random.Next(2) == 0;
        int mode = gzip ? random.Next(3) : 0; // 0: content only, 1: compressed stream only, 2: both
        if (mode != 1)
            for (int n = random.Next(1, 4); n > 0; n--)
                content = MutateContent(mutator, content, isImages, steps);
        if (!gzip)
            return (content, "raw: " + string.Join(", ", steps));

        byte[] file = IdxBytes.Gzip(content);
        if (random.Next(25) == 0)
        {
            file = IdxBytes.Gzip(file);
            steps.Add("gzip twice");
        }
        if (mode != 0)
            for (int n = random.Next(1, 4); n > 0; n--)
                file = MutateGzip(mutator, file, steps);
        return (file, "gzip: " + string.Join(", ", steps));
    }

    private static byte[] MutateContent(Mutator mutator, byte[] content, bool isImages, List<string> steps)
    {
        var random = mutator.Random;
        switch (random.Next(5))
        {
            case 0:
            case 1:
            {
                // A header int: magic, count, rows or columns.
                int field = random.Next(isImages ? 4 : 2);
                int value = mutator.Extreme();
                steps.Add($"header int {field} = 0x{value:x8}");
                return Mutator.SetInt32(content, 4 * field, value);
            }
            case 2:
            {
                int[] magics = [IdxReader.ImagesMagic, IdxReader.LabelsMagic, 0x00000802, 0x00000C03, 0x03080000, 0x1F8B0800, 0, -1];
                int magic = magics[random.Next(magics.Length)];
                steps.Add($"magic = 0x{magic:x8}");
                return Mutator.SetInt32(content, 0, magic);
            }
            default:
            {
                var mutated = mutator.Generic(content);
                steps.Add($"generic {content.Length}->{mutated.Length} bytes");
                return mutated;
            }
        }
    }

    private static byte[] MutateGzip(Mutator mutator, byte[] file, List<string> steps)
    {
        var random = mutator.Random;
        var result = (byte[])file.Clone();
        switch (random.Next(8))
        {
            case 0 when result.Length > 3:
                // FLG: announce FEXTRA / FNAME / FCOMMENT / FHCRC fields that are not there.
                result[3] = (byte)random.Next(256);
                steps.Add($"gzip FLG = 0x{result[3]:x2}");
                return result;
            case 1 when result.Length > 2:
                result[2] = (byte)random.Next(256);
                steps.Add($"gzip CM = {result[2]}");
                return result;
            case 2 when result.Length >= 8:
            {
                // Trailer: CRC32 or ISIZE.
                int offset = result.Length - (random.Next(2) == 0 ? 8 : 4);
                steps.Add($"gzip trailer @{offset}");
                return Mutator.SetInt32(result, offset, mutator.Extreme());
            }
            case 3 when result.Length > 1:
            {
                int cut = random.Next(1, Math.Min(12, result.Length));
                steps.Add($"gzip minus last {cut} bytes");
                return result[..^cut];
            }
            case 4 when result.Length > 18:
            {
                // The deflate body only: header and trailer stay intact.
                int at = random.Next(10, result.Length - 8);
                result[at] ^= (byte)(1 << random.Next(8));
                steps.Add($"deflate bit flip @{at}");
                return result;
            }
            case 5:
            {
                var second = random.Next(2) == 0 ? IdxBytes.Gzip([1, 2, 3]) : mutator.AppendGarbage([0x1F, 0x8B]);
                steps.Add("second gzip member or garbage");
                return [.. result, .. second];
            }
            default:
            {
                var mutated = mutator.Generic(result);
                steps.Add($"generic on gzip {result.Length}->{mutated.Length} bytes");
                return mutated;
            }
        }
    }

    [TestMethod]
    [DataRow("images", 0x7FFFFFC7, false, DisplayName = "raw: Array.MaxLength images of 1x1 in 20 bytes")]
    [DataRow("images", 0x7FFFFFC7, true, DisplayName = "gzip: Array.MaxLength images of 1x1")]
    [DataRow("images", int.MaxValue, false, DisplayName = "raw: 2^31-1 images of 1x1")]
    [DataRow("images", int.MinValue, false, DisplayName = "raw: 2^31 images (negative as int32)")]
    [DataRow("images", 0x40000000, false, DisplayName = "raw: 2^30 images of 1x1")]
    [DataRow("labels", int.MaxValue, false, DisplayName = "raw: 2^31-1 labels in 20 bytes")]
    [DataRow("labels", int.MaxValue, true, DisplayName = "gzip: 2^31-1 labels")]
    [DataRow("labels", 0x7FFFFFC7, false, DisplayName = "raw: Array.MaxLength labels")]
    [DataRow("labels", 0x40000000, true, DisplayName = "gzip: 2^30 labels")]
    public void LyingHeaderOnTinyFileFailsFastWithoutAllocating(string kind, int count, bool gzip)
    {
        bool images = kind == "images";
        var content = new byte[20];
        BinaryPrimitives.WriteInt32BigEndian(content, images ? IdxReader.ImagesMagic : IdxReader.LabelsMagic);
        BinaryPrimitives.WriteInt32BigEndian(content.AsSpan(4), count);
        if (images)
        {
            BinaryPrimitives.WriteInt32BigEndian(content.AsSpan(8), 1);
            BinaryPrimitives.WriteInt32BigEndian(content.AsSpan(12), 1);
        }
        string path = Path.Combine(_temp.Path, $"lying-{kind}-{count:x8}-{gzip}");
        File.WriteAllBytes(path, gzip ? IdxBytes.Gzip(content) : content);

        // Warm up the code path (JIT, statics) on a valid file so only the read itself is measured.
        string valid = Path.Combine(_temp.Path, $"valid-{kind}-{count:x8}-{gzip}");
        File.WriteAllBytes(valid, IdxBytes.Gzip(IdxBytes.Images(1, 1, 1, IdxBytes.FakePixel)));
        IdxReader.ReadImages(valid);
        IdxReader.ReadLabels(WriteValidLabels(valid));
        var (bytes, thrown, elapsed) = Fuzzing.MeasureAllocation(() =>
        {
            if (images) IdxReader.ReadImages(path);
            else IdxReader.ReadLabels(path);
        });

        Assert.IsNotNull(thrown, "a 20-byte file claiming that many items was read");
        Assert.AreEqual(typeof(InvalidDataException), thrown.GetType(), $"expected InvalidDataException, got {thrown}");
        StringAssert.StartsWith(thrown.Message, path + ": ");
        Assert.IsLessThan(4L << 20, bytes, $"reading a 20-byte file claiming {count} items allocated {bytes:N0} bytes");
        Assert.IsLessThan(TimeSpan.FromSeconds(2), elapsed);
    }

    [TestMethod]
    public void HonestHighlyCompressibleGzipStillReads()
    {
        // All-zero content compresses close to deflate's 1032:1 ceiling; the lying-header guard must not reject it.
        var content = IdxBytes.Images(4000, 28, 28, (_, _) => 0);
        var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.SmallestSize, leaveOpen: true))
            gzip.Write(content);
        string path = Path.Combine(_temp.Path, "zeros.gz");
        File.WriteAllBytes(path, output.ToArray());
        Assert.IsGreaterThan(900.0, (double)content.Length / output.Length, "the test needs a file near the ceiling");

        var images = IdxReader.ReadImages(path);
        Assert.AreEqual(4000, images.Count);
        Assert.AreEqual(0, images.Pixels.Max());
    }

    private static string WriteValidLabels(string near)
    {
        string path = near + "-labels";
        File.WriteAllBytes(path, IdxBytes.Labels(1, 2));
        return path;
    }
}
