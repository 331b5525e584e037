using System.Globalization;
using System.IO.Compression;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetMlp.Data;
using MlNetMlp.Study;
using MlNetMlp.Tests.Study;

namespace MlNetMlp.Tests.Hardening;

/// <summary>
/// A model file whose bytes changed after it was saved is refused, and so is a network that cannot score (NaN or
/// infinite weights, sizes that disagree), with a message naming the file and the real cause; a model is not
/// evaluated on data of other classes than its own.
/// </summary>
[TestClass]
public sealed class ModelIntegrityTests
{
    private sealed class Row
    {
        public uint Label { get; set; }

        public float[] Features { get; set; } = [];
    }

    // 6 features, hidden [5], 3 classes: the MLP payload holds the layer sizes [6, 5, 3] and a weight count of 30.
    private static (MLContext ml, IDataView data) Data()
    {
        var ml = new MLContext(seed: 1);
        var random = new Random(5);
        var rows = Enumerable.Range(0, 200).Select(i => new Row
        {
            Label = (uint)(i % 3) + 1,
            Features = Enumerable.Range(0, 6).Select(j => (float)(random.NextDouble() + (i % 3 == j % 3 ? 2 : 0))).ToArray(),
        }).ToArray();
        var definition = SchemaDefinition.Create(typeof(Row));
        definition[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 6);
        definition[nameof(Row.Label)].ColumnType = new KeyDataViewType(typeof(uint), 3);
        return (ml, ml.Data.LoadFromEnumerable(rows, definition));
    }

    private static MulticlassNetworkTransformer<MlpModelParameters> TrainMlp(MLContext ml, IDataView data) =>
        new MlpTrainer(ml, new MlpTrainer.Options { HiddenLayers = [5], Epochs = 2, Seed = 11, NumberOfThreads = 1 }).Fit(data);

    private static readonly SyntheticDataView Images = new(rows: 64, features: 64, classes: 3, seed: 1, spread: 0.5f);

    private static MulticlassNetworkTransformer<CnnModelParameters> TrainCnn(MLContext ml) => new CnnTrainer(ml, new CnnTrainer.Options
    {
        ImageColumnName = "Features", Layers = "conv4,bn,relu,pool,flatten", Epochs = 1, BatchSize = 16, PixelScale = 1,
        Seed = 1, NumberOfThreads = 1, MonitoringSubsetSize = 0,
    }).Fit(Images);

    private static string TempFile(string name) => Path.Combine(Path.GetTempPath(), $"mlnetmlp-integrity-{name}-{Guid.NewGuid():N}.zip");

    [TestMethod]
    public void EveryBitFlipInsideTheCompressedModelIsRefusedNamingTheFile()
    {
        var (ml, data) = Data();
        string good = TempFile("good"), bad = TempFile("flipped");
        try
        {
            ModelFile.Save(ml, TrainMlp(ml, data), data.Schema, good);
            var bytes = File.ReadAllBytes(good);
            var (start, length) = LargestCompressedEntry(bytes);
            Assert.IsGreaterThan(100, length, "the model's payload");
            int loaded = 0;
            var survivors = new List<string>();
            // 24 single-bit flips spread over the deflate data (its first bytes are block headers; skip them).
            for (int k = 0; k < 24; k++)
            {
                int at = start + 8 + (int)((long)(length - 16) * k / 24);
                var flipped = (byte[])bytes.Clone();
                flipped[at] ^= (byte)(1 << (k % 8));
                File.WriteAllBytes(bad, flipped);
                try
                {
                    ModelFile.Load(new MLContext(seed: 1), bad, out _);
                    loaded++;
                    survivors.Add($"byte {at} bit {k % 8}");
                }
                catch (InvalidDataException e)
                {
                    StringAssert.Contains(e.Message, bad);
                }
            }
            Assert.AreEqual(0, loaded, $"corrupt model files that loaded: {string.Join(", ", survivors)}");

            // The untouched file still loads.
            Assert.IsNotNull(ModelFile.Load(new MLContext(seed: 1), good, out _));
        }
        finally
        {
            File.Delete(good);
            File.Delete(bad);
        }
    }

    [TestMethod]
    public void ACorruptEntryIsNamedWithItsChecksums()
    {
        var (ml, data) = Data();
        string good = TempFile("good"), bad = TempFile("crc");
        try
        {
            ModelFile.Save(ml, TrainMlp(ml, data), data.Schema, good);
            // The same entries with one payload byte changed, but the stored CRC-32 of the original (as a flipped bit on disk gives).
            var bytes = File.ReadAllBytes(good);
            var (start, length) = LargestCompressedEntry(bytes);
            bool refused = false;
            for (int at = start + length / 2; at < start + length && !refused; at++)
            {
                var flipped = (byte[])bytes.Clone();
                flipped[at] ^= 0x10;
                File.WriteAllBytes(bad, flipped);
                try
                {
                    ModelFile.Load(new MLContext(seed: 1), bad, out _);
                    Assert.Fail($"byte {at} flipped, and the model loaded");
                }
                catch (InvalidDataException e) when (e.Message.Contains("CRC-32", StringComparison.Ordinal))
                {
                    StringAssert.Contains(e.Message, bad);
                    StringAssert.Contains(e.Message, "Model.key");
                    refused = true;
                }
                catch (InvalidDataException)
                {
                    // This flip broke the deflate stream itself; try the next byte for one that decodes to other data.
                }
            }
            Assert.IsTrue(refused, "no flip decoded to other data");
        }
        finally
        {
            File.Delete(good);
            File.Delete(bad);
        }
    }

    [TestMethod]
    public void ATamperedWeightCountNamesTheRealCauseAndTheFile()
    {
        var (ml, data) = Data();
        string good = TempFile("good"), bad = TempFile("count");
        try
        {
            ModelFile.Save(ml, TrainMlp(ml, data), data.Schema, good);
            var (entryName, payload) = MlpPayload(File.ReadAllBytes(good));
            // Layer sizes [6, 5, 3] (count 3), then activation, leaky slope, ELU alpha, then layer 0's weight count (30).
            int sizes = IndexOfInts(payload, 3, 6, 5, 3);
            int countAt = sizes + 16 + 12;
            Assert.AreEqual(30, BitConverter.ToInt32(payload, countAt), "layer 0's weight count");
            BitConverter.TryWriteBytes(payload.AsSpan(countAt), 31);
            File.WriteAllBytes(bad, Rezip(File.ReadAllBytes(good), entryName, payload));

            var e = Assert.ThrowsExactly<InvalidDataException>(() => ModelFile.Load(new MLContext(seed: 1), bad, out _));
            StringAssert.Contains(e.Message, bad);
            StringAssert.Contains(e.Message, "layer 0 weights has 31 values, expected 30");
            Assert.DoesNotContain("target of an invocation", e.Message);
        }
        finally
        {
            File.Delete(good);
            File.Delete(bad);
        }
    }

    [TestMethod]
    [DataRow("mlp", float.NaN)]
    [DataRow("mlp", float.PositiveInfinity)]
    [DataRow("cnn", float.NaN)]
    [DataRow("cnn", float.NegativeInfinity)]
    public void NonFiniteWeightsAreRefusedAtLoadNamingTheFile(string kind, float value)
    {
        var ml = new MLContext(seed: 1);
        string path = TempFile($"{kind}-nonfinite");
        try
        {
            if (kind == "mlp")
            {
                var (_, data) = Data();
                var mlp = TrainMlp(ml, data);
                mlp.Model.Network.Weights[1][4] = value;
                ModelFile.Save(ml, mlp, data.Schema, path);
            }
            else
            {
                var cnn = TrainCnn(ml);
                cnn.Model.Network.Parameters[7] = value;
                ModelFile.Save(ml, cnn, Images.Schema, path);
            }
            var e = Assert.ThrowsExactly<InvalidDataException>(() => ModelFile.Load(new MLContext(seed: 1), path, out _));
            StringAssert.Contains(e.Message, path);
            StringAssert.Contains(e.Message, value.ToString(CultureInfo.InvariantCulture));

            // Loaded with ML.NET's own Model.Load (no file checks), our loader still refuses the network.
            using var stream = File.OpenRead(path);
            var direct = Assert.Throws<Exception>(() => new MLContext(seed: 1).Model.Load(stream, out _));
            var cause = Innermost(direct);
            Assert.IsInstanceOfType<InvalidDataException>(cause, direct.ToString());
            StringAssert.Contains(cause.Message, value.ToString(CultureInfo.InvariantCulture));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void ASavedModelStillLoadsAndScoresBitForBit()
    {
        var (ml, data) = Data();
        string path = TempFile("roundtrip");
        try
        {
            var mlp = TrainMlp(ml, data);
            ModelFile.Save(ml, mlp, data.Schema, path);
            var loaded = (MulticlassNetworkTransformer<MlpModelParameters>)ModelFile.Load(new MLContext(seed: 1), path, out _);
            float[] features = [0.5f, 2.1f, 0.3f, 0.9f, 2.4f, 0.1f];
            CollectionAssert.AreEqual(mlp.Model.PredictProbabilities(features), loaded.Model.PredictProbabilities(features));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void TheSweepRefusesToTestItsModelOnDataOfOtherClasses()
    {
        // Every evaluation that reports metrics (CLI train/evaluate, sweep, study) checks the classes: here the sweep's.
        var train = StudyTestData.Images(90);
        var sameImages = StudyTestData.Images(30, seed: 9);
        var otherClasses = new LabeledImages(sameImages.Pixels, sameImages.Labels, sameImages.Height, sameImages.Width, ["zero", "one", "seven"]);
        var best = new SweepTrialResult
        {
            Hash = "abc123", Config = new MlpTrialConfig { HiddenLayers = [8], Epochs = 1, BatchSize = 30 },
            Protocol = new SweepProtocol(3, 1, 90), Status = SweepTrialStatus.Ok, MeanAccuracy = 0.9,
        };
        var e = Assert.ThrowsExactly<InvalidDataException>(() => SweepRunner.RetrainAndTest(train, otherClasses, best, threads: 1));
        StringAssert.Contains(e.Message, "abc123");
        StringAssert.Contains(e.Message, "(zero, one, two)");
        StringAssert.Contains(e.Message, "(zero, one, seven)");

        var (result, _, _) = SweepRunner.RetrainAndTest(train, sameImages, best, threads: 1);
        Assert.AreEqual(30, result.TestRows);
    }

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException != null) e = e.InnerException;
        return e;
    }

    /// <summary>Start and length of the largest entry's compressed data, read from the zip's local file headers.</summary>
    private static (int Start, int Length) LargestCompressedEntry(byte[] zip)
    {
        (int Start, int Length) best = (0, 0);
        int at = 0;
        while (at + 30 <= zip.Length && BitConverter.ToUInt32(zip, at) == 0x04034b50)
        {
            int compressed = BitConverter.ToInt32(zip, at + 18);
            int nameLength = BitConverter.ToUInt16(zip, at + 26), extraLength = BitConverter.ToUInt16(zip, at + 28);
            int start = at + 30 + nameLength + extraLength;
            if (compressed > best.Length) best = (start, compressed);
            at = start + compressed;
        }
        return best;
    }

    internal static (string EntryName, byte[] Payload) MlpPayload(byte[] zip)
    {
        using var archive = new ZipArchive(new MemoryStream(zip));
        var entry = archive.Entries.Where(e => e.FullName.EndsWith("Model.key", StringComparison.Ordinal)).MaxBy(e => e.Length)!;
        using var stream = entry.Open();
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return (entry.FullName, buffer.ToArray());
    }

    internal static int IndexOfInts(byte[] bytes, params int[] values)
    {
        var pattern = values.SelectMany(BitConverter.GetBytes).ToArray();
        int index = bytes.AsSpan().IndexOf(pattern);
        Assert.IsGreaterThanOrEqualTo(0, index, $"the ints {string.Join(", ", values)} in the payload");
        return index;
    }

    // Writes fresh entries (so their CRC-32 values are right) with one entry's data replaced.
    internal static byte[] Rezip(byte[] original, string entryName, byte[] payload)
    {
        using var output = new MemoryStream();
        using (var source = new ZipArchive(new MemoryStream(original)))
        using (var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var entry in source.Entries)
            {
                using var to = zip.CreateEntry(entry.FullName).Open();
                if (entry.FullName == entryName) to.Write(payload);
                else
                {
                    using var from = entry.Open();
                    from.CopyTo(to);
                }
            }
        }
        return output.ToArray();
    }
}
