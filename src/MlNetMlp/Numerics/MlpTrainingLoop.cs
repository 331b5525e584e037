using System.Diagnostics;

namespace MlNetMlp.Numerics;

/// <summary>
/// Mini-batch training of an <see cref="MlpNetwork"/> with every knob of <see cref="MlpTrainer.Options"/>
/// (column names aside): update rule, L2, dropout, learning-rate schedule, validation split, early
/// stopping, monitoring subsets, shuffling and threads. Given the same data, options, seed and thread
/// count it produces bit-identical weights.
/// </summary>
internal static class MlpTrainingLoop
{
    /// <summary>
    /// Trains a copy of <paramref name="network"/> (the caller's instance is not modified) for
    /// <c>options.Epochs</c> epochs numbered from <paramref name="firstEpoch"/>. The optimizer state and
    /// the learning-rate schedule start fresh, unless <paramref name="checkpointing"/> resumes a saved run;
    /// with checkpointing on, a checkpoint is saved every <c>EveryEpochs</c> epochs and after the last one. <paramref name="onEpoch"/> runs after each epoch on the
    /// calling thread. The architecture (layer sizes, activation, its slope/alpha, initialization) is the
    /// network's; the corresponding options are not read here. A non-empty <paramref name="validation"/>
    /// set takes precedence over <c>options.ValidationFraction</c>.
    /// </summary>
    /// <exception cref="MlpTrainingDivergedException">The loss became NaN or infinite, or exploded (<see cref="DivergenceWatch"/>).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled (checked before every batch).</exception>
    /// <exception cref="InvalidDataException">The checkpoint to resume from was written by a different training.</exception>
    public static MlpTrainingResult Train(MlpNetwork network, MlpDataSet train, MlpDataSet? validation, MlpTrainer.Options options,
        int seed, int firstEpoch, Action<MlpEpochRecord>? onEpoch, CancellationToken cancellationToken, Checkpointing<TrainingCheckpoint>? checkpointing = null,
        Action<MlpTrainingDivergedException>? onDiverged = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(options);
        CheckData(network, train, nameof(train));
        if (validation is not null) CheckData(network, validation, nameof(validation));
        if (train.Rows == 0) throw new ArgumentException("There are no training rows.", nameof(train));

        // Which rows train, which validate (a seeded hold-out without a validation set), which are measured each epoch.
        var rows = TrainingRows.Plan(train, validation, options.ValidationFraction, options.MonitoringSubsetSize, seed);
        var batches = new InMemoryBatches(train, rows.Train, options.BatchSize, options.Shuffle, seed);
        return Run(network, batches, train, rows.TrainMonitor, rows.ValidationData, rows.ValidationMonitor, options, seed, firstEpoch, onEpoch, cancellationToken, checkpointing, onDiverged);
    }

    /// <summary>
    /// Trains on batches streamed by <paramref name="batches"/>; per-epoch training accuracy is measured on
    /// <paramref name="monitoring"/> (rows kept in memory), validation on <paramref name="validation"/>.
    /// </summary>
    public static MlpTrainingResult TrainStreaming(MlpNetwork network, IMlpBatchSource batches, MlpDataSet monitoring, MlpDataSet? validation,
        MlpTrainer.Options options, int seed, int firstEpoch, Action<MlpEpochRecord>? onEpoch, CancellationToken cancellationToken,
        Checkpointing<TrainingCheckpoint>? checkpointing = null, Action<MlpTrainingDivergedException>? onDiverged = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(batches);
        ArgumentNullException.ThrowIfNull(options);
        CheckData(network, monitoring, nameof(monitoring));
        if (validation is not null) CheckData(network, validation, nameof(validation));
        if (monitoring.Rows == 0) throw new ArgumentException("There are no training rows.", nameof(batches));
        return Run(network, batches, monitoring, null, validation is { Rows: > 0 } ? validation : null, null, options, seed, firstEpoch, onEpoch,
            cancellationToken, checkpointing, onDiverged);
    }

    private static MlpTrainingResult Run(MlpNetwork network, IMlpBatchSource batches, MlpDataSet trainMonitor, int[]? trainMonitorRows,
        MlpDataSet? validationData, int[]? validationMonitorRows, MlpTrainer.Options options, int seed, int firstEpoch,
        Action<MlpEpochRecord>? onEpoch, CancellationToken cancellationToken, Checkpointing<TrainingCheckpoint>? checkpointing,
        Action<MlpTrainingDivergedException>? onDiverged)
    {
        network = network.Clone();
        int threads = Math.Clamp(options.NumberOfThreads ?? Environment.ProcessorCount, 1, 256);
        int batchSize = batches.BatchSize;
        using var pool = new WorkerPool(threads);
        var backpropagation = new MlpBackpropagation(network, pool, batchSize, options.Dropout);
        var updater = new ParameterUpdater(network, backpropagation.Layout, options);
        var evaluator = new MlpEvaluator(network, pool);
        float learningRate = options.LearningRate;
        // One job per optimizer step: sum the workers' gradients and update, each worker on its share of the parameters;
        // the last partial is added as the update reads it (one pass over the gradient fewer per step).
        Action<int> reduceAndUpdate = worker =>
        {
            float[]? lastPartial = backpropagation.ReduceGradientsButLast(worker);
            updater.Apply(threads, worker, backpropagation.Gradient, lastPartial, learningRate);
        };

        int dropoutSeed = RandomStreams.SubSeed(seed, RandomStreams.DropoutStream);
        var history = new List<MlpEpochRecord>(Math.Max(0, options.Epochs));
        MlpNetwork? best = TracksBest(options) ? network.Clone() : null;
        double bestLoss = double.PositiveInfinity;
        int bestEpoch = firstEpoch - 1, epochsWithoutImprovement = 0;
        bool stoppedEarly = false;
        int firstIndex = 0;
        var divergence = new DivergenceWatch(network.ClassCount);
        var dataFingerprint = DataFingerprint.Of(trainMonitor);

        if (checkpointing?.ResumeFrom is { } resume)
        {
            // Everything that carries over from one epoch to the next comes back; the rest is a function of (seed, epoch).
            resume.CheckMatches(network, options, firstEpoch, batches.KnownRows, batchSize, updater.State1.Length + updater.State2.Length, dataFingerprint);
            divergence = new DivergenceWatch(network.ClassCount, resume.Run.StartingLoss);
            network.CopyParametersFrom(resume.Network);
            updater.Restore(resume.OptimizerStep, resume.OptimizerState1, resume.OptimizerState2);
            if (best is not null) best.CopyParametersFrom(resume.Best!);
            bestLoss = resume.BestLoss;
            bestEpoch = resume.BestEpoch;
            epochsWithoutImprovement = resume.EpochsWithoutImprovement;
            history.AddRange(resume.History);
            firstIndex = resume.EpochsDone;
            stoppedEarly = resume.Finished && resume.EpochsDone < options.Epochs;
            if (resume.Finished) firstIndex = options.Epochs;
        }

        for (int e = firstIndex; e < options.Epochs; e++)
        {
            int epoch = firstEpoch + e;
            var stopwatch = Stopwatch.StartNew();
            learningRate = LearningRateSchedule.At(options, e);
            batches.BeginEpoch(epoch);

            double batchLossSum = 0;
            int b = 0;
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (!batches.TryNextBatch(out MlpDataSet data, out int[] order, out int start, out int count)) break;
                double loss = backpropagation.ComputeGradients(data, order, start, count, dropoutSeed, ((long)epoch << 32) | (uint)b);
                if (divergence.Check(loss, epoch, b + 1, learningRate) is { } diverged)
                    return Diverged(diverged);
                updater.BeginStep();
                pool.Run(reduceAndUpdate);
                batchLossSum += loss;
                b++;
            }
            if (b == 0) throw new ArgumentException("There are no training rows.");

            cancellationToken.ThrowIfCancellationRequested();
            double trainLoss = batchLossSum / b;
            (double monitoredTrainLoss, double trainAccuracy) = evaluator.Evaluate(trainMonitor, trainMonitorRows);
            if (!double.IsFinite(monitoredTrainLoss)) // the epoch's last update broke the weights
                return Diverged(new MlpTrainingDivergedException(epoch, b, monitoredTrainLoss, learningRate));
            double? validationLoss = null, validationAccuracy = null;
            if (validationData is not null)
                (validationLoss, validationAccuracy) = evaluator.Evaluate(validationData, validationMonitorRows);

            var record = new MlpEpochRecord(epoch, trainLoss, trainAccuracy, validationLoss, validationAccuracy, learningRate, stopwatch.Elapsed);
            history.Add(record);

            // Early stopping watches the validation loss, or the training loss without validation data.
            double watched = validationLoss ?? trainLoss;
            if (watched < bestLoss - options.EarlyStoppingMinDelta)
            {
                bestLoss = watched;
                bestEpoch = epoch;
                epochsWithoutImprovement = 0;
                best?.CopyParametersFrom(network);
            }
            else
            {
                epochsWithoutImprovement++;
            }
            bool stop = options.EarlyStopping && epochsWithoutImprovement >= options.EarlyStoppingPatience;
            bool last = stop || e == options.Epochs - 1;
            if (checkpointing is not null && checkpointing.IsDue(e + 1, last))
            {
                new TrainingCheckpoint
                {
                    Seed = seed, FirstEpoch = firstEpoch, EpochsDone = e + 1, Finished = stop, TrainRows = batches.KnownRows, BatchSize = batchSize,
                    Network = network, Optimizer = options.Optimizer, OptimizerStep = updater.Step, OptimizerState1 = updater.State1,
                    OptimizerState2 = updater.State2, BestLoss = bestLoss, BestEpoch = bestEpoch, EpochsWithoutImprovement = epochsWithoutImprovement,
                    Best = best, History = history, Run = new(divergence.StartingLoss, dataFingerprint, TrainingCheckpoint.SettingsOf(options)),
                }.Save(checkpointing.FilePath);
            }
            onEpoch?.Invoke(record);
            if (stop)
            {
                stoppedEarly = e < options.Epochs - 1;
                break;
            }
        }

        if (!options.EarlyStopping)
            return new MlpTrainingResult(network, history, history.Count > 0 ? history[^1].Epoch : firstEpoch - 1, false);
        return new MlpTrainingResult(best!, history, bestEpoch, stoppedEarly);

        // Stop: throw. KeepBest: hand back the best finished epoch, if there is one.
        MlpTrainingResult Diverged(MlpTrainingDivergedException exception)
        {
            if (options.OnDivergence != MlpDivergenceAction.KeepBest || bestEpoch < firstEpoch)
                throw exception;
            onDiverged?.Invoke(exception);
            return new MlpTrainingResult(best!, history, bestEpoch, StoppedEarly: true);
        }
    }

    private static void CheckData(MlpNetwork network, MlpDataSet data, string name) => data.CheckFits(network.InputSize, network.ClassCount, name);

    /// <summary>Whether the loop keeps a copy of the best epoch's weights (early stopping, or keep-best on divergence).</summary>
    public static bool TracksBest(MlpTrainer.Options options) => options.EarlyStopping || options.OnDivergence == MlpDivergenceAction.KeepBest;
}
