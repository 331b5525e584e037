using System.Globalization;
using System.Text.Json;
using MlNetMlp.Study;
using MlNetMlp.Transforms;
using Spectre.Console;

namespace MlNetMlp.Cli;

/// <summary>
/// <c>mlnetmlp sweep</c>: grid or random search with k-fold cross-validation on the training split, every finished
/// trial appended to a JSONL file (rerunning the same command resumes), then the best configuration retrained on
/// all training rows used and evaluated once on the test split.
/// </summary>
internal static class SweepCommand
{
    public static Command Create()
    {
        var grid = new Option<bool>("--grid") { Description = "Try every configuration of the space." };
        var random = new Option<int?>("--random") { Description = "Try N configurations drawn from the space (seeded; the default is 20)." };
        var folds = new Option<int>("--folds", "-k") { Description = "k of k-fold cross-validation on the training rows.", DefaultValueFactory = _ => 3 };
        var results = new Option<string>("--results") { Description = "JSONL file of finished trials; an existing file is resumed.", DefaultValueFactory = _ => "sweep.jsonl" };
        var space = new Option<string>("--space") { Description = "Base search space: default (around the CLI's best MLP) or quick (tiny, seconds per trial).", DefaultValueFactory = _ => "default" };
        var depths = new Option<string?>("--depths") { Description = "Hidden-layer counts to try, e.g. 1,2,3." };
        var widths = new Option<string?>("--widths") { Description = "First hidden-layer widths to try, e.g. 256,512 (each next layer is half as wide unless --no-taper)." };
        var noTaper = new Option<bool>("--no-taper") { Description = "All hidden layers as wide as the first." };
        var activations = new Option<string?>("--activations") { Description = "Activations to try, e.g. Relu,LeakyRelu,Tanh." };
        var l2 = new Option<string?>("--l2") { Description = "L2 λ values to try, e.g. 0,1e-4." };
        var lr = new Option<string?>("--lr") { Description = "Learning rates to try, e.g. 1e-3,5e-4." };
        var optimizers = new Option<string?>("--optimizers") { Description = "Optimizers to try, e.g. Adam,Momentum,Sgd." };
        var batchSizes = new Option<string?>("--batch-sizes") { Description = "Mini-batch sizes to try, e.g. 128,200." };
        var epochs = new Option<string?>("--epochs") { Description = "Epoch counts to try, e.g. 20,30." };
        var dropouts = new Option<string?>("--dropouts") { Description = "Dropout probabilities to try, e.g. 0,0.3." };
        var trainRows = new Option<int?>("--train-rows") { Description = "Cross-validate on the first N training rows only (default: all 60,000)." };
        var testRows = new Option<int?>("--test-rows") { Description = "Evaluate the final model on the first N test rows only (default: all 10,000)." };
        var parallel = new Option<int?>("--parallel") { Description = "Trials trained at the same time (default: 2 on 2+ cores), each with cores/parallel kernel threads." };
        var threads = new Option<int?>("--threads") { Description = "Kernel threads per trial (default: cores / --parallel)." };
        var budget = new Option<double?>("--budget") { Description = "Start no new trial after this many minutes (rerun to continue)." }.Minutes();
        var seed = new Option<int>("--seed") { Description = "Seeds the random search, the folds and training.", DefaultValueFactory = _ => 1 };
        var model = new Option<string?>("--model") { Description = "Also save the retrained best model here (ML.NET zip)." };
        var noFinal = new Option<bool>("--no-final") { Description = "Only cross-validate; do not retrain the best configuration or touch the test split." };
        var data = SharedOptions.Data();
        var json = SharedOptions.Json();
        var command = new Command("sweep", "Hyperparameter search (grid or random) with k-fold cross-validation on the training split; resumable; the best configuration is tested once.")
        {
            grid, random, folds, results, space, depths, widths, noTaper, activations, l2, lr, optimizers, batchSizes, epochs, dropouts,
            trainRows, testRows, parallel, threads, budget, seed, model, noFinal, data, json,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            if (parse.GetValue(grid) && parse.GetValue(random) != null)
                throw new ArgumentException("--grid and --random exclude each other: choose one.", "--grid");
            var baseSpace = parse.GetValue(space) switch
            {
                "default" => SweepSpace.Default(),
                "quick" => SweepSpace.Quick(),
                var other => throw new ArgumentOutOfRangeException("--space", other, $"--space must be default or quick, not '{other}'."),
            };
            var searchSpace = new SweepSpace
            {
                Depths = Ints(parse.GetValue(depths), "--depths") ?? baseSpace.Depths,
                Widths = Ints(parse.GetValue(widths), "--widths") ?? baseSpace.Widths,
                Taper = !parse.GetValue(noTaper) && baseSpace.Taper,
                Activations = Enums<MlpActivation>(parse.GetValue(activations), "--activations") ?? baseSpace.Activations,
                L2 = Floats(parse.GetValue(l2), "--l2") ?? baseSpace.L2,
                LearningRates = Floats(parse.GetValue(lr), "--lr") ?? baseSpace.LearningRates,
                Optimizers = Enums<Optimizer>(parse.GetValue(optimizers), "--optimizers") ?? baseSpace.Optimizers,
                BatchSizes = Ints(parse.GetValue(batchSizes), "--batch-sizes") ?? baseSpace.BatchSizes,
                Epochs = Ints(parse.GetValue(epochs), "--epochs") ?? baseSpace.Epochs,
                Dropouts = Floats(parse.GetValue(dropouts), "--dropouts") ?? baseSpace.Dropouts,
                Schedules = baseSpace.Schedules,
                Normalizations = baseSpace.Normalizations,
            };
            int k = parse.GetValue(folds);
            if (k < 2) throw new ArgumentOutOfRangeException("--folds", k, "--folds must be at least 2.");
            int? randomCount = parse.GetValue(random);
            if (randomCount is < 1) throw new ArgumentOutOfRangeException("--random", randomCount, "--random must be at least 1.");
            int? parallelism = parse.GetValue(parallel);
            if (parallelism is < 1) throw new ArgumentOutOfRangeException("--parallel", parallelism, "--parallel must be at least 1.");
            int? threadCount = parse.GetValue(threads);
            if (threadCount is < 1) throw new ArgumentOutOfRangeException("--threads", threadCount, "--threads must be at least 1.");
            double? minutes = parse.GetValue(budget);
            foreach (var (value, name) in new[] { (parse.GetValue(trainRows), "--train-rows"), (parse.GetValue(testRows), "--test-rows") })
                if (value is < 1) throw new ArgumentOutOfRangeException(name, value, $"{name} must be at least 1.");
            ValidateSpace(searchSpace);
            int seedValue = parse.GetValue(seed);
            IReadOnlyList<MlpTrialConfig> trials;
            try
            {
                trials = parse.GetValue(grid) ? searchSpace.Grid() : searchSpace.Random(randomCount ?? 20, seedValue);
            }
            catch (InvalidOperationException e)
            {
                throw new ArgumentException($"--grid: {e.Message}", "--grid", e);
            }
            foreach (var trial in trials)
            {
                try
                {
                    Numerics.MlpDefinition.RequireTrainable(trial.ToOptions(seedValue, threadCount), FashionMnist.ImageHeight * FashionMnist.ImageWidth, FashionMnist.ClassNames.Count, "");
                }
                catch (ArgumentOutOfRangeException e)
                {
                    // Before the data is loaded: a configuration too big for this machine would fail every fold of its trial.
                    throw new ArgumentOutOfRangeException("--widths", $"--widths/--depths/--batch-sizes: configuration {trial.Describe()}: {ArgumentMessages.Bare(e).Replace("MlpTrainer.Options.HiddenLayers", "hidden layers", StringComparison.Ordinal)}");
                }
            }
            var settings = new SweepSettings
            {
                Folds = k,
                Seed = seedValue,
                Parallelism = parallelism ?? new SweepSettings().Parallelism,
                ThreadsPerTrial = threadCount,
                Budget = minutes is double m ? TimeSpan.FromMinutes(m) : null,
            };
            return Task.FromResult(Run(searchSpace, trials, settings, parse.GetValue(results)!, parse.GetValue(data), parse.GetValue(trainRows),
                parse.GetValue(testRows), parse.GetValue(model), !parse.GetValue(noFinal), parse.GetValue(json), cancellationToken));
        });
        return command;
    }

    private static int Run(SweepSpace space, IReadOnlyList<MlpTrialConfig> trials, SweepSettings settings, string resultsPath, string? dataDirectory,
        int? trainRows, int? testRows, string? modelPath, bool final, bool json, CancellationToken cancellationToken)
    {
        // Every output is checked, and the results file opened (it must be a sweep's), before the data is read.
        OutputCheck.File("--results", resultsPath, "results");
        var bestPath = BestPath(resultsPath);
        if (final)
        {
            OutputCheck.File("--results", bestPath, "best configuration's summary");
            if (modelPath != null) OutputCheck.File("--model", modelPath, "model");
            OutputCheck.Distinct(("--results", resultsPath), ("--model", modelPath), ("--results (its summary)", bestPath));
        }
        using var store = OpenStore(resultsPath);
        var train = FashionMnist.LoadArrays(FashionMnistSplit.Train, dataDirectory, trainRows);
        if (train.Count < settings.Folds)
            throw new ArgumentOutOfRangeException("--folds", settings.Folds, $"--folds {settings.Folds} needs at least that many training rows; there are {train.Count}.");
        var protocol = new SweepProtocol(settings.Folds, settings.Seed, train.Count);
        int pending = trials.Count(t => !store.Contains(protocol.TrialHash(t)));
        Terminal.Line($"sweep: {trials.Count} configurations ({trials.Count - pending} already in {resultsPath}), {settings.Folds}-fold CV on {train.Count:N0} training rows, " +
            $"{settings.Parallelism} at a time with {settings.ThreadsPerTrial ?? Math.Max(1, Environment.ProcessorCount / settings.Parallelism)} kernel threads each");
        Terminal.Line($"space: {space.Describe()}");
        if (store.RepairedTornLine) Terminal.Line($"note: {resultsPath} ended in a torn line (an interrupted write); it was cut off and that trial runs again.");
        if (store.SkippedLines > 0) Terminal.Line($"note: {store.SkippedLines} unreadable line(s) in {resultsPath} were ignored.");

        SweepRunSummary summary;
        try
        {
            summary = SweepProgress.Show(pending, progress => SweepRunner.Run(train, trials, store, settings, progress, cancellationToken));
        }
        catch (OperationCanceledException)
        {
            // Unlike the other commands, something was written: every trial that finished before Ctrl+C.
            Console.Error.WriteLine($"interrupted: {store.Results.Count} finished trial(s) are in {resultsPath}; rerun the same command to resume.");
            return CliRunner.Interrupted;
        }
        var planned = trials.Select(protocol.TrialHash).ToHashSet();
        var finished = store.Results.Where(r => planned.Contains(r.Hash)).ToList();
        PrintTop(finished);
        Terminal.Line(string.Create(CultureInfo.InvariantCulture,
            $"ran {summary.Ran} trial(s) in {summary.Elapsed.TotalSeconds:F1} s, {summary.AlreadyStored} resumed from {resultsPath}, {summary.NotStarted} left for a later run"));

        var best = SweepRunner.Best(finished, protocol);
        SweepFinalResult? result = null;
        if (best != null && final && summary.NotStarted == 0)
        {
            var test = FashionMnist.LoadArrays(FashionMnistSplit.Test, dataDirectory, testRows);
            Terminal.Line($"best: {best.Hash} {best.Config.Describe()} (cv accuracy {best.MeanAccuracy:F4}); retraining on all {train.Count:N0} rows, then testing once on {test.Count:N0} test rows");
            var (finalResult, fitted, schema) = EpochLines(best.Config.Epochs, onEpoch =>
                SweepRunner.RetrainAndTest(train, test, best, settings.ThreadsPerTrial ?? Environment.ProcessorCount, onEpoch, cancellationToken));
            result = finalResult;
            AtomicFile.WriteAllText(bestPath, JsonSerializer.Serialize(result, new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower }) + "\n");
            if (modelPath != null) ModelFile.Save(new Microsoft.ML.MLContext(seed: settings.Seed), fitted, schema, modelPath);
            Terminal.Line(string.Create(CultureInfo.InvariantCulture,
                $"test micro-accuracy {result.TestMicroAccuracy:F4}, macro {result.TestMacroAccuracy:F4}, log-loss {result.TestLogLoss:F4} (trained in {result.TrainSeconds:F1} s); written to {bestPath}{(modelPath != null ? $" and {modelPath}" : "")}"));
        }
        else if (best == null)
        {
            Terminal.Line("no trial finished successfully, so there is no best configuration to test.");
        }
        else if (summary.NotStarted > 0)
        {
            Terminal.Line("the budget ran out before every trial ran; rerun the same command to continue (the test split is used only once the sweep is complete).");
        }

        if (json)
        {
            Terminal.JsonLine(new Dictionary<string, object?>
            {
                ["results"] = Path.GetFullPath(resultsPath),
                ["planned"] = summary.Planned,
                ["already_stored"] = summary.AlreadyStored,
                ["ran"] = summary.Ran,
                ["not_started"] = summary.NotStarted,
                ["folds"] = settings.Folds,
                ["train_rows"] = train.Count,
                ["best_hash"] = best?.Hash,
                ["best_config"] = best?.Config.Describe(),
                ["cv_accuracy"] = best?.MeanAccuracy,
                ["test_micro_accuracy"] = result?.TestMicroAccuracy,
                ["test_macro_accuracy"] = result?.TestMacroAccuracy,
                ["test_log_loss"] = result?.TestLogLoss,
                ["test_rows"] = result?.TestRows,
                ["final_train_seconds"] = result is null ? null : Math.Round(result.TrainSeconds, 3),
            });
        }
        return 0;
    }

    /// <summary>Where the tested best configuration is written: beside the results, <c>NAME.best.json</c>.</summary>
    private static string BestPath(string resultsPath) => Path.ChangeExtension(resultsPath, null) + ".best.json";

    private static SweepResultStore OpenStore(string path)
    {
        try
        {
            return SweepResultStore.Open(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            throw new IOException($"--results {path}: {e.Message}", e);
        }
    }

    private static T EpochLines<T>(int epochs, Func<Action<EpochRecord>, T> run) =>
        run(e => Terminal.Line(FormattableString.Invariant($"  final fit: epoch {e.Epoch}/{epochs} loss {e.TrainLoss:F4} train_acc {e.TrainAccuracy:F4} {e.Elapsed.TotalSeconds:F1}s")));

    private static void PrintTop(IReadOnlyList<SweepTrialResult> finished)
    {
        var top = finished.Where(r => r.MeanAccuracy.HasValue).OrderByDescending(r => r.MeanAccuracy).Take(10).ToList();
        if (top.Count == 0) return;
        if (Terminal.IsInteractive)
        {
            var table = new Table().Title("best trials (mean cross-validation accuracy)").AddColumn("hash").AddColumn("configuration")
                .AddColumn(new TableColumn("cv accuracy").RightAligned()).AddColumn(new TableColumn("± std").RightAligned())
                .AddColumn(new TableColumn("cv log-loss").RightAligned()).AddColumn(new TableColumn("seconds").RightAligned());
            foreach (var r in top)
                table.AddRow(r.Hash, Markup.Escape(r.Config.Describe()), F(r.MeanAccuracy), F(r.StdAccuracy), F(r.MeanLogLoss), r.Seconds.ToString("F1", CultureInfo.InvariantCulture));
            AnsiConsole.Write(table);
            return;
        }
        Console.WriteLine("best trials (mean cross-validation accuracy):");
        foreach (var r in top)
            Console.WriteLine($"  {r.Hash} {F(r.MeanAccuracy)} ± {F(r.StdAccuracy)} log-loss {F(r.MeanLogLoss)} {r.Seconds.ToString("F1", CultureInfo.InvariantCulture)} s  {r.Config.Describe()}");
    }

    private static string F(double? value) => value is double v ? v.ToString("F4", CultureInfo.InvariantCulture) : "—";

    private static void ValidateSpace(SweepSpace space)
    {
        // Check the values here so a bad one names its option instead of failing inside every trial.
        void Check(bool ok, string option, string rule) { if (!ok) throw new ArgumentOutOfRangeException(option, $"{option}: {rule}."); }
        Check(space.Depths.All(d => d is >= 0 and <= 8), "--depths", "every depth must be 0..8");
        Check(space.Widths.All(w => w >= 1), "--widths", "every width must be at least 1");
        Check(space.L2.All(v => v >= 0 && float.IsFinite(v)), "--l2", "every λ must be 0 or more");
        Check(space.LearningRates.All(v => v > 0 && float.IsFinite(v)), "--lr", "every learning rate must be positive");
        Check(space.BatchSizes.All(v => v >= 1), "--batch-sizes", "every batch size must be at least 1");
        Check(space.Epochs.All(v => v >= 1), "--epochs", "every epoch count must be at least 1");
        Check(space.Dropouts.All(v => v is >= 0 and < 1), "--dropouts", "every dropout must be in [0, 1)");
    }

    private static string[]? Items(string? text, string option)
    {
        if (text is null) return null;
        var parts = text.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return parts.Length > 0 ? parts : throw new ArgumentException($"{option} needs at least one value.", option);
    }

    private static int[]? Ints(string? text, string option) => Items(text, option)?.Select(p =>
        int.TryParse(p, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v
            : throw new ArgumentOutOfRangeException(option, p, $"{option} takes comma-separated whole numbers, but '{p}' is not one.")).ToArray();

    private static float[]? Floats(string? text, string option) => Items(text, option)?.Select(p =>
        float.TryParse(p, NumberStyles.Float, CultureInfo.InvariantCulture, out float v) ? v
            : throw new ArgumentOutOfRangeException(option, p, $"{option} takes comma-separated numbers, but '{p}' is not one.")).ToArray();

    private static T[]? Enums<T>(string? text, string option) where T : struct, Enum => Items(text, option)?.Select(p =>
        Enum.TryParse<T>(p, ignoreCase: true, out var v) && Enum.IsDefined(v) ? v
            : throw new ArgumentOutOfRangeException(option, p, $"{option}: '{p}' is not one of {string.Join(", ", Enum.GetNames<T>())}.")).ToArray();
}
