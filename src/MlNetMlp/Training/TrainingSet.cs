namespace MlNetMlp.Training;

/// <summary>
/// Training rows in memory: <see cref="Features"/> is <see cref="Rows"/> × <see cref="FeatureCount"/> row-major; each row has
/// a 0-based class in <see cref="Labels"/> (classification: the class, 0/1 for binary) or a value in <see cref="Targets"/>
/// (regression), and optionally an example weight.
/// </summary>
internal sealed class TrainingSet
{
    /// <summary>Rows labelled with classes.</summary>
    public TrainingSet(float[] features, int[] labels, int featureCount, float[]? weights = null)
        : this(features, labels, null, labels?.Length ?? 0, featureCount, weights)
    {
        ArgumentNullException.ThrowIfNull(labels);
    }

    /// <summary>Rows with numeric targets (regression).</summary>
    public TrainingSet(float[] features, float[] targets, int featureCount, float[]? weights = null)
        : this(features, [], targets ?? throw new ArgumentNullException(nameof(targets)), targets.Length, featureCount, weights)
    {
    }

    private TrainingSet(float[] features, int[] labels, float[]? targets, int rows, int featureCount, float[]? weights)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentOutOfRangeException.ThrowIfLessThan(featureCount, 1);
        if (features.Length != (long)rows * featureCount)
            throw new ArgumentException($"{rows} rows of {featureCount} features need {(long)rows * featureCount} values; got {features.Length}.", nameof(features));
        if (weights is not null && weights.Length != rows)
            throw new ArgumentException($"{rows} rows need {rows} weights; got {weights.Length}.", nameof(weights));
        Features = features;
        Labels = labels;
        Targets = targets;
        Weights = weights;
        Rows = rows;
        FeatureCount = featureCount;
    }

    public float[] Features { get; }

    /// <summary>0-based classes (empty for regression).</summary>
    public int[] Labels { get; }

    /// <summary>Numeric targets (regression), else null.</summary>
    public float[]? Targets { get; }

    /// <summary>Example weights, else null (every row weighs 1).</summary>
    public float[]? Weights { get; }

    public int Rows { get; }

    public int FeatureCount { get; }

    public ReadOnlySpan<float> Row(int row) => Features.AsSpan(row * FeatureCount, FeatureCount);

    /// <summary>Sets the label, target and weight of <paramref name="row"/> (those this set holds).</summary>
    public void SetLabel(int row, RowLabel label)
    {
        if (Targets is null) Labels[row] = label.Class;
        else Targets[row] = label.Target;
        if (Weights is not null) Weights[row] = label.Weight;
    }

    /// <summary>
    /// The total weight of rows <c>order[start .. start + count)</c>: what a batch's loss is divided by (1 for a batch whose
    /// rows all weigh 0: its gradient is zero, and stays finite).
    /// </summary>
    public float BatchWeight(int[] order, int start, int count)
    {
        if (Weights is null) return count;
        double sum = 0;
        for (int i = start; i < start + count; i++) sum += Weights[order[i]];
        return sum > 0 ? (float)sum : 1f;
    }

    /// <summary>
    /// A training step's checks: rows of <paramref name="featureCount"/> values (else <see cref="ArgumentException"/> on
    /// "data"), and a batch <c>order[start .. start + count)</c> of 1 to <paramref name="maxRows"/> rows inside <paramref name="order"/>.
    /// </summary>
    public void CheckBatch(int featureCount, int[] order, int start, int count, int maxRows)
    {
        if (FeatureCount != featureCount)
            throw new ArgumentException($"The data has {FeatureCount} values per row; the network reads {featureCount}.", "data");
        if (count < 1 || count > maxRows || start < 0 || start + count > order.Length)
            throw new ArgumentOutOfRangeException(nameof(count));
    }

    /// <summary>Throws <see cref="ArgumentException"/> unless every row has <paramref name="featureCount"/> values and a label the head reads.</summary>
    public void CheckFits(int featureCount, Tasks.TaskHead head, string paramName)
    {
        if (FeatureCount != featureCount)
            throw new ArgumentException($"The data has {FeatureCount} values per row; the network reads {featureCount}.", paramName);
        head.CheckTargets(this, paramName);
    }
}

/// <summary>What a row is labelled with: a 0-based class (classification) or a target (regression), and its weight.</summary>
internal readonly record struct RowLabel(int Class, float Target, float Weight);
