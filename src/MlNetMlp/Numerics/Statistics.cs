namespace MlNetMlp.Numerics;

/// <summary>Summary figures of samples (benchmark timings, report differences).</summary>
internal static class Statistics
{
    /// <summary>The middle value, or the mean of the two middle values for an even count; NaN when there are none.</summary>
    public static double Median(IEnumerable<double> values)
    {
        double[] sorted = values.Order().ToArray();
        if (sorted.Length == 0) return double.NaN;
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
