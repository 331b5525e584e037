using Microsoft.ML;

namespace MlNetMlp.Data;

/// <summary>The image-reading transform as an ML.NET catalog method: <c>mlContext.Transforms.LoadImagePixels(...)</c>.</summary>
public static class ImageTransformsCatalogExtensions
{
    /// <summary>
    /// Reads the image file named in <paramref name="inputColumnName"/> (text) into <paramref name="outputColumnName"/>:
    /// a [channels, height, width] vector of 0..255 values, stretched to <paramref name="width"/>×<paramref name="height"/>,
    /// red/green/blue planes with <paramref name="color"/>, one grayscale plane without (see <see cref="ImagePixelLoadingTransformer"/>).
    /// </summary>
    public static ImagePixelLoadingEstimator LoadImagePixels(this TransformsCatalog catalog, string outputColumnName, string inputColumnName,
        int width, int height, bool color = false)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new ImagePixelLoadingEstimator(outputColumnName, inputColumnName, width, height, color);
    }
}
