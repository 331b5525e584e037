using Microsoft.ML;

namespace MlNetMlp.Data;

/// <summary>
/// Labeled grayscale images held as plain arrays, the fast path for code that does not need an
/// <see cref="IDataView"/> (the trainer's own loops, benchmarks). <see cref="ToDataView"/> wraps the
/// same arrays, without copying them, in the schema <see cref="FashionMnist.Load"/> produces.
/// </summary>
public sealed class LabeledImages
{
    public LabeledImages(byte[] pixels, byte[] labels, int height, int width, IReadOnlyList<string> classNames)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(classNames);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        if ((long)labels.Length * height * width != pixels.Length)
            throw new ArgumentException($"{pixels.Length} pixels do not make {labels.Length} images of {height}×{width}.", nameof(pixels));
        if (classNames.Count == 0)
            throw new ArgumentException("At least one class name is required.", nameof(classNames));
        for (int i = 0; i < labels.Length; i++)
            if (labels[i] >= classNames.Count)
                throw new ArgumentException($"Label {labels[i]} of image {i} is outside 0..{classNames.Count - 1}.", nameof(labels));
        Pixels = pixels;
        Labels = labels;
        Height = height;
        Width = width;
        ClassNames = classNames;
    }

    public int Count => Labels.Length;

    /// <summary>Image height (IDX rows).</summary>
    public int Height { get; }

    /// <summary>Image width (IDX columns).</summary>
    public int Width { get; }

    /// <summary>Pixels per image, Height × Width.</summary>
    public int ImageSize => Height * Width;

    /// <summary>Raw pixels 0..255, image after image, each row-major: image i starts at i × <see cref="ImageSize"/>.</summary>
    public byte[] Pixels { get; }

    /// <summary>Class index 0..ClassNames.Count-1 of each image.</summary>
    public byte[] Labels { get; }

    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>
    /// The images as an <see cref="IDataView"/>: Label (key over <see cref="ClassNames"/>) and Image
    /// (Height×Width Single vector, values 0..255). The view reads these arrays; do not modify them while it is in use.
    /// </summary>
    public IDataView ToDataView()
    {
        var labels = new int[Labels.Length];
        for (int i = 0; i < labels.Length; i++) labels[i] = Labels[i];
        return new ImageDataView<byte>(Pixels, labels, Height, Width, ClassNames);
    }

    /// <summary>The first <paramref name="count"/> images (this instance itself when it has no more).</summary>
    public LabeledImages Take(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (count >= Count) return this;
        return new LabeledImages(Pixels.AsSpan(0, count * ImageSize).ToArray(), Labels.AsSpan(0, count).ToArray(), Height, Width, ClassNames);
    }
}
