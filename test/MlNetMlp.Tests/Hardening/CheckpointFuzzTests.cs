using System.Buffers.Binary;
using Microsoft.ML;
using MlNetMlp.Cnn;
using MlNetMlp.Data;
using MlNetMlp.Numerics;

namespace MlNetMlp.Tests.Hardening;

/// <summary>
/// Mutated checkpoints (MLP and CNN) load or fail with an <see cref="InvalidDataException"/> naming the file, without
/// large allocations. Half the mutations get their CRC recomputed, so the parser's own checks are exercised too.
/// </summary>
[TestClass]
public sealed class CheckpointFuzzTests
{
    [TestMethod]
    [DataRow(1)]
    [DataRow(2)]
    public void MutatedCheckpointsLoadOrFailWithInvalidDataNamingTheFile(int seed)
    {
        string directory = Directory.CreateTempSubdirectory("mlnetmlp-ckpt-fuzz-").FullName;
        try
        {
            new MlpTrainer(new MLContext(1), new MlpTrainer.Options
            {
                HiddenLayers = [3], Epochs = 2, Seed = 1, NumberOfThreads = 1, EarlyStopping = true, ValidationFraction = 0.2f, CheckpointDirectory = directory,
            }).Fit(new SyntheticDataView(rows: 50, features: 4, classes: 2, seed: 1));
            Fuzz(TrainingCheckpoint.PathIn(directory), seed, path => TrainingCheckpoint.Load(path));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [TestMethod]
    [DataRow(1)]
    [DataRow(2)]
    public void MutatedCnnCheckpointsLoadOrFailWithInvalidDataNamingTheFile(int seed)
    {
        string directory = Directory.CreateTempSubdirectory("mlnetmlp-cnn-ckpt-fuzz-").FullName;
        try
        {
            // 4×4 images: convolution, batch norm (running statistics) and the output layer in a few hundred bytes.
            new CnnTrainer(new MLContext(1), new CnnTrainer.Options
            {
                ImageColumnName = "Features", PixelScale = 1, Layers = "conv2,bn,relu,pool", Epochs = 2, BatchSize = 10, Seed = 1,
                NumberOfThreads = 1, CheckpointDirectory = directory,
            }).Fit(new SyntheticDataView(rows: 50, features: 16, classes: 2, seed: 1));
            Fuzz(TrainingCheckpoint.PathIn(directory), seed, path => TrainingCheckpoint.Load(path));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static void Fuzz(string path, int seed, Action<string> load)
    {
        byte[] good = File.ReadAllBytes(path);
        load(path); // the intact file loads
        var mutator = new Mutator(new Random(Fuzzing.Seed(seed)));
        int iterations = Fuzzing.Iterations(2_000), iteration = 0, loaded = 0;
        Fuzzing.RunWithWatchdog(Fuzzing.Limit(iterations), () => $"seed {seed}, iteration {iteration}", () =>
        {
            for (; iteration < iterations; iteration++)
            {
                byte[] bytes = mutator.Generic(good);
                if (bytes.Length >= 16 && mutator.Random.Next(2) == 0)
                    BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(bytes.Length - 4), System.IO.Hashing.Crc32.HashToUInt32(bytes.AsSpan(0, bytes.Length - 4)));
                File.WriteAllBytes(path, bytes);
                var (allocated, thrown, _) = Fuzzing.MeasureAllocation(() => load(path));
                if (thrown is null) loaded++;
                else if (thrown is not InvalidDataException || !thrown.Message.Contains(path, StringComparison.Ordinal))
                    Assert.Fail($"seed {seed}, iteration {iteration}: {thrown.GetType().Name}: {thrown.Message}");
                Assert.IsLessThan(16L * bytes.Length + (1 << 20), allocated, $"seed {seed}, iteration {iteration} allocated {allocated:N0} bytes");
            }
        });
        Assert.IsLessThan(iterations, loaded, "most mutations must be refused");
    }
}
