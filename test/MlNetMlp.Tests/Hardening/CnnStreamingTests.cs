using Microsoft.ML;
using MlNetMlp.Data;

namespace MlNetMlp.Tests.Hardening;

/// <summary>
/// Streaming CNN training (ShuffleBufferSize > 0), as <see cref="StreamingTests"/> for the MLP: rows generated on the
/// fly are read again every epoch and never held, memory stays far below the data's size, and it still learns.
/// </summary>
[TestClass]
public sealed class CnnStreamingTests
{
    private static CnnTrainer.Options Options(int buffer, bool shuffle = true, int epochs = 2) => new()
    {
        ImageColumnName = "Features", PixelScale = 1, Layers = "conv4,relu,pool,flatten", Epochs = epochs, BatchSize = 50,
        LearningRate = 0.01f, Seed = 4, ShuffleBufferSize = buffer, Shuffle = shuffle,
        NumberOfThreads = 1, // everything runs on this thread, so its allocation counter sees all of training
    };

    [TestMethod]
    public void StreamingLearnsWithoutMaterializingTheData()
    {
        const long Rows = 60_000;
        const int Side = 8, Epochs = 2;
        long materializedBytes = Rows * Side * Side * sizeof(float);        // 15 MB of images
        var data = new SyntheticDataView(Rows, Side * Side, classes: 4, seed: 3, spread: 0.3f);
        var options = Options(buffer: 2_000, epochs: Epochs);
        options.MonitoringSubsetSize = 1_000;

        var trainer = new CnnTrainer(new MLContext(1), options);
        // Everything Fit allocates bounds what it can hold at once, whatever other tests do meanwhile.
        long before = GC.GetAllocatedBytesForCurrentThread();
        var model = trainer.Fit(data).Model;
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.IsLessThan(materializedBytes / 4, allocated, $"Fit allocated {allocated:N0} bytes streaming {materializedBytes:N0} bytes of images");
        // Every epoch read the whole source again (plus the monitoring sample once): nothing was kept between epochs.
        Assert.AreEqual(Epochs * Rows + options.MonitoringSubsetSize, data.RowsProduced);

        // It learned: rows past the training range, never seen, are classified far above chance (0.25).
        var image = new float[Side * Side];
        int correct = 0;
        for (long r = Rows; r < Rows + 1_000; r++)
        {
            data.FeaturesOf(r, image);
            float[] p = model.PredictProbabilities(image);
            if (Array.IndexOf(p, p.Max()) == data.LabelOf(r)) correct++;
        }
        Assert.IsGreaterThanOrEqualTo(900, correct);
        Assert.IsGreaterThan(0.9, model.History[^1].TrainAccuracy);
    }

    [TestMethod]
    public void StreamingIsReproducibleAndWithoutShufflingMatchesInMemory()
    {
        var data = new SyntheticDataView(2_000, 64, classes: 3, seed: 5, spread: 0.5f);
        float[] Train(CnnTrainer.Options options)
        {
            options.Layers = "conv4,relu,pool,drop0.25,flatten"; // dropout: the masks follow (seed, epoch, batch) in both modes
            var m = new CnnTrainer(new MLContext(1), options).Fit(data).Model;
            return m.Network.Parameters;
        }

        var a = Train(Options(300));
        CollectionAssert.AreEqual(a, Train(Options(300)));
        CollectionAssert.AreNotEqual(a, Train(Options(300, shuffle: false)), "the buffer changes the order");
        CollectionAssert.AreNotEqual(a, Train(Options(100)), "the buffer size matters");

        // Without shuffling, streaming sees the rows in source order in batches, exactly as in memory.
        var inMemory = Options(0, shuffle: false);
        CollectionAssert.AreEqual(Train(inMemory), Train(Options(300, shuffle: false)));
    }

    [TestMethod]
    public void StreamingOptionsAreValidatedByName()
    {
        void Expect(string name, Action<CnnTrainer.Options> change)
        {
            var options = new CnnTrainer.Options();
            change(options);
            var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => CnnTrainer.Validate(options));
            Assert.AreEqual(name, e.ParamName);
        }
        Expect(nameof(CnnTrainer.Options.ShuffleBufferSize), o => o.ShuffleBufferSize = -1);
        Expect(nameof(CnnTrainer.Options.ValidationFraction), o => { o.ShuffleBufferSize = 100; o.ValidationFraction = 0.1f; });
    }
}
