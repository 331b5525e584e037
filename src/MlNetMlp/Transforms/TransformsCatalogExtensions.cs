using Microsoft.ML;

namespace MlNetMlp.Transforms;

/// <summary><c>mlContext.Transforms.NormalizePixels(...)</c> and <c>mlContext.Transforms.FlattenImage(...)</c>.</summary>
public static class TransformsCatalogExtensions
{
    /// <summary>
    /// Scales pixels to [0, 1] by dividing by <paramref name="maxPixelValue"/>; with
    /// <see cref="PixelNormalizationMode.Standardize"/>, also subtracts the training mean and divides by the training standard deviation.
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">Column to write (may equal the input to replace it).</param>
    /// <param name="inputColumnName">Float vector column to read; null means <paramref name="outputColumnName"/>.</param>
    /// <param name="mode">Scale only, or scale and standardize.</param>
    /// <param name="maxPixelValue">Value that maps to 1 (255 for 8-bit images).</param>
    public static PixelNormalizingEstimator NormalizePixels(this TransformsCatalog catalog, string outputColumnName, string? inputColumnName = null,
        PixelNormalizationMode mode = PixelNormalizationMode.Scale, float maxPixelValue = 255f)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new PixelNormalizingEstimator(outputColumnName, inputColumnName, mode, maxPixelValue);
    }

    /// <summary>Flattens a multi-dimensional float vector (28×28 image) into a plain vector (784).</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">Column to write.</param>
    /// <param name="inputColumnName">Known-size float vector column to read; null means <paramref name="outputColumnName"/>.</param>
    public static ImageFlatteningEstimator FlattenImage(this TransformsCatalog catalog, string outputColumnName, string? inputColumnName = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new ImageFlatteningEstimator(outputColumnName, inputColumnName);
    }
}
