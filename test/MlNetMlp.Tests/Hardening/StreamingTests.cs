using Microsoft.ML;
using MlNetMlp.Data;

namespace MlNetMlp.Tests.Hardening;

/// <summary>Streaming training (ShuffleBufferSize > 0): bounded memory on data far larger than the budget, and it still learns.</summary>
[TestClass]
public sealed class StreamingTests
{
    [TestMethod]
    public void StreamingTrainsOnDataFarLargerThanTheMemoryBudget()
    {
        const long Rows = 300_000;
        const int Features = 64, Epochs = 2;
        const long BudgetBytes = 16L << 20;                              // 16 MB
        long materializedBytes = Rows * Features * sizeof(float);        // 77 MB: over four times the budget
        Assert.IsGreaterThan(4 * BudgetBytes - 1, materializedBytes);

        var data = new SyntheticDataView(Rows, Features, classes: 4, seed: 3, spread: 0.3f);
        var options = new MlpTrainer.Options
        {
            HiddenLayers = [16], Epochs = Epochs, BatchSize = 100, LearningRate = 0.01f, Seed = 4, MonitoringSubsetSize = 2_000,
            ShuffleBufferSize = 5_000,
            NumberOfThreads = 1, // everything runs on this thread, so its allocation counter sees all of training
        };
        var trainer = new MlpTrainer(new MLContext(1), options);
        // Everything Fit allocates bounds what it can hold at once: this is an upper bound on its high-water mark
        // that other tests running in parallel cannot disturb.
        long before = GC.GetAllocatedBytesForCurrentThread();
        var model = trainer.Fit(data).Model;
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.IsLessThan(BudgetBytes, allocated, $"Fit allocated {allocated:N0} bytes streaming {materializedBytes:N0} bytes of features");
        // Every epoch read the whole source again (plus the monitoring sample once): nothing was kept between epochs.
        Assert.AreEqual(Epochs * Rows + options.MonitoringSubsetSize, data.RowsProduced);

        // It learned: held-out rows of the same clusters are classified almost perfectly.
        var heldOut = new SyntheticDataView(2_000, Features, classes: 4, seed: 3, spread: 0.3f);
        var features = new float[Features];
        int correct = 0;
        for (long r = Rows; r < Rows + 1_000; r++) // rows past the training range: never seen
        {
            heldOut.FeaturesOf(r, features);
            float[] p = model.PredictProbabilities(features);
            if (Array.IndexOf(p, p.Max()) == heldOut.LabelOf(r)) correct++;
        }
        Assert.IsGreaterThanOrEqualTo(950, correct);
        Assert.IsGreaterThan(0.95, model.History[^1].TrainAccuracy);
    }

    [TestMethod]
    public void StreamingIsReproducibleAndTheBufferShuffles()
    {
        var data = new SyntheticDataView(3_000, 10, classes: 3, seed: 5, spread: 0.5f);
        MlpModelParameters Train(int buffer, bool shuffle) => new MlpTrainer(new MLContext(1), new MlpTrainer.Options
        {
            HiddenLayers = [8], Epochs = 2, BatchSize = 50, Seed = 6, NumberOfThreads = 2, Dropout = 0.1f,
            ShuffleBufferSize = buffer, Shuffle = shuffle,
        }).Fit(data).Model;

        var a = Train(500, shuffle: true);
        var b = Train(500, shuffle: true);
        for (int l = 0; l < a.LinearLayerCount; l++)
            CollectionAssert.AreEqual(a.GetWeights(l), b.GetWeights(l));
        CollectionAssert.AreNotEqual(a.GetWeights(0), Train(500, shuffle: false).GetWeights(0), "the buffer changes the order");
        CollectionAssert.AreNotEqual(a.GetWeights(0), Train(100, shuffle: true).GetWeights(0), "the buffer size matters");

        // Without shuffling, streaming sees the rows in source order in batches, exactly as in memory.
        var inMemory = new MlpTrainer(new MLContext(1), new MlpTrainer.Options
        {
            HiddenLayers = [8], Epochs = 2, BatchSize = 50, Seed = 6, NumberOfThreads = 2, Dropout = 0.1f, Shuffle = false,
            MonitoringSubsetSize = 0,
        }).Fit(data).Model;
        var streamed = Train(500, shuffle: false);
        for (int l = 0; l < a.LinearLayerCount; l++)
            CollectionAssert.AreEqual(inMemory.GetWeights(l), streamed.GetWeights(l));
    }

    [TestMethod]
    public void StreamingMonitorsAValidationSetAndStopsEarly()
    {
        var train = new SyntheticDataView(2_000, 6, classes: 3, seed: 7, spread: 1.5f); // overlapping clusters: validation loss stalls
        var validation = new SyntheticDataView(500, 6, classes: 3, seed: 7, spread: 1.5f);
        var model = new MlpTrainer(new MLContext(1), new MlpTrainer.Options
        {
            HiddenLayers = [64], Epochs = 200, BatchSize = 20, LearningRate = 0.01f, Seed = 3, NumberOfThreads = 2,
            ShuffleBufferSize = 300, EarlyStopping = true, EarlyStoppingPatience = 3,
        }).Fit(train, validation).Model;
        Assert.IsLessThan(200, model.History.Count, "early stopping ended the run");
        Assert.IsTrue(model.History.All(r => r.ValidationLoss is double loss && double.IsFinite(loss)));
    }
}
