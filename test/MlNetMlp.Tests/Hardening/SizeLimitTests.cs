using System.Buffers.Binary;
using Microsoft.ML;
using MlNetMlp.Cnn;
using MlNetMlp.Data;
using MlNetMlp.Numerics;
using MlNetMlp.Tests.Data;

namespace MlNetMlp.Tests.Hardening;

/// <summary>
/// Sizes that cannot work are refused up front, naming what asked for them: networks too big for one array or for
/// this machine's memory (before any allocation or any row is read), checkpoints too big to be one, and images
/// over the decoder's pixel limit (before decoding).
/// </summary>
[TestClass]
public sealed class SizeLimitTests
{
    [TestMethod]
    public void HiddenLayersWithMoreParametersThanAnArrayHoldsAreRefusedByValidate()
    {
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => MlpTrainer.Validate(new MlpTrainer.Options { HiddenLayers = [100_000, 100_000] }));
        Assert.AreEqual(nameof(MlpTrainer.Options.HiddenLayers), e.ParamName);
        StringAssert.Contains(e.Message, "100000,100000");
        StringAssert.Contains(e.Message, "10,000,500,002 parameters");
        StringAssert.Contains(e.Message, "one array");
    }

    [TestMethod]
    public void HiddenLayersNeedingMoreMemoryThanAvailableAreRefusedByValidate()
    {
        // 2.1 billion parameters fit one array, but training keeps several copies of them: over 50 GB.
        long needed = 46_000L * 46_000 * sizeof(float) * 6;
        if (GC.GetGCMemoryInfo().TotalAvailableMemoryBytes > needed) Assert.Inconclusive($"This machine has {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes:N0} bytes available.");
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => MlpTrainer.Validate(new MlpTrainer.Options { HiddenLayers = [46_000, 46_000] }));
        Assert.AreEqual(nameof(MlpTrainer.Options.HiddenLayers), e.ParamName);
        StringAssert.Contains(e.Message, "46000,46000");
        StringAssert.Contains(e.Message, "MB of memory available");
    }

    [TestMethod]
    public void FitRefusesANetworkTooBigForTheDataBeforeReadingARow()
    {
        var data = new SyntheticDataView(rows: 2, features: 100_000_000, classes: 10, seed: 1);
        var trainer = new MlpTrainer(new MLContext(1), new MlpTrainer.Options { HiddenLayers = [128], Epochs = 1, NumberOfThreads = 1 });
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => trainer.Fit(data));
        Assert.AreEqual(nameof(MlpTrainer.Options.HiddenLayers), e.ParamName);
        StringAssert.Contains(e.Message, "100,000,000 features");
        Assert.AreEqual(0, data.RowsProduced, "no row may be read before the size check");
    }

    [TestMethod]
    public void RowsTooManyForOneArrayAreRefusedNamingShuffleBufferSizeBeforeReadingThem()
    {
        // 3,000,000 rows × 784 features: 2.35 billion values, over one array; streaming would hold only the buffer.
        var data = new SyntheticDataView(rows: 3_000_000, features: 784, classes: 10, seed: 1);
        var trainer = new MlpTrainer(new MLContext(1), new MlpTrainer.Options { HiddenLayers = [8], Epochs = 1, NumberOfThreads = 1 });
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => trainer.Fit(data));
        Assert.AreEqual(nameof(MlpTrainer.Options.ShuffleBufferSize), e.ParamName);
        StringAssert.Contains(e.Message, "3,000,000 rows of 784 features");
        Assert.AreEqual(0, data.RowsProduced, "no row may be read when the row count already says they cannot fit");
    }

    [TestMethod]
    public void ShuffleBufferTooBigForOneArrayIsRefusedBeforeReadingARow()
    {
        var data = new SyntheticDataView(rows: 1000, features: 784, classes: 10, seed: 1);
        var trainer = new MlpTrainer(new MLContext(1), new MlpTrainer.Options { HiddenLayers = [8], Epochs = 1, NumberOfThreads = 1, ShuffleBufferSize = 100_000_000 });
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => trainer.Fit(data));
        Assert.AreEqual(nameof(MlpTrainer.Options.ShuffleBufferSize), e.ParamName);
        StringAssert.Contains(e.Message, "100000000");
        Assert.AreEqual(0, data.RowsProduced);
    }

    [TestMethod]
    public void CnnLayerTooWideForAnArrayIsRefusedByValidateNamingTheLayer()
    {
        var options = new CnnTrainer.Options { ImageHeight = 28, ImageWidth = 28, Layers = "conv8,pool,dense2147483647" };
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => CnnTrainer.Validate(options));
        Assert.AreEqual(nameof(CnnTrainer.Options.Layers), e.ParamName);
        StringAssert.Contains(e.Message, "dense2147483647");
    }

    [TestMethod]
    public void CnnFitRefusesAConvolutionTooBigBeforeReadingARow()
    {
        // 99,999,999 filters of 28×28 outputs: 78 billion values per image (kernel 1 keeps the parameters under a gigabyte).
        var data = new SyntheticDataView(rows: 20, features: 784, classes: 2, seed: 1);
        var trainer = new CnnTrainer(new MLContext(1), new CnnTrainer.Options
        {
            ImageColumnName = "Features", Layers = "conv99999999k1", Epochs = 1, NumberOfThreads = 1,
        });
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => trainer.Fit(data));
        Assert.AreEqual(nameof(CnnTrainer.Options.Layers), e.ParamName);
        StringAssert.Contains(e.Message, "conv99999999k1");
        Assert.AreEqual(0, data.RowsProduced, "no row may be read before the size check");
    }

    [TestMethod]
    public void CnnLayersNeedingMoreMemoryThanAvailableAreRefusedNamingTheLargestLayer()
    {
        // 60,000 filters at full 28×28 resolution: 47 million values per image (under one array for 32 images), and
        // with its gradient, the ReLU's and the pooling's, over 30 GB for a batch of 32.
        var options = new CnnTrainer.Options { ImageHeight = 28, ImageWidth = 28, Layers = "conv60000k1,relu,pool", BatchSize = 32, NumberOfThreads = 1 };
        if (GC.GetGCMemoryInfo().TotalAvailableMemoryBytes > 32L * 60_000 * 784 * sizeof(float) * 6) Assert.Inconclusive("This machine has too much memory for this network to be refused.");
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => CnnTrainer.Validate(options));
        Assert.AreEqual(nameof(CnnTrainer.Options.Layers), e.ParamName);
        StringAssert.Contains(e.Message, "'conv60000k1'");
        StringAssert.Contains(e.Message, "MB of memory available");
    }

    [TestMethod]
    public void CheckpointFileLongerThanAnyCheckpointIsRefusedWithoutReadingIt()
    {
        using var temp = new TempDirectory();
        string path = Path.Combine(temp.Path, TrainingCheckpoint.FileName);
        using (var file = new FileStream(path, FileMode.CreateNew))
        {
            file.Write("NNCKPT3\n"u8);
            file.Write(BitConverter.GetBytes(1));
            file.SetLength(3L << 30); // sparse: 3 GB that take no disk space
        }
        var (allocated, thrown, elapsed) = Fuzzing.MeasureAllocation(() => TrainingCheckpoint.Load(path));
        Assert.IsInstanceOfType<InvalidDataException>(thrown, thrown?.ToString());
        StringAssert.Contains(thrown.Message, path);
        StringAssert.Contains(thrown.Message, "3,221,225,472 bytes");
        Assert.IsLessThan(1L << 20, allocated, $"allocated {allocated:N0} bytes");
        Assert.IsLessThan(TimeSpan.FromSeconds(5), elapsed);
    }

    [TestMethod]
    public void CheckpointThatIsADeviceIsRefusedWithoutReadingIt()
    {
        if (!File.Exists("/dev/zero")) Assert.Inconclusive("No /dev/zero here.");
        using var temp = new TempDirectory();
        string path = Path.Combine(temp.Path, TrainingCheckpoint.FileName);
        File.CreateSymbolicLink(path, "/dev/zero");
        var (allocated, thrown, elapsed) = Fuzzing.MeasureAllocation(() => TrainingCheckpoint.Load(path));
        Assert.IsTrue(thrown is InvalidDataException or IOException, thrown?.ToString());
        StringAssert.Contains(thrown!.Message, path);
        Assert.IsLessThan(1L << 20, allocated, $"allocated {allocated:N0} bytes");
        Assert.IsLessThan(TimeSpan.FromSeconds(5), elapsed);
    }

    [TestMethod]
    public void CheckpointWithAHugeCountIsRefusedNamingTheFileBeforeAllocating()
    {
        using var temp = new TempDirectory();
        new MlpTrainer(new MLContext(1), new MlpTrainer.Options { HiddenLayers = [3], Epochs = 1, Seed = 1, NumberOfThreads = 1, CheckpointDirectory = temp.Path })
            .Fit(new SyntheticDataView(rows: 50, features: 4, classes: 2, seed: 1));
        string path = TrainingCheckpoint.PathIn(temp.Path);
        byte[] bytes = File.ReadAllBytes(path);
        // The network state's length: after magic (8), version, seed, first epoch, epochs done (4 each), finished (1),
        // train rows (8), batch size (4) and the network's description (a string: one length byte when short, then UTF-8).
        int descriptionAt = 8 + 4 + 4 + 4 + 4 + 1 + 8 + 4;
        int offset = descriptionAt + 1 + bytes[descriptionAt];
        Assert.AreEqual(4 * 3 + 3 + 3 * 2 + 2, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(offset)), "the layout assumed above");
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(offset), int.MaxValue);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(bytes.Length - 4), System.IO.Hashing.Crc32.HashToUInt32(bytes.AsSpan(0, bytes.Length - 4)));
        File.WriteAllBytes(path, bytes);
        var (allocated, thrown, _) = Fuzzing.MeasureAllocation(() => TrainingCheckpoint.Load(path));
        Assert.IsInstanceOfType<InvalidDataException>(thrown, thrown?.ToString());
        StringAssert.Contains(thrown.Message, path);
        Assert.IsLessThan(1L << 20, allocated, $"allocated {allocated:N0} bytes");
    }

    [TestMethod]
    public void ImageOverThePixelLimitIsRefusedFromItsHeaderNamingFileSizeAndLimit()
    {
        using var temp = new TempDirectory();
        // 4097×4096 black pixels: one column over the limit; a small file whose pixels would take 64 MB as RGBA.
        string path = Path.Combine(temp.Path, "huge.png");
        File.WriteAllBytes(path, TestImages.EncodeGray8(new byte[4097 * 4096], 4097, 4096));
        string small = Path.Combine(temp.Path, "small.png");
        TestImages.SaveGray8(small, new byte[4], 2, 2);
        DecodedImage.Load(small); // JIT and Skia's statics, not measured

        foreach (var read in new Action[] { () => DecodedImage.Load(path), () => ImageFolder.LoadImage(path), () => DecodedImage.ReadSize(path) })
        {
            var (allocated, thrown, _) = Fuzzing.MeasureAllocation(read);
            Assert.IsInstanceOfType<InvalidDataException>(thrown, thrown?.ToString());
            StringAssert.StartsWith(thrown.Message, path + ": ");
            StringAssert.Contains(thrown.Message, "4097×4096");
            StringAssert.Contains(thrown.Message, DecodedImage.MaxPixels.ToString("N0", System.Globalization.CultureInfo.InvariantCulture));
            Assert.IsLessThan(1L << 20, allocated, $"allocated {allocated:N0} bytes");
        }
    }

    [TestMethod]
    public void ScoringANetworkWithAHugeLayerWorksInSmallerBlocksInsteadOfOverflowing()
    {
        // A 16,777,216-wide hidden layer (the widest a model file may declare): 256 rows of it would be 4.3 billion values.
        var network = new MlpNetwork([1, 1 << 24, 2], MlpActivation.Relu, 0.01f, 1f);
        network.Initialize(MlpInitialization.He, new Random(1));
        var scoring = new MlpScoringNetwork(network);
        var workspace = scoring.CreateWorkspace(256);
        Assert.IsLessThanOrEqualTo(ScoringBlock.MaxBufferFloats, (long)workspace.MaxRows * workspace.MaxHiddenWidth);
        float[] features = [1f, -1f, 0.5f], probabilities = new float[6];
        scoring.PredictProbabilities(features, 3, probabilities, workspace);
        for (int row = 0; row < 3; row++)
            Assert.AreEqual(1f, probabilities[2 * row] + probabilities[2 * row + 1], 1e-5f, $"row {row}");
    }

    [TestMethod]
    public void ScoringBlocksOfOrdinaryModelsKeepTheirSize()
    {
        Assert.AreEqual(256, ScoringBlock.Rows(256, 784));
        Assert.AreEqual(256, ScoringBlock.Rows(256, 65_536));
        Assert.AreEqual(1, ScoringBlock.Rows(256, 1L << 24));
        Assert.AreEqual(1, ScoringBlock.Rows(64, int.MaxValue));
    }

    [TestMethod]
    public void ImageFolderDecodesNoMoreImagesAtOnceThanMemoryHolds()
    {
        long perImage = DecodedImage.MaxDecodeBytes;
        Assert.AreEqual(1, ImageFolder.DecodeParallelism(availableBytes: perImage, processors: 64));
        Assert.AreEqual(1, ImageFolder.DecodeParallelism(availableBytes: perImage / 2, processors: 64));
        Assert.AreEqual(3, ImageFolder.DecodeParallelism(availableBytes: 6 * perImage + 1, processors: 64));
        Assert.AreEqual(2, ImageFolder.DecodeParallelism(availableBytes: 100 * perImage, processors: 2));
    }
}
