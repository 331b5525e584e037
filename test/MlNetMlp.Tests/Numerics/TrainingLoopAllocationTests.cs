using MlNetMlp.Numerics;

namespace MlNetMlp.Tests.Numerics;

/// <summary>The whole loop (batch source, backpropagation, update), not just one step, allocates nothing per batch.</summary>
[TestClass]
public sealed class TrainingLoopAllocationTests
{
    private static long AllocatedFor(int epochs)
    {
        TrainingSet data = TestData.Clusters(rows: 2_000, features: 12, classes: 3, seed: 21);
        var options = new MlpTrainer.Options
        {
            HiddenLayers = [8], Optimizer = Optimizer.Adam, Dropout = 0.1f, Epochs = epochs, BatchSize = 4, // 500 batches per epoch
            NumberOfThreads = 1, // inline: this thread's allocation counter sees all of it
        };
        var network = TestData.Network([12, 8, 3], MlpActivation.LeakyRelu, seed: 22);
        long before = GC.GetAllocatedBytesForCurrentThread();
        LoopHarness.Train(network, data, null, options, seed: 1, firstEpoch: 1, null, CancellationToken.None);
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    [TestMethod]
    public void ExtraEpochsCostOnlyAFewBytesEachWhateverTheBatchCount()
    {
        AllocatedFor(1); // JIT and first-use allocations out of the way
        // The least of three tries: a one-time allocation the runtime makes on this thread while the suite loads the
        // machine (seen once in CI: 2,274 bytes) lands in one try at most, and a per-batch one shows in all three.
        long perEpoch = Enumerable.Range(0, 3).Min(_ => (AllocatedFor(6) - AllocatedFor(2)) / 4);
        // Per epoch: a shuffle generator, a stopwatch and a history record. Even 8 bytes per batch would be 4,000.
        Assert.IsLessThan(2_000, perEpoch, $"{perEpoch:N0} bytes per epoch of 500 batches");
    }
}
