using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetMlp.Cli.Tables;

/// <summary>
/// Which loaded rows train and which test. Rows without a usable label (missing, or for classification a value that
/// is not one of the classes) are left out of both; the held-out rows are drawn per class (stratified) for
/// classification, so each class keeps its share, and from all rows for regression; the draw is seeded.
/// </summary>
internal static class TableSplit
{
    /// <summary>The label of every row of <paramref name="data"/> as the task sees it: a class index (or -1), or a number (NaN when missing).</summary>
    public static double[] ReadLabels(IDataView data, TableSchema schema) => ReadLabels(data, schema.Label.Name, schema.Task, schema.Classes);

    /// <summary>As <see cref="ReadLabels(IDataView, TableSchema)"/> for a label column, task and classes known some other way (a saved model).</summary>
    public static double[] ReadLabels(IDataView data, string labelColumn, TableTask task, IReadOnlyList<string> classes)
    {
        var column = data.Schema[labelColumn];
        var labels = new List<double>();
        using var cursor = data.GetRowCursor([column]);
        if (task == TableTask.Regression)
        {
            var getter = cursor.GetGetter<float>(column);
            float value = 0;
            while (cursor.MoveNext())
            {
                getter(ref value);
                labels.Add(float.IsFinite(value) ? value : double.NaN);
            }
        }
        else
        {
            var index = classes.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i, StringComparer.Ordinal);
            var getter = cursor.GetGetter<ReadOnlyMemory<char>>(column);
            ReadOnlyMemory<char> value = default;
            while (cursor.MoveNext())
            {
                getter(ref value);
                labels.Add(index.TryGetValue(value.ToString(), out int i) ? i : -1);
            }
        }
        return [.. labels];
    }

    /// <summary>Whether a label read by <see cref="ReadLabels"/> is usable.</summary>
    public static bool HasLabel(double label, TableTask task) => task == TableTask.Regression ? !double.IsNaN(label) : label >= 0;

    /// <summary>
    /// Splits the labelled rows: <paramref name="testFraction"/> of each class (classification) or of all rows
    /// (regression) held out, at least one test row and one training row per class that has two or more rows.
    /// </summary>
    public static (bool[] Train, bool[] Test) Split(double[] labels, TableTask task, double testFraction, int seed)
    {
        var train = new bool[labels.Length];
        var test = new bool[labels.Length];
        var random = new Random(seed);
        var groups = task == TableTask.Regression
            ? [Enumerable.Range(0, labels.Length).Where(i => HasLabel(labels[i], task)).ToArray()]
            : Enumerable.Range(0, labels.Length).Where(i => HasLabel(labels[i], task)).GroupBy(i => labels[i]).OrderBy(g => g.Key).Select(g => g.ToArray()).ToArray();
        foreach (var rows in groups)
        {
            random.Shuffle(rows);
            int held = (int)Math.Round(rows.Length * testFraction, MidpointRounding.AwayFromZero);
            if (rows.Length >= 2) held = Math.Clamp(held, 1, rows.Length - 1);
            else held = 0;
            for (int k = 0; k < rows.Length; k++) (k < held ? test : train)[rows[k]] = true;
        }
        return (train, test);
    }

    /// <summary>Only the rows of <paramref name="data"/> with a usable label.</summary>
    public static bool[] Labelled(double[] labels, TableTask task) => labels.Select(l => HasLabel(l, task)).ToArray();
}
