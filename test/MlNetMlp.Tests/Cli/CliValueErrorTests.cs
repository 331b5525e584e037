using System.Diagnostics;
using static MlNetMlp.Tests.Cli.CliTests;

namespace MlNetMlp.Tests.Cli;

/// <summary>
/// Sizes and values the CLI cannot use fail at once (exit 2, one line) naming the CLI option and the value typed:
/// networks too big for an array or for this machine, NaN, infinities, negatives and out-of-range numbers, and
/// library errors worded with the option that fed them rather than a parameter name the user never saw.
/// </summary>
[TestClass]
public sealed class CliValueErrorTests
{
    /// <summary>Runs the CLI and checks it failed in one line mentioning <paramref name="mentions"/>, fast, without training.</summary>
    private static string AssertFailsAtOnce(string[] args, params string[] mentions)
    {
        var stopwatch = Stopwatch.StartNew();
        var result = Run(args);
        AssertOneLineError(result, mentions);
        Assert.IsLessThan(TimeSpan.FromSeconds(20), stopwatch.Elapsed, $"'{string.Join(' ', args)}' took {stopwatch.Elapsed}: {result.stderr}");
        Assert.IsFalse(result.stdout.Contains("epoch", StringComparison.Ordinal), $"it trained: {result.stdout}");
        return result.stderr;
    }

    [TestMethod]
    public void HiddenLayersTooBigForAnArrayOrForMemoryNameHidden()
    {
        string error = AssertFailsAtOnce(["train", "--hidden", "100000,100000"], "--hidden 100000,100000", "parameters", "one array");
        Assert.IsFalse(error.Contains("overflow", StringComparison.OrdinalIgnoreCase), error);
        error = AssertFailsAtOnce(["train", "--hidden", "30000,30000", "--train-rows", "100"], "--hidden 30000,30000", "MB");
        Assert.IsFalse(error.Contains("OutOfMemory", StringComparison.OrdinalIgnoreCase) || error.Contains("Insufficient memory", StringComparison.Ordinal), error);
    }

    [TestMethod]
    public void CnnLayersTooBigNameLayersAndTheLayer()
    {
        AssertFailsAtOnce(["train", "--model", "cnn", "--layers", "conv99999999"], "--layers", "'conv99999999'");
        AssertFailsAtOnce(["train", "--model", "cnn", "--layers", "conv8,pool,dense2147483647"], "--layers", "'dense2147483647'");
        AssertFailsAtOnce(["bench", "cnn", "--layers", "dense2147483647"], "--layers", "'dense2147483647'");
    }

    [TestMethod]
    public void BenchMemoryFeaturesTooBigNameFeatures()
    {
        string error = AssertFailsAtOnce(["bench", "memory", "--features", "100000000"], "--features 100000000", "parameters");
        Assert.IsFalse(error.Contains("overflow", StringComparison.OrdinalIgnoreCase), error);
    }

    [TestMethod]
    [DataRow("NaN", "finite")]
    [DataRow("Infinity", "finite")]
    [DataRow("1e20", "minutes")]
    [DataRow("-1", "minutes")]
    [DataRow("0", "minutes")]
    public void SweepBudgetMustBeAFinitePositiveNumberOfMinutes(string budget, string rule)
    {
        string error = AssertFailsAtOnce(["sweep", "--budget", budget, "--space", "quick", "--train-rows", "30"], $"--budget {budget}", rule);
        Assert.IsFalse(error.Contains("TimeSpan", StringComparison.Ordinal), error);
    }

    [TestMethod]
    public void SweepAcceptsTheLongestBudgetATimeSpanHolds()
    {
        if (!HaveData) Assert.Inconclusive("Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist).");
        using var temp = new Data.TempDirectory();
        var result = Run("sweep", "--budget", "15372286728", "--space", "quick", "--random", "1", "--folds", "2", "--train-rows", "60", "--no-final",
            "--results", Path.Combine(temp.Path, "sweep.jsonl"));
        Assert.AreEqual(0, result.exitCode, result.stderr);
    }

    [TestMethod]
    public void FloatingPointOptionsOfEveryCommandRefuseNaNAndInfinityNamingTheOption()
    {
        AssertFailsAtOnce(["train", "--lr", "NaN"], "--lr NaN");
        AssertFailsAtOnce(["train", "--validation-fraction", "Infinity"], "--validation-fraction Infinity");
        AssertFailsAtOnce(["train", "--model", "cnn", "--l2", "-Infinity"], "--l2 -Infinity");
        AssertFailsAtOnce(["train", "--dropout", "NaN"], "--dropout NaN");
    }

    [TestMethod]
    public void LibraryErrorsNameTheCliOptionNotTheParameter()
    {
        string error = AssertFailsAtOnce(["train", "--train-rows", "-5"], "--train-rows -5");
        Assert.IsFalse(error.Contains("maxRows", StringComparison.Ordinal), error);
        error = AssertFailsAtOnce(["train", "--epochs", "0"], "--epochs 0");
        Assert.IsFalse(error.Contains("MlpTrainer.Options", StringComparison.Ordinal), error);
        error = AssertFailsAtOnce(["train", "--model", "cnn", "--batch-size", "0"], "--batch-size 0");
        Assert.IsFalse(error.Contains("CnnTrainer.Options", StringComparison.Ordinal), error);
        AssertFailsAtOnce(["train", "--momentum", "1.5"], "--momentum 1.5");
        AssertFailsAtOnce(["train", "--patience", "0"], "--patience 0");
        AssertFailsAtOnce(["train", "--shuffle-buffer", "-1"], "--shuffle-buffer -1");
        AssertFailsAtOnce(["train", "--threads", "0"], "--threads 0");
        AssertFailsAtOnce(["bench", "memory", "--shuffle-buffer", "-1"], "--shuffle-buffer -1");
        AssertFailsAtOnce(["bench", "memory", "--batch-size", "0"], "--batch-size 0");
        AssertFailsAtOnce(["bench", "mlp", "--threads", "-2"], "--threads -2");
        AssertFailsAtOnce(["bench", "cnn", "--threads", "0"], "--threads 0");
    }

    [TestMethod]
    public void OutOfRangeCountsFailBeforeAnyWork()
    {
        // --budget-mb used to be checked only after the whole streamed epoch had run.
        AssertFailsAtOnce(["bench", "memory", "--budget-mb", "0", "--rows", "1000"], "--budget-mb 0");
        AssertFailsAtOnce(["bench", "memory", "--rows", "-1"], "--rows -1");
        AssertFailsAtOnce(["sweep", "--widths", "100000", "--depths", "2", "--space", "quick"], "--widths", "100000");
    }

    [TestMethod]
    public void DataOrBufferTooBigForMemoryNamesShuffleBuffer()
    {
        AssertFailsAtOnce(["bench", "memory", "--rows", "3000000", "--shuffle-buffer", "0"], "--shuffle-buffer", "3,000,000 rows");
        AssertFailsAtOnce(["bench", "memory", "--shuffle-buffer", "100000000"], "--shuffle-buffer 100000000");
        AssertFailsAtOnce(["train", "--batch-size", "2000000000"], "--batch-size 2000000000", "one array");
    }

    [TestMethod]
    public void NotANumberStillGetsTheParsersOneLineError()
    {
        AssertFailsAtOnce(["train", "--lr", "abc"], "--lr", "abc");
        AssertFailsAtOnce(["sweep", "--budget", "soon"], "--budget", "soon");
    }

    [TestMethod]
    public void ErrorsThatNameTheirOptionDoNotRepeatItInDotNetsParameterSuffix()
    {
        foreach (string[] args in new[] { new[] { "train", "--nesterov" }, ["train", "--out", ""], ["sweep", "--results", ""] })
        {
            var result = CliTests.Run(args);
            CliTests.AssertOneLineError(result, args[1]);
            Assert.DoesNotContain("(Parameter '", result.stderr, result.stderr);
            Assert.DoesNotContain("Actual value was", result.stderr, result.stderr);
        }
    }
}
