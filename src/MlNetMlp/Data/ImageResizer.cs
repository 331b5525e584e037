namespace MlNetMlp.Data;

/// <summary>Resizes single-channel float images, separably: area averaging along an axis that shrinks, bilinear along one that grows.</summary>
public static class ImageResizer
{
    /// <summary>
    /// Resizes a row-major <paramref name="sourceWidth"/>×<paramref name="sourceHeight"/> image to
    /// <paramref name="width"/>×<paramref name="height"/>, stretching it when the aspect ratios differ. Shrinking
    /// averages each output pixel's exact footprint (no aliasing, so a 280×280 photo keeps its thin lines at 28×28);
    /// growing interpolates between pixel centers. The value range is preserved.
    /// </summary>
    public static float[] Resize(ReadOnlySpan<float> source, int sourceWidth, int sourceHeight, int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sourceWidth);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sourceHeight);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        if (source.Length != (long)sourceWidth * sourceHeight)
            throw new ArgumentException($"{source.Length} values do not make a {sourceWidth}×{sourceHeight} image.", nameof(source));

        var columnTaps = Taps(sourceWidth, width);
        var rowTaps = Taps(sourceHeight, height);

        // Horizontal pass: sourceHeight rows of `width` values.
        var horizontal = new float[sourceHeight * width];
        for (int y = 0; y < sourceHeight; y++)
        {
            var sourceRow = source.Slice(y * sourceWidth, sourceWidth);
            for (int x = 0; x < width; x++)
            {
                float sum = 0;
                foreach (var (index, weight) in columnTaps[x]) sum += sourceRow[index] * weight;
                horizontal[y * width + x] = sum;
            }
        }

        var result = new float[width * height];
        for (int y = 0; y < height; y++)
        {
            var taps = rowTaps[y];
            for (int x = 0; x < width; x++)
            {
                float sum = 0;
                foreach (var (index, weight) in taps) sum += horizontal[index * width + x] * weight;
                result[y * width + x] = sum;
            }
        }
        return result;
    }

    /// <summary>For each output index, the source indices and weights (summing to 1) it reads along one axis.</summary>
    private static (int Index, float Weight)[][] Taps(int sourceLength, int length)
    {
        var taps = new (int, float)[length][];
        double scale = (double)sourceLength / length;
        for (int i = 0; i < length; i++)
        {
            if (sourceLength == length)
            {
                taps[i] = [(i, 1f)];
            }
            else if (sourceLength > length)
            {
                // Footprint [start, end) in source pixels; edge pixels are weighted by their overlap.
                double start = i * scale, end = (i + 1) * scale;
                var list = new List<(int, float)>();
                for (int j = (int)Math.Floor(start); j < Math.Min(sourceLength, (int)Math.Ceiling(end)); j++)
                {
                    double overlap = Math.Min(end, j + 1) - Math.Max(start, j);
                    if (overlap > 1e-9) list.Add((j, (float)(overlap / scale)));
                }
                taps[i] = [.. list];
            }
            else
            {
                // Pixel centers aligned; positions outside the source clamp to the edge pixels.
                double position = Math.Clamp((i + 0.5) * scale - 0.5, 0, sourceLength - 1);
                int left = (int)Math.Floor(position);
                int right = Math.Min(left + 1, sourceLength - 1);
                float fraction = (float)(position - left);
                taps[i] = right == left || fraction == 0 ? [(left, 1f)] : [(left, 1 - fraction), (right, fraction)];
            }
        }
        return taps;
    }
}
