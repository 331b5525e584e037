using System.Text.Json;
using static MlNetMlp.Tests.Cli.CliTests;

namespace MlNetMlp.Tests.Cli;

/// <summary>
/// <c>bench score</c> and <c>bench optimizers</c>: the JSON contracts. Every figure is present, finite and positive, and the
/// derived ones follow from the measured ones; no relation between two timings is asserted (the scoring rate against
/// the FMA ceiling, one optimizer against another), since on a busy machine any of them can lose: that is the
/// benchmark's to report, not a test's to require.
/// </summary>
[TestClass]
public sealed class BenchCliTests
{
    [TestMethod]
    public void BenchScoreReportsBatchAndSinglePredictionFiguresInMemoryAndAfterLoad()
    {
        var bench = Run("bench", "score", "--json");
        Assert.AreEqual(0, bench.exitCode, bench.stderr);
        var result = JsonDocument.Parse(bench.stdout.Trim().Split('\n')[^1]).RootElement;
        Assert.AreEqual("784-128-128-10 LeakyReLU", result.GetProperty("model").GetString());
        foreach (var key in new[]
        {
            "batch_rows_per_second", "batch_rows_per_second_median", "single_prediction_us", "batch_gflops", "fma_peak_gflops", "peak_rows_per_second",
            "loaded_batch_rows_per_second", "loaded_batch_rows_per_second_median", "loaded_single_prediction_us",
        })
        {
            Assert.IsTrue(result.TryGetProperty(key, out var figure), $"JSON lacks {key}");
            Assert.IsTrue(double.IsFinite(figure.GetDouble()) && figure.GetDouble() > 0, $"{key} = {figure}");
        }
        // 784-128-128-10 is 118,016 multiply-adds a row: the GFLOP/s figures and the ceiling in rows/s are rates of that.
        double rows = result.GetProperty("batch_rows_per_second").GetDouble();
        Assert.AreEqual(rows * 2 * 118_016 / 1e9, result.GetProperty("batch_gflops").GetDouble(), 1e-9 * rows);
        double peak = result.GetProperty("fma_peak_gflops").GetDouble();
        Assert.AreEqual(peak * 1e9 / (2 * 118_016), result.GetProperty("peak_rows_per_second").GetDouble(), 1e-6 * peak);
        // Best and median of the same passes: the best is at least the median, whatever the machine does.
        foreach (var prefix in new[] { "", "loaded_" })
        {
            double median = result.GetProperty($"{prefix}batch_rows_per_second_median").GetDouble();
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
        Assert.IsTrue(double.IsFinite(sgd) && sgd > 0, $"sgd_epoch_seconds_median = {sgd}");
        foreach (var rule in new[] { "momentum", "adam" })
        {
            double median = result.GetProperty($"{rule}_epoch_seconds_median").GetDouble();
            Assert.IsTrue(double.IsFinite(median) && median > 0, $"{rule}_epoch_seconds_median = {median}");
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
