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

        int[] trainRows;
        int[]? validationRows = null;
        MlpDataSet? validationData = validation is { Rows: > 0 } ? validation : null;
        if (validationData is null && options.ValidationFraction > 0 && train.Rows >= 2)
        {
            int[] permutation = Enumerable.Range(0, train.Rows).ToArray();
            RandomStreams.Shuffle(permutation, new Random(RandomStreams.SubSeed(seed, RandomStreams.SplitStream)));
            int validationCount = Math.Clamp((int)Math.Round(train.Rows * (double)options.ValidationFraction), 1, train.Rows - 1);
            validationRows = permutation[..validationCount];
            trainRows = permutation[validationCount..];
            Array.Sort(validationRows);
            Array.Sort(trainRows);
            validationData = train;
        }
        else
        {
            trainRows = Enumerable.Range(0, train.Rows).ToArray();
        }

        int[]? trainMonitorRows = MonitoringRows(validationRows is null ? null : trainRows, train.Rows, options.MonitoringSubsetSize,
            RandomStreams.SubSeed(seed, RandomStreams.TrainMonitoringStream));
        int[]? validationMonitorRows = validationData is null ? null : MonitoringRows(validationRows, validationData.Rows,
            options.MonitoringSubsetSize, RandomStreams.SubSeed(seed, RandomStreams.ValidationMonitoringStream));

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

    private static void CheckData(CnnNetwork network, MlpDataSet data, string name)
    {
        if (data.FeatureCount != network.InputShape.Size)
            throw new ArgumentException($"The data has {data.FeatureCount} values per row; the network reads {network.InputShape.Size}.", name);
        foreach (int label in data.Labels)
            if ((uint)label >= (uint)network.ClassCount)
                throw new ArgumentException($"Label {label} is outside 0..{network.ClassCount - 1}.", name);
    }

    private static int[]? MonitoringRows(int[]? rows, int dataRows, int size, int seed)
    {
        int available = rows?.Length ?? dataRows;
        if (size <= 0 || size >= available) return rows;
        int[] candidates = rows is null ? Enumerable.Range(0, dataRows).ToArray() : (int[])rows.Clone();
        var random = new Random(seed);
        for (int i = 0; i < size; i++)
        {
            int j = i + random.Next(available - i);
            (candidates[i], candidates[j]) = (candidates[j], candidates[i]);
        }
        int[] subset = candidates[..size];
        Array.Sort(subset);
        return subset;
    }
}
