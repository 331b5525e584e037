using System.Diagnostics;
using MlNetMlp.Numerics;

namespace MlNetMlp.Cnn;

/// <summary>
/// Epochs of mini-batch Adam on a <see cref="CnnNetwork"/> with the knobs of <see cref="CnnTrainer.Options"/>:
/// shuffling, learning-rate schedule, validation split or set, monitoring subsets, cancellation and divergence.
/// Same data, options, seed and thread count → bit-identical parameters.
/// </summary>
internal static class CnnTrainingLoop
{
    /// <summary>
    /// Trains <paramref name="network"/> in place for <c>options.Epochs</c> epochs numbered from <paramref name="firstEpoch"/>.
    /// <paramref name="onEpoch"/> runs after each epoch on the calling thread.
    /// </summary>
    /// <exception cref="MlpTrainingDivergedException">The loss became NaN or infinite.</exception>
    /// <exception cref="OperationCanceledException">Cancelled (checked before every batch).</exception>
    public static IReadOnlyList<MlpEpochRecord> Train(CnnNetwork network, MlpDataSet train, MlpDataSet? validation, CnnTrainer.Options options,
        int seed, int firstEpoch, Action<MlpEpochRecord>? onEpoch, CancellationToken cancellationToken)
    {
        if (train.Rows == 0) throw new ArgumentException("There are no training rows.", nameof(train));
        CheckData(network, train, nameof(train));
        if (validation is not null) CheckData(network, validation, nameof(validation));
        int threads = Math.Clamp(options.NumberOfThreads ?? Environment.ProcessorCount, 1, 256);

        var rows = TrainingRows.Plan(train, validation, options.ValidationFraction, options.MonitoringSubsetSize, seed);
        int[] trainRows = rows.Train;
        MlpDataSet? validationData = rows.ValidationData;
        int[]? trainMonitorRows = rows.TrainMonitor, validationMonitorRows = rows.ValidationMonitor;

        int batchSize = Math.Clamp(options.BatchSize, 1, trainRows.Length);
        int batchesPerEpoch = (trainRows.Length + batchSize - 1) / batchSize;
        using var engine = new CnnEngine(network, threads, batchSize, options.Beta1, options.Beta2, options.Epsilon, options.L2Regularization)
        {
            Augmentation = new ImageAugmentation(options.RandomHorizontalFlip, options.RandomShift, RandomStreams.SubSeed(seed, RandomStreams.AugmentationStream)),
        };
        var shuffleRandom = new Random(RandomStreams.SubSeed(seed, RandomStreams.ShuffleStream));
        int dropoutSeed = RandomStreams.SubSeed(seed, RandomStreams.DropoutStream);
        var history = new List<MlpEpochRecord>(options.Epochs);
        int[] order = trainRows;

        for (int e = 0; e < options.Epochs; e++)
        {
            int epoch = firstEpoch + e;
            var stopwatch = Stopwatch.StartNew();
            float learningRate = LearningRateSchedule.At(options, e);
            if (options.Shuffle)
                RandomStreams.Shuffle(order, shuffleRandom);
            double lossSum = 0;
            for (int b = 0; b < batchesPerEpoch; b++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int start = b * batchSize, count = Math.Min(batchSize, order.Length - start);
                double loss = engine.Step(train, order, start, count, learningRate, dropoutSeed, ((long)epoch << 32) | (uint)b);
                if (!double.IsFinite(loss))
                    throw new MlpTrainingDivergedException(epoch, b + 1, loss, learningRate);
                lossSum += loss;
            }
            cancellationToken.ThrowIfCancellationRequested();
            (double monitoredLoss, double trainAccuracy) = engine.Evaluate(train, trainMonitorRows);
            if (!double.IsFinite(monitoredLoss))
                throw new MlpTrainingDivergedException(epoch, batchesPerEpoch, monitoredLoss, learningRate);
            double? validationLoss = null, validationAccuracy = null;
            if (validationData is not null)
                (validationLoss, validationAccuracy) = engine.Evaluate(validationData, validationMonitorRows);
            var record = new MlpEpochRecord(epoch, lossSum / batchesPerEpoch, trainAccuracy, validationLoss, validationAccuracy, learningRate, stopwatch.Elapsed);
            history.Add(record);
            onEpoch?.Invoke(record);
        }
        return history;
    }
    private static void CheckData(CnnNetwork network, MlpDataSet data, string name) => data.CheckFits(network.InputShape.Size, network.ClassCount, name);
}
