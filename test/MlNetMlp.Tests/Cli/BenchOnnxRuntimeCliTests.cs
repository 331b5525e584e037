using System.Text.Json;
using static MlNetMlp.Tests.Cli.CliTests;

namespace MlNetMlp.Tests.Cli;

/// <summary><c>bench score --compare-onnxruntime</c>: ONNX Runtime's figures next to ML.NET's in the JSON (structure and sanity only, no timing asserted).</summary>
[TestClass]
public sealed class BenchOnnxRuntimeCliTests
{
    [TestMethod]
    public void BenchScoreComparesOnnxRuntimeOnTheSameRows()
    {
        var bench = Run("bench", "score", "--compare-onnxruntime", "--json");
        Assert.AreEqual(0, bench.exitCode, bench.stderr);
        var result = JsonDocument.Parse(bench.stdout.Trim().Split('\n')[^1]).RootElement;
        foreach (var key in new[] { "onnxruntime_rows_per_second", "onnxruntime_rows_per_second_median", "onnxruntime_predict_microseconds",
                     "ratio_rows_per_second_to_onnxruntime", "ratio_predict_us_to_onnxruntime" })
        {
            double value = result.GetProperty(key).GetDouble();
            Assert.IsTrue(double.IsFinite(value), key);
            Assert.IsGreaterThan(0.0, value, key);
        }
        // Best and median of the same passes; the ratios are of the figures reported.
        Assert.IsLessThanOrEqualTo(result.GetProperty("onnxruntime_rows_per_second").GetDouble(), result.GetProperty("onnxruntime_rows_per_second_median").GetDouble());
        Assert.AreEqual(result.GetProperty("batch_rows_per_second").GetDouble() / result.GetProperty("onnxruntime_rows_per_second").GetDouble(),
            result.GetProperty("ratio_rows_per_second_to_onnxruntime").GetDouble(), 1e-9);
        Assert.AreEqual(result.GetProperty("single_prediction_us").GetDouble() / result.GetProperty("onnxruntime_predict_microseconds").GetDouble(),
            result.GetProperty("ratio_predict_us_to_onnxruntime").GetDouble(), 1e-9);
        Assert.AreEqual(Environment.ProcessorCount, result.GetProperty("onnxruntime_threads").GetInt32());
        StringAssert.StartsWith(result.GetProperty("onnxruntime_version").GetString(), "1.");
        // The session and the check of its scores against ML.NET's are said before the table.
        StringAssert.Contains(bench.stdout, "intra-op thread(s)");
        StringAssert.Contains(bench.stdout, "scores match ML.NET's");
    }
}
