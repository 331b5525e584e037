namespace MlNetMlp.Data;

/// <summary>The PNG color types (PNG specification, IHDR).</summary>
internal enum PngColorType
{
    Grayscale = 0,
    Rgb = 2,
    Palette = 3,
    GrayscaleAlpha = 4,
    Rgba = 6,
}

/// <summary>
/// A decoded image reduced to grayscale: <see cref="Gray"/> holds luminance 0..255 (Rec. 601 weights
/// 0.299 R + 0.587 G + 0.114 B for color images) and <see cref="Alpha"/> the opacity 0..255 when the
/// file had any transparency.
/// </summary>
public sealed class PngImage
{
    public PngImage(int width, int height, float[] gray, float[]? alpha = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentNullException.ThrowIfNull(gray);
        if (gray.Length != (long)width * height)
            throw new ArgumentException($"{gray.Length} gray values do not make a {width}×{height} image.", nameof(gray));
        if (alpha is not null && alpha.Length != gray.Length)
            throw new ArgumentException($"{alpha.Length} alpha values do not make a {width}×{height} image.", nameof(alpha));
        Width = width;
        Height = height;
        Gray = gray;
        Alpha = alpha;
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>Luminance 0..255, row-major, not premultiplied by alpha.</summary>
    public float[] Gray { get; }

    /// <summary>Opacity 0 (transparent) .. 255 (opaque), row-major; null when the image is fully opaque.</summary>
    public float[]? Alpha { get; }

    /// <summary>Decodes the PNG file at <paramref name="path"/> (see <see cref="PngDecoder"/>).</summary>
    public static PngImage Load(string path) => PngDecoder.Load(path);

    /// <summary>
    /// The image as a Fashion-MNIST-style input: a light object on a black background. With
    /// <paramref name="invert"/> each value v becomes 255 − v first (for the usual dark object photographed on a
    /// light background). Transparent pixels then become black, so a transparent background reads as
    /// background whether or not the image is inverted.
    /// </summary>
    public float[] ToLightOnBlack(bool invert)
    {
        var result = new float[Gray.Length];
        for (int i = 0; i < result.Length; i++)
        {
            float value = invert ? 255f - Gray[i] : Gray[i];
            result[i] = Alpha is null ? value : value * (Alpha[i] / 255f);
        }
        return result;
    }

    /// <summary>
    /// Whether the image looks like a dark object on a light background, i.e. needs inverting to resemble
    /// Fashion-MNIST. Judged from the opaque pixels of the one-pixel border (light border means a light
    /// background); when most of the border is transparent, from the mean of the opaque pixels (a dark object).
    /// </summary>
    public bool LooksDarkOnLight()
    {
        double borderSum = 0;
        int borderOpaque = 0, borderTotal = 0;
        for (int y = 0; y < Height; y++)
        {
            bool edgeRow = y == 0 || y == Height - 1;
            for (int x = 0; x < Width; x += edgeRow || x == Width - 1 ? 1 : Width - 1)
            {
                int i = y * Width + x;
                borderTotal++;
                if (Alpha is not null && Alpha[i] < 128f) continue;
                borderOpaque++;
                borderSum += Gray[i];
            }
        }
        if (borderOpaque * 2 >= borderTotal)
            return borderSum / borderOpaque > 127.5;

        double objectSum = 0;
        int objectCount = 0;
        for (int i = 0; i < Gray.Length; i++)
        {
            if (Alpha![i] < 128f) continue;
            objectSum += Gray[i];
            objectCount++;
        }
        return objectCount > 0 && objectSum / objectCount < 127.5;
    }

    /// <summary>This image resized to <paramref name="width"/>×<paramref name="height"/> (see <see cref="ImageResizer.Resize"/>), alpha included.</summary>
    public PngImage Resize(int width, int height) => new(
        width,
        height,
        ImageResizer.Resize(Gray, Width, Height, width, height),
        Alpha is null ? null : ImageResizer.Resize(Alpha, Width, Height, width, height));
}
