namespace MlNetMlp.Training;

/// <summary>
/// Which rows of an in-memory training set train and which are measured each epoch, the same way for every
/// trainer: a seeded hold-out of the training rows when no validation set is given, and fixed random
/// monitoring subsets (null = every row of that data set, read in place).
/// </summary>
internal sealed record TrainingRows(int[] Train, TrainingSet? ValidationData, int[]? TrainMonitor, int[]? ValidationMonitor)
{
    /// <summary>
    /// A non-empty <paramref name="validation"/> set takes precedence over <paramref name="validationFraction"/>;
    /// with a hold-out, <see cref="ValidationData"/> is <paramref name="train"/> itself, read at the held-out rows.
    /// </summary>
    public static TrainingRows Plan(TrainingSet train, TrainingSet? validation, float validationFraction, int monitoringSubsetSize, int seed)
    {
        int[] trainRows;
        int[]? validationRows = null;
        TrainingSet? validationData = validation is { Rows: > 0 } ? validation : null;
        if (validationData is null && validationFraction > 0 && train.Rows >= 2)
        {
            int[] permutation = Enumerable.Range(0, train.Rows).ToArray();
            RandomStreams.Shuffle(permutation, new Random(RandomStreams.SubSeed(seed, RandomStreams.SplitStream)));
            int validationCount = HoldOutCount(train.Rows, validationFraction);
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

        int[]? trainMonitor = MonitoringRows(validationRows is null ? null : trainRows, train.Rows, monitoringSubsetSize,
            RandomStreams.SubSeed(seed, RandomStreams.TrainMonitoringStream));
        int[]? validationMonitor = validationData is null ? null : MonitoringRows(validationRows, validationData.Rows,
            monitoringSubsetSize, RandomStreams.SubSeed(seed, RandomStreams.ValidationMonitoringStream));
        return new TrainingRows(trainRows, validationData, trainMonitor, validationMonitor);
    }

    /// <summary>Rows of <paramref name="rows"/> (at least 2) held out for validation by <paramref name="validationFraction"/>: at least one, never all.</summary>
    public static int HoldOutCount(int rows, float validationFraction) => Math.Clamp((int)Math.Round(rows * (double)validationFraction), 1, rows - 1);

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
