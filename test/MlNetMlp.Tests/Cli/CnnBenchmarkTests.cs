using MlNetMlp.Cli;

namespace MlNetMlp.Tests.Cli;

/// <summary>The entry point of <c>mlnetmlp bench cnn</c>, which lives in the CLI.</summary>
[TestClass]
public sealed class CnnBenchmarkTests
{
    [TestMethod]
    public void TheBenchmarkTimesEpochsWithoutEvaluation()
    {
        var epochs = new List<(int, double)>();
        var result = CnnBenchmark.RunEpochs(epochs: 2, rows: 96, threads: 2, batchSize: 32, layers: "conv4,bn,relu,pool,dense8",
            synthetic: true, epochCompleted: (e, s) => epochs.Add((e, s)));
        Assert.AreEqual("synthetic", result.DataSource);
        Assert.HasCount(2, result.EpochSeconds);
        Assert.HasCount(2, epochs);
        Assert.AreEqual(96, result.Rows);
        Assert.AreEqual(2, result.Threads);
        Assert.AreEqual("conv4,bn,relu,pool,dense8", result.Layers);
        Assert.IsTrue(result.EpochSeconds.All(s => s > 0));
        Assert.IsGreaterThan(0, result.MedianEpochSeconds);
        Assert.IsTrue(result.EpochLosses.All(double.IsFinite));
    }
}
