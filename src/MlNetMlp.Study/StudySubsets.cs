using MlNetMlp.Data;

namespace MlNetMlp.Study;

/// <summary>Row subsets of <see cref="LabeledImages"/>: the study's train/validation/test selections and cross-validation folds.</summary>
public static class StudySubsets
{
    /// <summary>A copy of the images at <paramref name="rows"/> (in that order).</summary>
    public static LabeledImages Subset(this LabeledImages images, IReadOnlyList<int> rows)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(rows);
        int size = images.ImageSize;
        var pixels = new byte[rows.Count * size];
        var labels = new byte[rows.Count];
        for (int i = 0; i < rows.Count; i++)
        {
            int row = rows[i];
            if ((uint)row >= (uint)images.Count)
                throw new ArgumentOutOfRangeException(nameof(rows), row, $"Row {row} is outside 0..{images.Count - 1}.");
            images.Pixels.AsSpan(row * size, size).CopyTo(pixels.AsSpan(i * size, size));
            labels[i] = images.Labels[row];
        }
        return new LabeledImages(pixels, labels, images.Height, images.Width, images.ClassNames);
    }

    /// <summary>
    /// A seeded random sample of <paramref name="size"/> distinct rows out of <paramref name="count"/>, sorted
    /// (all rows when <paramref name="size"/> is at least <paramref name="count"/>).
    /// </summary>
    public static int[] SampleRows(int count, int size, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        var rows = Enumerable.Range(0, count).ToArray();
        if (size >= count) return rows;
        var random = new Random(seed);
        for (int i = 0; i < size; i++)
        {
            int j = i + random.Next(count - i);
            (rows[i], rows[j]) = (rows[j], rows[i]);
        }
        var sample = rows[..size];
        Array.Sort(sample);
        return sample;
    }

    /// <summary>
    /// A seeded split of the rows of <paramref name="labels"/> into a held-out part of <paramref name="holdOut"/> rows
    /// and the rest, both sorted, stratified by <paramref name="labels"/> when given.
    /// </summary>
    public static (int[] Train, int[] HoldOut) HoldOutSplit(ReadOnlySpan<byte> labels, int holdOut, int seed)
    {
        int count = labels.Length;
        ArgumentOutOfRangeException.ThrowIfNegative(holdOut);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(holdOut, count);
        // Stratified: take round(holdOut · share of the class) from each class, fixing rounding on the largest classes.
        var folds = KFold.Stratified(labels, Math.Max(2, (int)Math.Round(count / (double)Math.Max(1, holdOut))), seed);
        var validation = folds[0].ValidationRows.ToList();
        var random = new Random(seed ^ 0x5eed);
        var train = folds[0].TrainRows.ToList();
        // Adjust the first fold to exactly holdOut rows.
        while (validation.Count > holdOut)
        {
            int k = random.Next(validation.Count);
            train.Add(validation[k]);
            validation.RemoveAt(k);
        }
        while (validation.Count < holdOut)
        {
            int k = random.Next(train.Count);
            validation.Add(train[k]);
            train.RemoveAt(k);
        }
        var t = train.ToArray();
        var v = validation.ToArray();
        Array.Sort(t);
        Array.Sort(v);
        return (t, v);
    }
}
