using System.Diagnostics;
using MlNetMlp.Numerics;

namespace MlNetMlp.Cnn;

/// <summary>
/// Epochs of mini-batch Adam on a <see cref="CnnNetwork"/> with the knobs of <see cref="CnnTrainer.Options"/>:
/// shuffling, learning-rate schedule, validation split or set, monitoring subsets, cancellation and divergence.
/// Batches come from an <see cref="IMlpBatchSource"/>, as for the MLP: rows in memory reshuffled from (seed, epoch),
/// or an <c>IDataView</c> streamed through a shuffle buffer. Same data, options, seed and thread count →
/// bit-identical parameters, whether the run went straight through or was resumed from a checkpoint.
/// </summary>
internal static class CnnTrainingLoop
{
    /// <summary>
    /// Trains <paramref name="network"/> in place for <c>options.Epochs</c> epochs numbered from <paramref name="firstEpoch"/>
    /// on rows held in memory. Adam and the learning-rate schedule start fresh, unless <paramref name="checkpointing"/>
    /// resumes a saved run; with checkpointing on, a checkpoint is saved every <c>EveryEpochs</c> epochs and after the
    /// last one. <paramref name="onEpoch"/> runs after each epoch (and its checkpoint) on the calling thread.
    /// </summary>
    /// <exception cref="MlpTrainingDivergedException">The loss became NaN or infinite, or exploded (<see cref="DivergenceWatch"/>).</exception>
    /// <exception cref="OperationCanceledException">Cancelled (checked before every batch and every monitoring chunk).</exception>
    /// <exception cref="InvalidDataException">The checkpoint to resume from was written by a different training.</exception>
    public static IReadOnlyList<MlpEpochRecord> Train(CnnNetwork network, MlpDataSet train, MlpDataSet? validation, CnnTrainer.Options options,
        int seed, int firstEpoch, Action<MlpEpochRecord>? onEpoch, CancellationToken cancellationToken, Checkpointing<CnnCheckpoint>? checkpointing = null)
    {
        if (train.Rows == 0) throw new ArgumentException("There are no training rows.", nameof(train));
        CheckData(network, train, nameof(train));
        if (validation is not null) CheckData(network, validation, nameof(validation));
        var rows = TrainingRows.Plan(train, validation, options.ValidationFraction, options.MonitoringSubsetSize, seed);
        var batches = new InMemoryBatches(train, rows.Train, options.BatchSize, options.Shuffle, seed);
        return Run(network, batches, train, rows.TrainMonitor, rows.ValidationData, rows.ValidationMonitor, options, seed, firstEpoch, onEpoch,
            cancellationToken, checkpointing);
    }

    /// <summary>
    /// Trains on batches streamed by <paramref name="batches"/>; per-epoch training accuracy is measured on
    /// <paramref name="monitoring"/> (rows kept in memory), validation on <paramref name="validation"/>.
    /// </summary>
    public static IReadOnlyList<MlpEpochRecord> TrainStreaming(CnnNetwork network, IMlpBatchSource batches, MlpDataSet monitoring, MlpDataSet? validation,
        CnnTrainer.Options options, int seed, int firstEpoch, Action<MlpEpochRecord>? onEpoch, CancellationToken cancellationToken,
        Checkpointing<CnnCheckpoint>? checkpointing = null)
    {
        if (monitoring.Rows == 0) throw new ArgumentException("There are no training rows.", nameof(batches));
        CheckData(network, monitoring, nameof(monitoring));
        if (validation is not null) CheckData(network, validation, nameof(validation));
        return Run(network, batches, monitoring, null, validation is { Rows: > 0 } ? validation : null, null, options, seed, firstEpoch, onEpoch,
            cancellationToken, checkpointing);
    }

    private static IReadOnlyList<MlpEpochRecord> Run(CnnNetwork network, IMlpBatchSource batches, MlpDataSet trainMonitor, int[]? trainMonitorRows,
        MlpDataSet? validationData, int[]? validationMonitorRows, CnnTrainer.Options options, int seed, int firstEpoch,
        Action<MlpEpochRecord>? onEpoch, CancellationToken cancellationToken, Checkpointing<CnnCheckpoint>? checkpointing)
    {
        int threads = Math.Clamp(options.NumberOfThreads ?? Environment.ProcessorCount, 1, 256);
        using var engine = new CnnEngine(network, threads, batches.BatchSize, options.Beta1, options.Beta2, options.Epsilon, options.L2Regularization)
        {
            Augmentation = new ImageAugmentation(options.RandomHorizontalFlip, options.RandomShift, RandomStreams.SubSeed(seed, RandomStreams.AugmentationStream)),
        };
        int dropoutSeed = RandomStreams.SubSeed(seed, RandomStreams.DropoutStream);
        var history = new List<MlpEpochRecord>(options.Epochs);
        int firstIndex = 0;
        var divergence = new DivergenceWatch(network.ClassCount);
        var dataFingerprint = DataFingerprint.Of(trainMonitor);

        if (checkpointing?.ResumeFrom is { } resume)
        {
            // Everything that carries over from one epoch to the next comes back; the rest is a function of (seed, epoch).
            resume.CheckMatches(network, options, firstEpoch, batches.KnownRows, batches.BatchSize, dataFingerprint);
            divergence = new DivergenceWatch(network.ClassCount, resume.Run.StartingLoss);
            network.CopyStateFrom(resume.Network);
            engine.RestoreAdam(resume.AdamStep, resume.FirstMoment, resume.SecondMoment);
            history.AddRange(resume.History);
            firstIndex = resume.EpochsDone;
        }

        for (int e = firstIndex; e < options.Epochs; e++)
        {
            int epoch = firstEpoch + e;
            var stopwatch = Stopwatch.StartNew();
            float learningRate = LearningRateSchedule.At(options, e);
            batches.BeginEpoch(epoch);
            double lossSum = 0;
            int b = 0;
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (!batches.TryNextBatch(out MlpDataSet data, out int[] order, out int start, out int count)) break;
                double loss = engine.Step(data, order, start, count, learningRate, dropoutSeed, ((long)epoch << 32) | (uint)b);
                if (divergence.Check(loss, epoch, b + 1, learningRate) is { } diverged)
                    throw diverged;
                lossSum += loss;
                b++;
            }
            if (b == 0) throw new ArgumentException("There are no training rows.");

            cancellationToken.ThrowIfCancellationRequested();
            (double monitoredLoss, double trainAccuracy) = engine.Evaluate(trainMonitor, trainMonitorRows, cancellationToken);
            if (!double.IsFinite(monitoredLoss))
                throw new MlpTrainingDivergedException(epoch, b, monitoredLoss, learningRate);
            double? validationLoss = null, validationAccuracy = null;
            if (validationData is not null)
                (validationLoss, validationAccuracy) = engine.Evaluate(validationData, validationMonitorRows, cancellationToken);
            var record = new MlpEpochRecord(epoch, lossSum / b, trainAccuracy, validationLoss, validationAccuracy, learningRate, stopwatch.Elapsed);
            history.Add(record);
            if (checkpointing is not null && checkpointing.IsDue(e + 1, last: e == options.Epochs - 1))
            {
                new CnnCheckpoint
                {
                    Seed = seed, FirstEpoch = firstEpoch, EpochsDone = e + 1, TrainRows = batches.KnownRows, BatchSize = batches.BatchSize,
                    Network = network, AdamStep = engine.AdamStep, FirstMoment = engine.AdamFirstMoment, SecondMoment = engine.AdamSecondMoment,
                    History = history, Run = new(divergence.StartingLoss, dataFingerprint, CnnCheckpoint.SettingsOf(options)),
                }.Save(checkpointing.FilePath);
            }
            onEpoch?.Invoke(record);
        }
        return history;
    }

    private static void CheckData(CnnNetwork network, MlpDataSet data, string name) => data.CheckFits(network.InputShape.Size, network.ClassCount, name);
}
