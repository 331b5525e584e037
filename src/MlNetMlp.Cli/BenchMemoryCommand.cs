using System.Diagnostics;

namespace MlNetMlp.Cli;

/// <summary>
/// <c>mlnetmlp bench memory</c>: one streamed training epoch over far more rows than fit in the memory
/// budget (default 1,000,000 × 784 synthetic features = 3.1 GB as floats), reporting the process's peak
/// working set and rows/s. Fails (exit 2) when the peak exceeds <c>--budget-mb</c>.
/// </summary>
internal static class BenchMemoryCommand
{
    /// <summary>Adds <c>memory</c> to the <c>bench</c> command and returns it (so Program.cs registers it in one line).</summary>
    public static Command AddTo(Command bench)
    {
        bench.Add(Create());
        return bench;
    }

    private static Command Create()
    {
        var rows = new Option<long>("--rows") { Description = "Synthetic rows to stream.", DefaultValueFactory = _ => 1_000_000 }.AtLeast(1);
        var features = new Option<int>("--features") { Description = "Features per row.", DefaultValueFactory = _ => 784 }.AtLeast(1);
        var hidden = new Option<string>("--hidden") { Description = "Hidden layer widths.", DefaultValueFactory = _ => "128,128" };
        var batch = new Option<int>("--batch-size") { Description = "Rows per mini-batch.", DefaultValueFactory = _ => 200 };
        var buffer = new Option<int>("--shuffle-buffer") { Description = "Shuffle buffer rows.", DefaultValueFactory = _ => 10_000 };
        var threads = new Option<int?>("--threads") { Description = "Kernel threads (default: all cores)." }.AtLeast(1);
        var budget = new Option<int>("--budget-mb") { Description = "Fail when the peak working set exceeds this many MB.", DefaultValueFactory = _ => 1024 }.AtLeast(1);
        var json = SharedOptions.Json();
        var command = new Command("memory", "Peak memory and rows/s of one streamed epoch over 1,000,000 × 784 synthetic rows (10 classes).")
        {
            rows, features, hidden, batch, buffer, threads, budget, json,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            long rowCount = parse.GetValue(rows);
            int featureCount = parse.GetValue(features), budgetMb = parse.GetValue(budget);
            if (rowCount < 1) throw new ArgumentOutOfRangeException("--rows", rowCount, "--rows must be at least 1.");
            if (featureCount < 1) throw new ArgumentOutOfRangeException("--features", featureCount, "--features must be at least 1.");
            var options = new MlpTrainer.Options
            {
                HiddenLayers = TrainCommand.ParseLayers(parse.GetValue(hidden)!), Epochs = 1, BatchSize = parse.GetValue(batch),
                ShuffleBufferSize = parse.GetValue(buffer), MonitoringSubsetSize = 1_000, Seed = 1, NumberOfThreads = parse.GetValue(threads),
            };
            MlpTrainer.Validate(options);
            try
            {
                Numerics.MlpDefinition.RequireTrainable(options, featureCount, outputs: 10, $" for --features {featureCount}");
            }
            catch (ArgumentOutOfRangeException e) when (e.ParamName == nameof(MlpTrainer.Options.HiddenLayers))
            {
                // The features are what makes a network of these hidden layers too big here.
                throw new ArgumentOutOfRangeException("--features", featureCount, ArgumentMessages.Bare(e).Replace("MlpTrainer.Options.HiddenLayers", "--hidden", StringComparison.Ordinal));
            }

            var data = new SyntheticDataView(rowCount, featureCount, classes: 10, seed: 1);
            var trainer = new MlpTrainer(new MLContext(seed: 1), options);
            trainer.EpochCompleted += (_, e) => Terminal.Line(FormattableString.Invariant($"epoch {e.Epoch} loss {e.TrainLoss:F4} train_acc {e.TrainAccuracy:F4} {e.Elapsed.TotalSeconds:F1}s"));
            Terminal.Line($"streaming {rowCount:N0} rows × {featureCount} features ({rowCount * featureCount * 4.0 / (1 << 20):N0} MB as floats) through a {options.ShuffleBufferSize:N0}-row shuffle buffer");
            int gen0 = GC.CollectionCount(0), gen2 = GC.CollectionCount(2);
            var stopwatch = Stopwatch.StartNew();
            var model = trainer.Fit(data, null, null, cancellationToken).Model;
            double seconds = stopwatch.Elapsed.TotalSeconds;
            using var process = Process.GetCurrentProcess();
            process.Refresh();
            double peakMb = process.PeakWorkingSet64 / (double)(1 << 20);

            var result = new Dictionary<string, object?>
            {
                ["rows"] = rowCount,
                ["features"] = featureCount,
                ["hidden_layers"] = options.HiddenLayers,
                ["shuffle_buffer"] = options.ShuffleBufferSize,
                ["materialized_mb"] = Math.Round(rowCount * featureCount * 4.0 / (1 << 20), 1),
                ["peak_working_set_mb"] = Math.Round(peakMb, 1),
                ["budget_mb"] = budgetMb,
                ["rows_per_second"] = Math.Round(rowCount / seconds),
                ["seconds"] = Math.Round(seconds, 2),
                ["gen0_collections"] = GC.CollectionCount(0) - gen0,
                ["gen2_collections"] = GC.CollectionCount(2) - gen2,
                ["rows_read"] = data.RowsProduced,
                ["train_accuracy"] = model.History[^1].TrainAccuracy,
            };
            foreach (var (key, value) in result)
                Terminal.Line($"{key,-22} {(value is int[] layers ? string.Join(',', layers) : Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture))}");
            if (parse.GetValue(json)) Terminal.JsonLine(result);
            if (peakMb >= budgetMb)
                throw new InvalidOperationException($"peak working set {peakMb:F0} MB is over the --budget-mb {budgetMb} MB.");
            return Task.FromResult(0);
        });
        return command;
    }
}
