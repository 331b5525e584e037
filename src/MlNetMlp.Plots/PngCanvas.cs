using SkiaSharp;

namespace MlNetMlp.Plots;

/// <summary>Small SkiaSharp helpers for composing figures: side-by-side plots and image grids.</summary>
internal static class PngCanvas
{
    /// <summary>Places PNG images side by side (same height) into one PNG.</summary>
    public static byte[] SideBySide(IReadOnlyList<byte[]> pngs)
    {
        var bitmaps = pngs.Select(p => SKBitmap.Decode(p) ?? throw new InvalidOperationException("A plot did not render to a PNG.")).ToList();
        try
        {
            int width = bitmaps.Sum(b => b.Width), height = bitmaps.Max(b => b.Height);
            using var surface = SKSurface.Create(new SKImageInfo(width, height));
            surface.Canvas.Clear(SKColors.White);
            int x = 0;
            foreach (var b in bitmaps)
            {
                surface.Canvas.DrawBitmap(b, x, 0);
                x += b.Width;
            }
            return Encode(surface);
        }
        finally
        {
            foreach (var b in bitmaps) b.Dispose();
        }
    }

    public static byte[] Encode(SKSurface surface)
    {
        using var image = surface.Snapshot();
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }
}
