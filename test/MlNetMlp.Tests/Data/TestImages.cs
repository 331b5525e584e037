using SkiaSharp;

namespace MlNetMlp.Tests.Data;

/// <summary>
/// Writes test images with SkiaSharp, the library that decodes them (no hand-written encoder): grayscale or RGBA pixels
/// as PNG, JPEG or WebP. BMP and GIF, which Skia does not encode, come from the committed fixtures in test/fixtures/images.
/// </summary>
internal static class TestImages
{
    /// <summary>Row-major gray bytes as an opaque image file in <paramref name="format"/> (JPEG at quality 95, WebP lossless).</summary>
    public static byte[] EncodeGray8(ReadOnlySpan<byte> pixels, int width, int height, SKEncodedImageFormat format = SKEncodedImageFormat.Png, int quality = 95)
    {
        var rgba = new byte[pixels.Length * 4];
        for (int i = 0; i < pixels.Length; i++)
        {
            rgba[4 * i] = rgba[4 * i + 1] = rgba[4 * i + 2] = pixels[i];
            rgba[4 * i + 3] = 255;
        }
        return EncodeRgba(rgba, width, height, format, format == SKEncodedImageFormat.Webp ? 100 : quality);
    }

    /// <summary>Row-major unpremultiplied RGBA bytes as an image file in <paramref name="format"/>.</summary>
    public static byte[] EncodeRgba(byte[] rgba, int width, int height, SKEncodedImageFormat format = SKEncodedImageFormat.Png, int quality = 95)
    {
        if (rgba.Length != width * height * 4) throw new ArgumentException($"{rgba.Length} bytes do not make a {width}×{height} RGBA image.");
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        using var bitmap = new SKBitmap();
        var handle = System.Runtime.InteropServices.GCHandle.Alloc(rgba, System.Runtime.InteropServices.GCHandleType.Pinned);
        try
        {
            using var pixmap = new SKPixmap(info, handle.AddrOfPinnedObject());
            using var data = pixmap.Encode(format, quality) ?? throw new NotSupportedException($"SkiaSharp does not encode {format}.");
            return data.ToArray();
        }
        finally
        {
            handle.Free();
        }
    }

    /// <summary>Writes row-major gray bytes to <paramref name="path"/> as an image file (format from <paramref name="format"/>).</summary>
    public static void SaveGray8(string path, ReadOnlySpan<byte> pixels, int width, int height, SKEncodedImageFormat format = SKEncodedImageFormat.Png)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllBytes(path, EncodeGray8(pixels, width, height, format));
    }

    /// <summary>A committed sample image (test/fixtures/images), one per format Skia reads but may not write.</summary>
    public static string Fixture(string name) =>
        Path.Combine(Packaging.TestPackageFeed.RepositoryRoot, "test", "fixtures", "images", name);
}
