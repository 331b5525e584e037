namespace MlNetMlp.Numerics;

/// <summary>Dense training data: <see cref="Features"/> is <see cref="Rows"/> × <see cref="FeatureCount"/> row-major, labels are 0-based class indices.</summary>
internal sealed class MlpDataSet
{
    public MlpDataSet(float[] features, int[] labels, int featureCount)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentOutOfRangeException.ThrowIfLessThan(featureCount, 1);
        if (features.Length != (long)labels.Length * featureCount)
            throw new ArgumentException($"{labels.Length} rows of {featureCount} features need {(long)labels.Length * featureCount} values; got {features.Length}.", nameof(features));
        Features = features;
        Labels = labels;
        FeatureCount = featureCount;
    }

    public float[] Features { get; }
    public int[] Labels { get; }
    public int Rows => Labels.Length;
    public int FeatureCount { get; }

    public ReadOnlySpan<float> Row(int row) => Features.AsSpan(row * FeatureCount, FeatureCount);

    /// <summary>Throws <see cref="ArgumentException"/> unless every row has <paramref name="featureCount"/> values and a label below <paramref name="classCount"/>.</summary>
    public void CheckFits(int featureCount, int classCount, string paramName)
    {
        if (FeatureCount != featureCount)
            throw new ArgumentException($"The data has {FeatureCount} values per row; the network reads {featureCount}.", paramName);
        foreach (int label in Labels)
        {
            if ((uint)label >= (uint)classCount)
                throw new ArgumentException($"Label {label} is outside 0..{classCount - 1}.", paramName);
        }
    }
}
