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
    /// the learning-rate schedule start fresh. <paramref name="onEpoch"/> runs after each epoch on the
    /// calling thread. The architecture (layer sizes, activation, its slope/alpha, initialization) is the
    /// network's; the corresponding options are not read here. A non-empty <paramref name="validation"/>
    /// set takes precedence over <c>options.ValidationFraction</c>.
    /// </summary>
    /// <exception cref="MlpTrainingDivergedException">The loss became NaN or infinite.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled (checked before every batch).</exception>
    public static MlpTrainingResult Train(MlpNetwork network, MlpDataSet train, MlpDataSet? validation, MlpTrainer.Options options,
        int seed, int firstEpoch, Action<MlpEpochRecord>? onEpoch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(options);
        CheckData(network, train, nameof(train));
        if (validation is not null) CheckData(network, validation, nameof(validation));
        if (train.Rows == 0) throw new ArgumentException("There are no training rows.", nameof(train));

        network = network.Clone();
        int threads = Math.Clamp(options.NumberOfThreads ?? Environment.ProcessorCount, 1, 256);

        // Which rows train and which validate: a seeded split of the training rows when no validation set is given.
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

        // Fixed rows on which each epoch is measured (null = every row of the data set, read in place).
        int[]? trainMonitorRows = MonitoringRows(validationRows is null ? null : trainRows, train.Rows, options.MonitoringSubsetSize,
            RandomStreams.SubSeed(seed, RandomStreams.TrainMonitoringStream));
        int[]? validationMonitorRows = validationData is null ? null : MonitoringRows(validationRows, validationData.Rows,
            options.MonitoringSubsetSize, RandomStreams.SubSeed(seed, RandomStreams.ValidationMonitoringStream));

        int batchSize = Math.Clamp(options.BatchSize, 1, trainRows.Length);
        int batchesPerEpoch = (trainRows.Length + batchSize - 1) / batchSize;
        using var pool = new WorkerPool(threads);
        var backpropagation = new MlpBackpropagation(network, pool, batchSize, options.Dropout);
        var updater = new ParameterUpdater(network, backpropagation.Layout, options);
        var evaluator = new MlpEvaluator(network, pool);
        float learningRate = options.LearningRate;
        // One job per optimizer step: sum the workers' gradients and update, each worker on its share of the parameters.
        Action<int> reduceAndUpdate = worker =>
        {
            backpropagation.ReduceGradients(worker);
            updater.Apply(threads, worker, backpropagation.Gradient, learningRate);
        };

        int[] order = trainRows;
        var shuffleRandom = new Random(RandomStreams.SubSeed(seed, RandomStreams.ShuffleStream));
        int dropoutSeed = RandomStreams.SubSeed(seed, RandomStreams.DropoutStream);
        var history = new List<MlpEpochRecord>(Math.Max(0, options.Epochs));
        MlpNetwork? best = options.EarlyStopping ? network.Clone() : null;
        double bestLoss = double.PositiveInfinity;
        int bestEpoch = firstEpoch - 1, epochsWithoutImprovement = 0;
        bool stoppedEarly = false;

        for (int e = 0; e < options.Epochs; e++)
        {
            int epoch = firstEpoch + e;
            var stopwatch = Stopwatch.StartNew();
            learningRate = LearningRateSchedule.At(options, e);
            if (options.Shuffle)
                RandomStreams.Shuffle(order, shuffleRandom);

            double batchLossSum = 0;
            for (int b = 0; b < batchesPerEpoch; b++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int start = b * batchSize;
                int count = Math.Min(batchSize, order.Length - start);
                double loss = backpropagation.ComputeGradients(train, order, start, count, dropoutSeed, ((long)epoch << 32) | (uint)b);
                if (!double.IsFinite(loss))
                    throw new MlpTrainingDivergedException(epoch, b + 1, loss, learningRate);
                updater.BeginStep();
                pool.Run(reduceAndUpdate);
                batchLossSum += loss;
            }

            cancellationToken.ThrowIfCancellationRequested();
            double trainLoss = batchLossSum / batchesPerEpoch;
            (double monitoredTrainLoss, double trainAccuracy) = evaluator.Evaluate(train, trainMonitorRows);
            if (!double.IsFinite(monitoredTrainLoss)) // the epoch's last update broke the weights
                throw new MlpTrainingDivergedException(epoch, batchesPerEpoch, monitoredTrainLoss, learningRate);
            double? validationLoss = null, validationAccuracy = null;
            if (validationData is not null)
                (validationLoss, validationAccuracy) = evaluator.Evaluate(validationData, validationMonitorRows);

            var record = new MlpEpochRecord(epoch, trainLoss, trainAccuracy, validationLoss, validationAccuracy, learningRate, stopwatch.Elapsed);
            history.Add(record);
            onEpoch?.Invoke(record);

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
            if (options.EarlyStopping && epochsWithoutImprovement >= options.EarlyStoppingPatience)
            {
                stoppedEarly = e < options.Epochs - 1;
                break;
            }
        }

        if (!options.EarlyStopping)
            return new MlpTrainingResult(network, history, history.Count > 0 ? history[^1].Epoch : firstEpoch - 1, false);
        return new MlpTrainingResult(best!, history, bestEpoch, stoppedEarly);
    }

    private static void CheckData(MlpNetwork network, MlpDataSet data, string name)
    {
        if (data.FeatureCount != network.InputSize)
            throw new ArgumentException($"The data has {data.FeatureCount} features; the network expects {network.InputSize}.", name);
        foreach (int label in data.Labels)
        {
            if ((uint)label >= (uint)network.ClassCount)
                throw new ArgumentException($"Label {label} is outside 0..{network.ClassCount - 1}.", name);
        }
    }

    /// <summary>
    /// A fixed, sorted random subset of <paramref name="size"/> rows of <paramref name="rows"/>
    /// (null = all <paramref name="dataRows"/> rows), or <paramref name="rows"/> itself when the subset would not be smaller.
    /// </summary>
    private static int[]? MonitoringRows(int[]? rows, int dataRows, int size, int seed)
    {
        int available = rows?.Length ?? dataRows;
        if (size <= 0 || size >= available) return rows;
        int[] candidates = rows is null ? Enumerable.Range(0, dataRows).ToArray() : (int[])rows.Clone();
        var random = new Random(seed);
        for (int i = 0; i < size; i++) // partial Fisher–Yates: the first `size` entries become the sample
        {
            int j = i + random.Next(available - i);
            (candidates[i], candidates[j]) = (candidates[j], candidates[i]);
        }
        int[] subset = candidates[..size];
        Array.Sort(subset);
        return subset;
    }
}
