using System.Text.Json;
using static MlNetMlp.Tests.Cli.CliTests;

namespace MlNetMlp.Tests.Cli;

/// <summary><c>bench score</c> and <c>bench optimizers</c>: the JSON contracts, with figures that are consistent with each other (no timing asserted).</summary>
[TestClass]
public sealed class BenchCliTests
{
    [TestMethod]
    public void BenchScoreReportsBatchAndSinglePredictionFiguresInMemoryAndAfterLoad()
    {
        var bench = Run("bench", "score", "--json");
        Assert.AreEqual(0, bench.exitCode, bench.stderr);
        var result = JsonDocument.Parse(bench.stdout.Trim().Split('\n')[^1]).RootElement;
        foreach (var key in new[] { "batch_rows_per_second", "single_prediction_us", "loaded_batch_rows_per_second", "loaded_single_prediction_us", "fma_peak_gflops" })
            Assert.IsGreaterThan(0.0, result.GetProperty(key).GetDouble(), key);
        // 784-128-128-10 is 118,016 multiply-adds a row: the reported GFLOP/s is that rate, and no rate beats the machine's FMA peak.
        double rows = result.GetProperty("batch_rows_per_second").GetDouble();
        Assert.AreEqual(rows * 2 * 118_016 / 1e9, result.GetProperty("batch_gflops").GetDouble(), 1e-9 * rows);
        Assert.IsLessThan(result.GetProperty("peak_rows_per_second").GetDouble(), rows);
        // Best and median of the same passes.
        foreach (var prefix in new[] { "", "loaded_" })
        {
            double median = result.GetProperty($"{prefix}batch_rows_per_second_median").GetDouble();
            Assert.IsGreaterThan(0.0, median, prefix);
            Assert.IsLessThanOrEqualTo(result.GetProperty($"{prefix}batch_rows_per_second").GetDouble(), median, prefix);
        }
    }

    [TestMethod]
    public void BenchOptimizersReportsEachRuleAndItsCostOverSgd()
    {
        var bench = Run("bench", "optimizers", "--rounds", "1", "--epochs", "1", "--rows", "2000", "--json");
        Assert.AreEqual(0, bench.exitCode, bench.stderr);
        var result = JsonDocument.Parse(bench.stdout.Trim().Split('\n')[^1]).RootElement;
        double sgd = result.GetProperty("sgd_epoch_seconds_median").GetDouble();
        Assert.IsGreaterThan(0.0, sgd);
        foreach (var rule in new[] { "momentum", "adam" })
        {
            double median = result.GetProperty($"{rule}_epoch_seconds_median").GetDouble();
            Assert.IsGreaterThan(0.0, median, rule);
            Assert.AreEqual(median / sgd - 1, result.GetProperty($"{rule}_extra_vs_sgd").GetDouble(), 1e-12, rule);
        }
        Assert.AreEqual("2000x784-128-128-10 LeakyReLU batch 200 fp32", result.GetProperty("workload").GetString());
    }

    [TestMethod]
    public void BenchOptimizersRejectsZeroRoundsByName()
    {
        var bench = Run("bench", "optimizers", "--rounds", "0");
        Assert.AreNotEqual(0, bench.exitCode);
        StringAssert.Contains(bench.stderr, "--rounds");
    }
}
