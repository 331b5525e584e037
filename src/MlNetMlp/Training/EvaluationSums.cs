namespace MlNetMlp.Training;

/// <summary>
/// One engine's per-chunk evaluation sums (Σ w·loss, Σ w·correct, Σ w), kept between evaluations, and how they become a
/// mean loss and accuracy: summed in chunk order, so the result does not depend on how many workers computed the
/// chunks. Without weights the divisor is the row count. Workers write disjoint chunks.
/// </summary>
internal sealed class EvaluationSums(int chunkRows)
{
    private double[] _loss = [];
    private double[] _correct = [];
    private double[] _weight = [];

    /// <summary>Rows per chunk.</summary>
    public int ChunkRows { get; } = chunkRows;

    /// <summary>The chunks of the current evaluation.</summary>
    public int Chunks { get; private set; }

    /// <summary>Starts an evaluation of <paramref name="rows"/> rows (at least one); returns its chunk count.</summary>
    public int Begin(int rows)
    {
        Chunks = (rows + ChunkRows - 1) / ChunkRows;
        if (_loss.Length < Chunks)
        {
            _loss = new double[Chunks];
            _correct = new double[Chunks];
            _weight = new double[Chunks];
        }
        return Chunks;
    }

    /// <summary>Records chunk <paramref name="chunk"/>: its weighted loss and correct sums over <paramref name="rows"/> of <paramref name="data"/>.</summary>
    public void Set(int chunk, double loss, double correct, TrainingSet data, ReadOnlySpan<int> rows)
    {
        _loss[chunk] = loss;
        _correct[chunk] = correct;
        _weight[chunk] = Weight(data, rows);
    }

    /// <summary>The mean loss and accuracy over the <paramref name="rows"/> rows of <paramref name="data"/> evaluated.</summary>
    public (double Loss, double Accuracy) Mean(TrainingSet data, int rows)
    {
        double loss = 0, correct = 0, weight = 0;
        for (int c = 0; c < Chunks; c++)
        {
            loss += _loss[c];
            correct += _correct[c];
            weight += _weight[c];
        }
        if (data.Weights is null) weight = rows;
        return (loss / weight, correct / weight);
    }

    /// <summary>The total weight of <paramref name="rows"/> of <paramref name="data"/> (their count without weights).</summary>
    private static double Weight(TrainingSet data, ReadOnlySpan<int> rows)
    {
        if (data.Weights is not { } weights) return rows.Length;
        double sum = 0;
        foreach (int row in rows) sum += weights[row];
        return sum;
    }
}
