namespace MlNetMlp.Training;

/// <summary>
/// How the engines turn per-chunk sums (Σ w·loss, Σ w·correct, Σ w) into a mean loss and accuracy: summed in chunk order,
/// so the result does not depend on how many workers computed the chunks. Without weights the divisor is the row count.
/// </summary>
internal static class EvaluationSums
{
    public static (double Loss, double Accuracy) Mean(double[] chunkLoss, double[] chunkCorrect, double[]? chunkWeight, int chunks, int rows)
    {
        double loss = 0, correct = 0, weight = 0;
        for (int c = 0; c < chunks; c++)
        {
            loss += chunkLoss[c];
            correct += chunkCorrect[c];
            if (chunkWeight is not null) weight += chunkWeight[c];
        }
        if (chunkWeight is null) weight = rows;
        return (loss / weight, correct / weight);
    }

    /// <summary>The total weight of <paramref name="rows"/> of <paramref name="data"/> (their count without weights).</summary>
    public static double Weight(TrainingSet data, ReadOnlySpan<int> rows)
    {
        if (data.Weights is not { } weights) return rows.Length;
        double sum = 0;
        foreach (int row in rows) sum += weights[row];
        return sum;
    }
}
