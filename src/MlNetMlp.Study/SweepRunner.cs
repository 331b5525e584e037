using System.Diagnostics;
using Microsoft.ML;
using MlNetMlp.Data;
using MlNetMlp.Transforms;

namespace MlNetMlp.Study;

/// <summary>Receives a sweep's progress; called from the worker threads (implementations must be thread-safe).</summary>
public interface ISweepProgress
{
    /// <summary>A worker (<paramref name="slot"/>) started trial <paramref name="index"/> (0-based) of <paramref name="total"/>.</summary>
    void TrialStarted(int slot, int index, int total, MlpTrialConfig config);

    /// <summary>An epoch of fold <paramref name="fold"/> (0-based) ended.</summary>
    void FoldEpoch(int slot, int fold, int folds, EpochRecord record, int epochs);

    /// <summary>A trial ended and was stored.</summary>
    void TrialFinished(int slot, SweepTrialResult result);
}

/// <summary>How a sweep runs: folds, seed, parallelism and an optional time budget.</summary>
public sealed class SweepSettings
{
    /// <summary>k of k-fold cross-validation.</summary>
    public int Folds { get; init; } = 3;

    /// <summary>Seeds the folds and every training run.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Trials trained at the same time.</summary>
    public int Parallelism { get; init; } = Math.Clamp(Environment.ProcessorCount, 1, 2);

    /// <summary>Kernel threads per trial; null = cores / parallelism (at least 1).</summary>
    public int? ThreadsPerTrial { get; init; }

    /// <summary>Start no new trial after this much time (running trials finish); null = no limit.</summary>
    public TimeSpan? Budget { get; init; }

    internal int Threads => ThreadsPerTrial ?? Math.Max(1, Environment.ProcessorCount / Math.Max(1, Parallelism));
}

/// <summary>What <see cref="SweepRunner.Run"/> did.</summary>
/// <param name="Planned">Trials in the plan.</param>
/// <param name="AlreadyStored">Trials skipped because the file already held them.</param>
/// <param name="Ran">Trials run (and stored) by this call.</param>
/// <param name="NotStarted">Trials left for a later run (time budget reached).</param>
/// <param name="Elapsed">Wall time of this call.</param>
public sealed record SweepRunSummary(int Planned, int AlreadyStored, int Ran, int NotStarted, TimeSpan Elapsed);

/// <summary>The chosen configuration retrained on the whole training split and evaluated once on the test split.</summary>
public sealed record SweepFinalResult(
    string Hash, MlpTrialConfig Config, double CrossValidationAccuracy, double TestMicroAccuracy, double TestMacroAccuracy,
    double TestLogLoss, double TrainSeconds, int TrainRows, int TestRows, DateTimeOffset Finished);

/// <summary>
/// Hyperparameter search with k-fold cross-validation on the training split only: trials in parallel (each with
/// its own MLContext and kernel threads), every finished trial appended to a <see cref="SweepResultStore"/>,
/// trials already stored skipped. The test split is never touched here; see <see cref="RetrainAndTest"/>.
/// </summary>
public static class SweepRunner
{
    /// <summary>Cross-validates one configuration on <paramref name="train"/> (folds stratified by label).</summary>
    public static SweepTrialResult CrossValidate(LabeledImages train, MlpTrialConfig config, SweepProtocol protocol, int threads,
        Action<int, EpochRecord>? onEpoch = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(protocol);
        if (train.Count != protocol.TrainRows)
            throw new ArgumentException($"The protocol says {protocol.TrainRows} training rows, the data has {train.Count}.", nameof(train));
        var stopwatch = Stopwatch.StartNew();
        var folds = KFold.Stratified(train.Labels, protocol.Folds, protocol.Seed);
        var accuracies = new List<double>();
        var logLosses = new List<double>();
        string hash = protocol.TrialHash(config);
        try
        {
            foreach (var fold in folds)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var (accuracy, logLoss) = FitAndEvaluate(train.Subset(fold.TrainRows), train.Subset(fold.ValidationRows), config,
                    protocol.Seed + fold.Fold, threads, record => onEpoch?.Invoke(fold.Fold, record), cancellationToken);
                accuracies.Add(accuracy);
                logLosses.Add(logLoss);
            }
        }
        catch (TrainingDivergedException e)
        {
            return Result(SweepTrialStatus.Diverged, e.Message);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return Result(SweepTrialStatus.Failed, $"{e.GetType().Name}: {e.Message}");
        }
        return Result(SweepTrialStatus.Ok, null);

        SweepTrialResult Result(SweepTrialStatus status, string? error)
        {
            bool ok = status == SweepTrialStatus.Ok;
            double mean = accuracies.Count > 0 ? accuracies.Average() : 0;
            double std = accuracies.Count > 1 ? Math.Sqrt(accuracies.Sum(a => (a - mean) * (a - mean)) / (accuracies.Count - 1)) : 0;
            return new SweepTrialResult
            {
                Hash = hash,
                Config = config,
                Protocol = protocol,
                Status = status,
                FoldAccuracies = [.. accuracies],
                FoldLogLosses = [.. logLosses],
                MeanAccuracy = ok ? mean : null,
                StdAccuracy = ok ? std : null,
                MeanLogLoss = ok ? logLosses.Average() : null,
                Seconds = stopwatch.Elapsed.TotalSeconds,
                Threads = threads,
                Error = error,
                Finished = DateTimeOffset.UtcNow,
            };
        }
    }

    /// <summary>
    /// Runs every trial of <paramref name="trials"/> not yet in <paramref name="store"/>, <see cref="SweepSettings.Parallelism"/>
    /// at a time. Cancellation stops the running trials (they are not stored) and throws <see cref="OperationCanceledException"/>.
    /// </summary>
    public static SweepRunSummary Run(LabeledImages train, IReadOnlyList<MlpTrialConfig> trials, SweepResultStore store, SweepSettings settings,
        ISweepProgress? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(trials);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Parallelism < 1) throw new ArgumentOutOfRangeException(nameof(settings), settings.Parallelism, "Parallelism must be at least 1.");
        var stopwatch = Stopwatch.StartNew();
        var protocol = new SweepProtocol(settings.Folds, settings.Seed, train.Count);
        var pending = new List<(int Index, MlpTrialConfig Config)>();
        for (int i = 0; i < trials.Count; i++)
            if (!store.Contains(protocol.TrialHash(trials[i]))) pending.Add((i, trials[i]));
        int alreadyStored = trials.Count - pending.Count;

        int next = -1, ran = 0;
        int threads = settings.Threads;
        // Measured on the stopwatch, not as a clock deadline: any budget a TimeSpan holds works, however long.
        TimeSpan? budget = settings.Budget;
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var workers = Enumerable.Range(0, Math.Min(settings.Parallelism, Math.Max(1, pending.Count))).Select(slot => Task.Factory.StartNew(() =>
        {
            while (true)
            {
                if (budget is TimeSpan b && stopwatch.Elapsed >= b) return;
                int mine = Interlocked.Increment(ref next);
                if (mine >= pending.Count) return;
                var (index, config) = pending[mine];
                progress?.TrialStarted(slot, index, trials.Count, config);
                var result = CrossValidate(train, config, protocol, threads,
                    (fold, record) => progress?.FoldEpoch(slot, fold, protocol.Folds, record, config.Epochs), linked.Token);
                store.Append(result);
                Interlocked.Increment(ref ran);
                progress?.TrialFinished(slot, result);
            }
        }, linked.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();
        try
        {
            Task.WaitAll(workers);
        }
        catch (AggregateException e)
        {
            linked.Cancel();
            var inner = e.Flatten().InnerExceptions;
            var first = inner.FirstOrDefault(x => x is not OperationCanceledException) ?? inner[0];
            if (first is OperationCanceledException) throw new OperationCanceledException("The sweep was cancelled.", first, cancellationToken);
            throw first;
        }
        return new SweepRunSummary(trials.Count, alreadyStored, ran, pending.Count - ran, stopwatch.Elapsed);
    }

    /// <summary>The best stored trial of <paramref name="protocol"/>: highest mean CV accuracy, then lowest mean log-loss, then fewest epochs.</summary>
    public static SweepTrialResult? Best(IEnumerable<SweepTrialResult> results, SweepProtocol protocol) =>
        results.Where(r => r.Status == SweepTrialStatus.Ok && r.MeanAccuracy.HasValue && r.Protocol == protocol)
            .OrderByDescending(r => r.MeanAccuracy!.Value)
            .ThenBy(r => r.MeanLogLoss ?? double.MaxValue)
            .ThenBy(r => r.Config.Epochs)
            .FirstOrDefault();

    /// <summary>Retrains the configuration of <paramref name="best"/> on all of <paramref name="train"/> and evaluates it on <paramref name="test"/>, once.</summary>
    /// <exception cref="InvalidDataException"><paramref name="test"/> has other classes than <paramref name="train"/>, or the retrained model gives NaN or infinite scores.</exception>
    public static (SweepFinalResult Result, ITransformer Model, DataViewSchema InputSchema) RetrainAndTest(LabeledImages train, LabeledImages test,
        SweepTrialResult best, int? threads, Action<EpochRecord>? onEpoch = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(best);
        var mlContext = new MLContext(seed: best.Protocol.Seed);
        var trainView = train.ToDataView();
        var stopwatch = Stopwatch.StartNew();
        var model = Fit(mlContext, trainView, best.Config, best.Protocol.Seed, threads, onEpoch, cancellationToken);
        double seconds = stopwatch.Elapsed.TotalSeconds;
        var metrics = ClassifierEvaluation.Evaluate(mlContext, model, test.ToDataView(), $"The retrained model of trial {best.Hash}").Metrics;
        var result = new SweepFinalResult(best.Hash, best.Config, best.MeanAccuracy ?? double.NaN, metrics.MicroAccuracy, metrics.MacroAccuracy,
            metrics.LogLoss, seconds, train.Count, test.Count, DateTimeOffset.UtcNow);
        return (result, model, trainView.Schema);
    }

    private static (double Accuracy, double LogLoss) FitAndEvaluate(LabeledImages train, LabeledImages validation, MlpTrialConfig config, int seed,
        int threads, Action<EpochRecord> onEpoch, CancellationToken cancellationToken)
    {
        var mlContext = new MLContext(seed: seed);
        var model = Fit(mlContext, train.ToDataView(), config, seed, threads, onEpoch, cancellationToken);
        var metrics = ClassifierEvaluation.Evaluate(mlContext, model, validation.ToDataView(), "The fold's model").Metrics;
        return (metrics.MicroAccuracy, metrics.LogLoss);
    }

    /// <summary>NormalizePixels (fitted on <paramref name="train"/>) → FlattenImage → MlpTrainer, as one ML.NET chain.</summary>
    internal static ITransformer Fit(MLContext mlContext, IDataView train, MlpTrialConfig config, int seed, int? threads,
        Action<EpochRecord>? onEpoch, CancellationToken cancellationToken)
    {
        var transforms = mlContext.Transforms.NormalizePixels("Image", mode: config.Normalization)
            .Append(mlContext.Transforms.FlattenImage("Features", "Image"))
            .Fit(train);
        var trainer = new MlpTrainer(mlContext, config.ToOptions(seed, threads));
        if (onEpoch != null) trainer.EpochCompleted += (_, e) => onEpoch(e);
        var mlp = trainer.Fit(transforms.Transform(train), null, null, cancellationToken);
        return transforms.Append(mlp);
    }
}
