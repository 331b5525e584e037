namespace MlNetMlp.Study;

/// <summary>One fold of a k-fold split: the rows to train on and the rows to validate on (disjoint, sorted).</summary>
/// <param name="Fold">0-based fold number.</param>
/// <param name="TrainRows">Rows of the other k − 1 folds.</param>
/// <param name="ValidationRows">This fold's rows.</param>
public sealed record KFoldSplit(int Fold, int[] TrainRows, int[] ValidationRows);

/// <summary>
/// Seeded k-fold splits of row indices 0..n−1 (of the training split only: callers pass the training rows'
/// count or labels, so no test row can appear). Every row is in exactly one validation fold; fold sizes differ by
/// at most one (per class, for <see cref="Stratified"/>).
/// </summary>
public static class KFold
{
    /// <summary>Shuffles 0..<paramref name="rowCount"/>−1 with <paramref name="seed"/> and deals the rows into <paramref name="folds"/> folds.</summary>
    public static IReadOnlyList<KFoldSplit> Split(int rowCount, int folds, int seed)
    {
        Check(rowCount, folds);
        var order = Enumerable.Range(0, rowCount).ToArray();
        Shuffle(order, new Random(seed));
        var assignment = new int[rowCount];
        for (int i = 0; i < rowCount; i++) assignment[order[i]] = i % folds;
        return Build(assignment, folds);
    }

    /// <summary>
    /// Like <see cref="Split"/>, but each class is shuffled and dealt separately (continuing the round-robin where
    /// the previous class stopped), so every fold has nearly the same class proportions as the whole.
    /// </summary>
    public static IReadOnlyList<KFoldSplit> Stratified(ReadOnlySpan<byte> labels, int folds, int seed)
    {
        Check(labels.Length, folds);
        var random = new Random(seed);
        var byClass = new SortedDictionary<byte, List<int>>();
        for (int i = 0; i < labels.Length; i++)
        {
            if (!byClass.TryGetValue(labels[i], out var list)) byClass[labels[i]] = list = [];
            list.Add(i);
        }
        var assignment = new int[labels.Length];
        int next = 0;
        foreach (var rows in byClass.Values)
        {
            var array = rows.ToArray();
            Shuffle(array, random);
            foreach (int row in array)
            {
                assignment[row] = next;
                next = (next + 1) % folds;
            }
        }
        return Build(assignment, folds);
    }

    private static void Check(int rowCount, int folds)
    {
        if (folds < 2) throw new ArgumentOutOfRangeException(nameof(folds), folds, "k-fold cross-validation needs at least 2 folds.");
        if (rowCount < folds) throw new ArgumentOutOfRangeException(nameof(rowCount), rowCount, $"{rowCount} rows cannot make {folds} non-empty folds.");
    }

    private static KFoldSplit[] Build(int[] assignment, int folds)
    {
        var splits = new KFoldSplit[folds];
        for (int f = 0; f < folds; f++)
        {
            var train = new List<int>(assignment.Length);
            var validation = new List<int>(assignment.Length / folds + 1);
            for (int row = 0; row < assignment.Length; row++)
                (assignment[row] == f ? validation : train).Add(row);
            splits[f] = new KFoldSplit(f, [.. train], [.. validation]);
        }
        return splits;
    }

    private static void Shuffle(int[] values, Random random)
    {
        for (int i = values.Length - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (values[i], values[j]) = (values[j], values[i]);
        }
    }
}
