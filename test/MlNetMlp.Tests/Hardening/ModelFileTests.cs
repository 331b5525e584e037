using System.IO.Compression;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetMlp.Data;

namespace MlNetMlp.Tests.Hardening;

[TestClass]
public sealed class ModelFileTests
{
    private sealed class Row
    {
        public uint Label { get; set; }

        public float[] Features { get; set; } = [];
    }

    private static (MLContext ml, IDataView data) Data(int rows = 300)
    {
        var ml = new MLContext(seed: 1);
        var random = new Random(5);
        var data = Enumerable.Range(0, rows).Select(i => new Row
        {
            Label = (uint)(i % 3) + 1,
            Features = Enumerable.Range(0, 6).Select(j => (float)(random.NextDouble() + (i % 3 == j % 3 ? 2 : 0))).ToArray(),
        }).ToArray();
        var definition = SchemaDefinition.Create(typeof(Row));
        definition[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 6);
        definition[nameof(Row.Label)].ColumnType = new KeyDataViewType(typeof(uint), 3);
        return (ml, ml.Data.LoadFromEnumerable(data, definition));
    }

    private static MulticlassNetworkTransformer<MlpModelParameters> Train(MLContext ml, IDataView data) =>
        new MlpTrainer(ml, new MlpTrainer.Options { HiddenLayers = [5], Epochs = 2, Seed = 11, NumberOfThreads = 2 }).Fit(data);

    private static string TempFile(string name) => Path.Combine(Path.GetTempPath(), $"mlnetmlp-{name}-{Guid.NewGuid():N}.zip");

    [TestMethod]
    public void SameDataOptionsSeedAndThreadsGiveByteIdenticalModelFiles()
    {
        var (ml, data) = Data();
        string a = TempFile("det-a"), b = TempFile("det-b");
        try
        {
            ModelFile.Save(ml, Train(ml, data), data.Schema, a);
            Thread.Sleep(2100); // zip timestamps have 2-second resolution: make a difference visible if any
            ModelFile.Save(new MLContext(seed: 1), Train(new MLContext(seed: 1), data), data.Schema, b);
            CollectionAssert.AreEqual(File.ReadAllBytes(a), File.ReadAllBytes(b));
        }
        finally
        {
            File.Delete(a);
            File.Delete(b);
        }
    }

    [TestMethod]
    public void SaveLeavesNoTemporaryFilesAndReplacesAtomically()
    {
        var (ml, data) = Data();
        var dir = Directory.CreateTempSubdirectory("mlnetmlp-atomic-").FullName;
        try
        {
            var path = Path.Combine(dir, "model.zip");
            File.WriteAllText(path, "old");
            ModelFile.Save(ml, Train(ml, data), data.Schema, path);
            CollectionAssert.AreEqual(new[] { "model.zip" }, Directory.GetFiles(dir).Select(Path.GetFileName).ToArray());
            Assert.IsNotNull(ModelFile.Load(new MLContext(), path, out _));

            // A failing save (the model cannot be saved) keeps the old file and leaves no temporary behind.
            Assert.ThrowsExactly<InvalidOperationException>(() => AtomicFile.Write(path, _ => throw new InvalidOperationException("boom")));
            CollectionAssert.AreEqual(new[] { "model.zip" }, Directory.GetFiles(dir).Select(Path.GetFileName).ToArray());
            Assert.IsNotNull(ModelFile.Load(new MLContext(), path, out _));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void MissingEmptyForeignAndTruncatedModelFilesAreNamed()
    {
        var (ml, data) = Data();
        var good = TempFile("good");
        var bad = TempFile("bad");
        try
        {
            ModelFile.Save(ml, Train(ml, data), data.Schema, good);
            var bytes = File.ReadAllBytes(good);

            var missing = Assert.ThrowsExactly<FileNotFoundException>(() => ModelFile.Load(ml, bad, out _));
            StringAssert.Contains(missing.Message, bad);

            File.WriteAllBytes(bad, []);
            StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => ModelFile.Load(ml, bad, out _)).Message, "is empty");

            File.WriteAllText(bad, "this is not a model");
            var foreign = Assert.ThrowsExactly<InvalidDataException>(() => ModelFile.Load(ml, bad, out _));
            StringAssert.Contains(foreign.Message, bad);

            using (var zip = ZipFile.Open(bad + ".other.zip", ZipArchiveMode.Create))
                zip.CreateEntry("readme.txt");
            var otherZip = Assert.ThrowsExactly<InvalidDataException>(() => ModelFile.Load(ml, bad + ".other.zip", out _));
            StringAssert.Contains(otherZip.Message, "not an ML.NET model");
            File.Delete(bad + ".other.zip");

            foreach (int length in new[] { 10, bytes.Length / 3, bytes.Length / 2, bytes.Length - 30, bytes.Length - 1 })
            {
                File.WriteAllBytes(bad, bytes[..length]);
                var truncated = Assert.ThrowsExactly<InvalidDataException>(() => ModelFile.Load(ml, bad, out _), $"length {length}");
                StringAssert.Contains(truncated.Message, bad);
            }
        }
        finally
        {
            File.Delete(good);
            File.Delete(bad);
        }
    }

    [TestMethod]
    [DataRow("mlp")]
    [DataRow("cnn")]
    public void TenThousandMutatedModelsFailOnlyWithDocumentedExceptions(string kind)
    {
        var good = TempFile("fuzz-good");
        if (kind == "mlp")
        {
            var (ml, data) = Data(120);
            ModelFile.Save(ml, Train(ml, data), data.Schema, good);
        }
        else
        {
            // A tiny CNN, so that mutations reach its own payload reader (layer text, tensors, running statistics).
            var ml = new MLContext(seed: 1);
            var images = new SyntheticDataView(rows: 64, features: 64, classes: 3, seed: 1, spread: 0.5f);
            var cnn = new CnnTrainer(ml, new CnnTrainer.Options
            {
                ImageColumnName = "Features", Layers = "conv4,bn,relu,pool,flatten", Epochs = 1, BatchSize = 16, PixelScale = 1,
                Seed = 1, NumberOfThreads = 1, MonitoringSubsetSize = 0,
            }).Fit(images);
            ModelFile.Save(ml, cnn, images.Schema, good);
        }
        var original = File.ReadAllBytes(good);
        File.Delete(good);

        // Mutate the uncompressed payload of our Model.key too, so mutations reach our loader and not only the zip layer.
        byte[] payload;
        string entryName;
        using (var zip = new ZipArchive(new MemoryStream(original)))
        {
            var entry = zip.Entries.Where(e => e.FullName.EndsWith("Model.key", StringComparison.Ordinal)).MaxBy(e => e.Length)!;
            Assert.IsGreaterThan(200, entry.Length, $"{kind}: the model's payload");
            entryName = entry.FullName;
            using var stream = entry.Open();
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            payload = buffer.ToArray();
        }

        var path = TempFile("fuzz");
        var context = new MLContext(seed: 1);
        int loaded = 0, rejected = 0;
        try
        {
            for (int iteration = 0; iteration < 10_000; iteration++)
            {
                var random = new Random(iteration);
                byte[] mutated = iteration % 2 == 0 ? MutateBytes(original, random) : Rezip(original, entryName, MutateBytes(payload, random));
                File.WriteAllBytes(path, mutated);
                try
                {
                    var model = ModelFile.Load(context, path, out var schema);
                    loaded++;
                }
                catch (InvalidDataException e)
                {
                    StringAssert.Contains(e.Message, path, $"{kind}, iteration {iteration}");
                    rejected++;
                }
                catch (Exception e)
                {
                    Assert.Fail($"{kind}, iteration {iteration}: undocumented {e.GetType().Name}: {e.Message}");
                }
            }
        }
        finally
        {
            File.Delete(path);
        }
        Assert.AreEqual(10_000, loaded + rejected);
        Assert.IsGreaterThan(1000, rejected, "the mutations should break most files");
    }

    private static byte[] MutateBytes(byte[] source, Random random)
    {
        var bytes = (byte[])source.Clone();
        switch (random.Next(4))
        {
            case 0: // flip a few bytes
                for (int i = 0, n = random.Next(1, 6); i < n; i++) bytes[random.Next(bytes.Length)] ^= (byte)random.Next(1, 256);
                return bytes;
            case 1: // truncate
                return bytes[..random.Next(bytes.Length)];
            case 2: // set an int32 somewhere to an extreme value
            {
                int at = random.Next(Math.Max(1, bytes.Length - 4));
                int[] extremes = [0, -1, int.MaxValue, int.MinValue, 1 << 24, 1 << 30, 7];
                BitConverter.TryWriteBytes(bytes.AsSpan(at), extremes[random.Next(extremes.Length)]);
                return bytes;
            }
            default: // insert garbage
            {
                int at = random.Next(bytes.Length);
                var garbage = new byte[random.Next(1, 16)];
                random.NextBytes(garbage);
                return [.. bytes[..at], .. garbage, .. bytes[at..]];
            }
        }
    }

    private static byte[] Rezip(byte[] original, string entryName, byte[] payload)
    {
        using var output = new MemoryStream();
        using (var source = new ZipArchive(new MemoryStream(original)))
        using (var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var entry in source.Entries)
            {
                var copy = zip.CreateEntry(entry.FullName);
                using var to = copy.Open();
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
