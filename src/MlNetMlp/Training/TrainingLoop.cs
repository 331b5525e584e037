using System.Diagnostics;

namespace MlNetMlp.Training;

/// <summary>The epochs a run recorded, the epoch whose weights the network now holds, and whether it stopped early.</summary>
internal sealed record TrainingResult(IReadOnlyList<EpochRecord> History, int BestEpoch, bool StoppedEarly);

/// <summary>
/// The one training loop: epochs of mini-batches from an <see cref="IBatchSource"/> through an <see cref="ITrainingEngine"/>,
/// with the learning-rate schedule, per-epoch monitoring, early stopping, best-epoch tracking, the divergence policy,
/// checkpoints and cancellation. It knows nothing of the network (MLP or CNN) or the task (the head is the engine's);
/// given the same data, options, seed and thread count it produces bit-identical weights, whether the run went straight
/// through or was resumed from a checkpoint.
/// </summary>
internal static class TrainingLoop
{
    /// <summary>What the loop is given besides the network and its engine.</summary>
    internal sealed record Run(
        IBatchSource Batches,
        TrainingSet TrainMonitor,
        int[]? TrainMonitorRows,
        TrainingSet? ValidationData,
        int[]? ValidationMonitorRows,
        NetworkTrainerOptions Options,
        TaskHead Head,
        int Seed,
        int FirstEpoch,
        string Settings,
        Checkpointing<TrainingCheckpoint>? Checkpointing);

    /// <summary>
    /// Trains <paramref name="network"/> in place for <c>options.Epochs</c> epochs numbered from <c>run.FirstEpoch</c>. The
    /// optimizer state and the schedule start fresh, unless the checkpointing resumes a saved run; with checkpointing on, a
    /// checkpoint is saved every <c>EveryEpochs</c> epochs and after the last one. <paramref name="onEpoch"/> runs after each
    /// epoch (and its checkpoint) on the calling thread. On return the network holds the result: the last epoch's
    /// weights, or with early stopping (or keep-best after a divergence) the best epoch's.
    /// </summary>
    /// <exception cref="TrainingDivergedException">The loss became NaN or infinite, or exploded (<see cref="DivergenceWatch"/>), and OnDivergence is Stop.</exception>
    /// <exception cref="OperationCanceledException">Cancelled (checked before every batch and after every epoch).</exception>
    /// <exception cref="InvalidDataException">The checkpoint to resume from was written by a different training.</exception>
    public static TrainingResult Train(ITrainableNetwork network, ITrainingEngine engine, Run run, Action<EpochRecord>? onEpoch,
        Action<TrainingDivergedException>? onDiverged, CancellationToken cancellationToken)
    {
        var options = run.Options;
        var batches = run.Batches;
        int firstEpoch = run.FirstEpoch;
        int dropoutSeed = RandomStreams.SubSeed(run.Seed, RandomStreams.DropoutStream);
        var history = new List<EpochRecord>(Math.Max(0, options.Epochs));
        float[]? best = options.TracksBest ? new float[network.StateLength] : null;
        if (best is not null) network.CopyStateTo(best);
        double bestLoss = double.PositiveInfinity;
        int bestEpoch = firstEpoch - 1, epochsWithoutImprovement = 0;
        bool stoppedEarly = false;
        int firstIndex = 0;
        var divergence = new DivergenceWatch(run.Head.UninformedLoss);
        var dataFingerprint = DataFingerprint.Of(run.TrainMonitor);

        if (run.Checkpointing?.ResumeFrom is { } resume)
        {
            // Everything that carries over from one epoch to the next comes back; the rest is a function of (seed, epoch).
            resume.CheckMatches(network, options, firstEpoch, batches.KnownRows, batches.BatchSize, engine.Optimizer, dataFingerprint, run.Settings);
            divergence = new DivergenceWatch(run.Head.UninformedLoss, resume.Run.StartingLoss);
            network.CopyStateFrom(resume.State);
            engine.Optimizer.Restore(resume.OptimizerStep, resume.OptimizerState1, resume.OptimizerState2);
            if (best is not null) resume.Best!.CopyTo(best, 0);
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
            float learningRate = LearningRates.At(options, e);
            batches.BeginEpoch(epoch);

            double batchLossSum = 0;
            int b = 0;
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (!batches.TryNextBatch(out TrainingSet data, out int[] order, out int start, out int count)) break;
                double loss = engine.Step(data, order, start, count, learningRate, dropoutSeed, ((long)epoch << 32) | (uint)b);
                if (divergence.Check(loss, epoch, b + 1, learningRate) is { } diverged)
                    return Diverged(diverged);
                batchLossSum += loss;
                b++;
            }
            if (b == 0) throw new ArgumentException("There are no training rows.");

            cancellationToken.ThrowIfCancellationRequested();
            double trainLoss = batchLossSum / b;
            (double monitoredTrainLoss, double trainAccuracy) = engine.Evaluate(run.TrainMonitor, run.TrainMonitorRows, cancellationToken);
            if (!double.IsFinite(monitoredTrainLoss)) // the epoch's last update broke the weights
                return Diverged(new TrainingDivergedException(epoch, b, monitoredTrainLoss, learningRate));
            double? validationLoss = null, validationAccuracy = null;
            if (run.ValidationData is not null)
                (validationLoss, validationAccuracy) = engine.Evaluate(run.ValidationData, run.ValidationMonitorRows, cancellationToken);

            var record = new EpochRecord(epoch, trainLoss, trainAccuracy, validationLoss, validationAccuracy, learningRate, stopwatch.Elapsed);
            history.Add(record);

            // Early stopping watches the validation loss, or the training loss without validation data.
            double watched = validationLoss ?? trainLoss;
            if (watched < bestLoss - options.EarlyStoppingMinDelta)
            {
                bestLoss = watched;
                bestEpoch = epoch;
                epochsWithoutImprovement = 0;
                if (best is not null) network.CopyStateTo(best);
            }
            else
            {
                epochsWithoutImprovement++;
            }
            bool stop = options.EarlyStopping && epochsWithoutImprovement >= options.EarlyStoppingPatience;
            bool last = stop || e == options.Epochs - 1;
            if (run.Checkpointing is { } checkpointing && checkpointing.IsDue(e + 1, last))
            {
                var state = new float[network.StateLength];
                network.CopyStateTo(state);
                new TrainingCheckpoint
                {
                    Seed = run.Seed, FirstEpoch = firstEpoch, EpochsDone = e + 1, Finished = stop, TrainRows = batches.KnownRows, BatchSize = batches.BatchSize,
                    Network = network.Description, State = state, Optimizer = engine.Optimizer.Rule, OptimizerStep = engine.Optimizer.Step,
                    OptimizerState1 = engine.Optimizer.State1, OptimizerState2 = engine.Optimizer.State2, BestLoss = bestLoss, BestEpoch = bestEpoch,
                    EpochsWithoutImprovement = epochsWithoutImprovement, Best = best, History = history,
                    Run = new(divergence.StartingLoss, dataFingerprint, run.Settings),
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
            return new TrainingResult(history, history.Count > 0 ? history[^1].Epoch : firstEpoch - 1, false);
        network.CopyStateFrom(best!);
        return new TrainingResult(history, bestEpoch, stoppedEarly);

        // Stop: throw. KeepBest: hand back the best finished epoch, if there is one.
        TrainingResult Diverged(TrainingDivergedException exception)
        {
            if (options.OnDivergence != DivergenceAction.KeepBest || bestEpoch < firstEpoch)
                throw exception;
            network.CopyStateFrom(best!);
            onDiverged?.Invoke(exception);
            return new TrainingResult(history, bestEpoch, StoppedEarly: true);
        }
    }
}
