using System.Globalization;
using System.Runtime.InteropServices;
using SkiaSharp;

namespace MlNetMlp.Data;

/// <summary>
/// One image file decoded by SkiaSharp (the library ML.NET ImageAnalytics decodes with): JPEG, PNG, BMP, GIF (first
/// frame), WebP, and whatever else the platform's Skia reads. The size is read from the header and an image over
/// <see cref="MaxPixels"/> is refused before its pixels are decoded. A file that is not an image, is truncated or is
/// corrupt gives an <see cref="InvalidDataException"/> whose message starts with the file's name.
/// </summary>
/// <remarks>
/// SkiaSharp is used directly rather than through ImageAnalytics' <c>MLImage</c>, because <c>MLImage</c> decodes the
/// whole file before anything can be checked and reports a failure without saying what was wrong with the file.
/// </remarks>
public sealed class DecodedImage
{
    /// <summary>
    /// Largest accepted pixel count (4096×4096, 16,777,216): far beyond any classifier input, and small enough that one
    /// decode takes about <see cref="MaxDecodeBytes"/>. An image over it is refused from its header.
    /// </summary>
    public const long MaxPixels = 4096L * 4096;

    /// <summary>
    /// The most memory one decode and its conversion can take, at <see cref="MaxPixels"/>: the RGBA pixels (4 bytes), the
    /// decoder's own buffers and the file's bytes (at most as many again), and a resized or composited copy.
    /// </summary>
    internal const long MaxDecodeBytes = MaxPixels * 12;

    /// <summary>The formats accepted, as named in messages.</summary>
    public const string SupportedFormats = "JPEG, PNG, BMP, GIF or WebP";

    /// <summary>
    /// The formats accepted. Skia reads a few more, among them WBMP, whose header is so loose that other binary files
    /// (an IDX label file, for one) decode as a WBMP picture of noise: those are refused, not read as images.
    /// </summary>
    private static readonly SKEncodedImageFormat[] Accepted =
        [SKEncodedImageFormat.Jpeg, SKEncodedImageFormat.Png, SKEncodedImageFormat.Bmp, SKEncodedImageFormat.Gif, SKEncodedImageFormat.Webp];

    // Only Decode makes one, naming each field.
    private DecodedImage()
    {
    }

    public int Width { get; private init; }

    public int Height { get; private init; }

    /// <summary>The encoded format Skia recognized ("Jpeg", "Png", "Bmp", "Gif", "Webp", …).</summary>
    public string Format { get; private init; } = "";

    /// <summary>Width × Height pixels, row-major, 4 bytes each: red, green, blue and alpha, colours premultiplied by alpha.</summary>
    private byte[] PremultipliedRgba { get; init; } = [];

    /// <summary>Reads and decodes the image file at <paramref name="path"/>, which must be a regular file.</summary>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="IOException">The path is a device, pipe, socket or directory (or a link to one).</exception>
    /// <exception cref="InvalidDataException">Not an image Skia reads, too large, truncated or corrupt; the message starts with the path.</exception>
    public static DecodedImage Load(string path)
    {
        using var stream = Open(path);
        return Decode(stream, path);
    }

    /// <summary>
    /// The width and height in <paramref name="path"/>'s header, after checking that it is a regular file holding an image
    /// Skia reads, of at most <see cref="MaxPixels"/> pixels; nothing is decoded. For refusing bad files before long work.
    /// </summary>
    /// <exception cref="InvalidDataException">Not an image Skia reads, or too large; the message starts with the path.</exception>
    public static (int Width, int Height) ReadSize(string path)
    {
        using var stream = Open(path);
        using var codec = OpenCodec(stream, path);
        return (codec.Info.Width, codec.Info.Height);
    }

    /// <summary>Decodes an image held in memory; <paramref name="sourceName"/> names it in error messages.</summary>
    public static DecodedImage Decode(byte[] data, string sourceName = "image data")
    {
        ArgumentNullException.ThrowIfNull(data);
        using var stream = new MemoryStream(data, writable: false);
        return Decode(stream, sourceName);
    }

    private static FileStream Open(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        RegularFile.RequireIfPresent(path); // a named pipe would block and a device never end
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        }
        catch (FileNotFoundException e)
        {
            throw new FileNotFoundException($"{path}: image file not found.", path, e);
        }
    }

    private static SKCodec OpenCodec(Stream stream, string sourceName)
    {
        bool empty = stream.CanSeek && stream.Length == 0;
        Span<byte> start = stackalloc byte[16];
        int startLength = 0;
        if (stream.CanSeek)
        {
            startLength = stream.ReadAtLeast(start, start.Length, throwOnEndOfStream: false);
            stream.Position = 0;
        }
        var codec = SKCodec.Create(stream, out var result);
        if (codec is null)
        {
            string problem = empty ? "the file is empty"
                : result == SKCodecResult.IncompleteInput ? "the file ends inside its header (truncated?)"
                : $"no decoder recognizes it ({Describe(start[..startLength])})";
            throw Invalid(sourceName, $"not an image in a supported format ({SupportedFormats}): {problem}");
        }
        if (!Accepted.Contains(codec.EncodedFormat))
        {
            var format = codec.EncodedFormat;
            codec.Dispose();
            throw Invalid(sourceName, $"not an image in a supported format ({SupportedFormats}): {Describe(start[..startLength])}; Skia takes it for {format}, which is not accepted");
        }
        // Read before any Dispose: a disposed codec's native object is gone, and touching it crashes the process.
        var encoded = codec.EncodedFormat;
        int width = codec.Info.Width, height = codec.Info.Height;
        long pixels = (long)width * height;
        if (width <= 0 || height <= 0)
        {
            codec.Dispose();
            throw Invalid(sourceName, $"its {encoded} header gives no image size");
        }
        if (pixels > MaxPixels)
        {
            codec.Dispose();
            throw Invalid(sourceName, string.Create(CultureInfo.InvariantCulture,
                $"the {encoded} image is {width}×{height} = {pixels:N0} pixels, over the limit of {MaxPixels:N0} (4096×4096); resize it first"));
        }
        return codec;
    }

    private static DecodedImage Decode(Stream stream, string sourceName)
    {
        using var codec = OpenCodec(stream, sourceName);
        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Premul);
        var pixels = new byte[info.BytesSize64];
        SKCodecResult result;
        unsafe
        {
            fixed (byte* destination = pixels)
                result = codec.GetPixels(info, (IntPtr)destination);
        }
        if (result != SKCodecResult.Success)
        {
            string problem = result switch
            {
                SKCodecResult.IncompleteInput => "the image data ends early (file truncated?)",
                SKCodecResult.ErrorInInput => "its image data is corrupt",
                _ => $"Skia could not decode it ({result})",
            };
            throw Invalid(sourceName, $"{codec.EncodedFormat} image {codec.Info.Width}×{codec.Info.Height}: {problem}");
        }
        return new DecodedImage { Width = info.Width, Height = info.Height, Format = codec.EncodedFormat.ToString(), PremultipliedRgba = pixels };
    }

    /// <summary>
    /// The image as a Fashion-MNIST-style input of <paramref name="width"/>×<paramref name="height"/>: grayscale
    /// luminance (Rec. 601: 0.299 R + 0.587 G + 0.114 B), a light object on a black background, row-major, 0..255. With
    /// <paramref name="invert"/> each value v becomes 255 − v (for the usual dark object photographed on a light
    /// background). Transparent pixels become black either way, so a transparent background reads as background. The
    /// image is stretched to the size by Skia (linear filtering between mipmap levels when it shrinks).
    /// </summary>
    public float[] ToLightOnBlack(int width, int height, bool invert)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        // Premultiplied channels are colour × alpha, so (inverted) value × alpha is linear in them: resize first (Skia
        // resizes premultiplied pixels, so transparent pixels' colours do not bleed into edges), then convert.
        byte[] resized = width == Width && height == Height ? PremultipliedRgba : Resize(width, height);
        var result = new float[width * height];
        for (int i = 0; i < result.Length; i++)
        {
            float gray = Luminance(resized, i);
            result[i] = invert ? resized[4 * i + 3] - gray : gray;
        }
        return result;
    }

    /// <summary>
    /// The image resized (stretched) to <paramref name="width"/>×<paramref name="height"/> as channel planes, values
    /// 0..255 as ML.NET ImageAnalytics' <c>ExtractPixels</c> lays them out ([channels, height, width]): with
    /// <paramref name="color"/> the red, green and blue planes, otherwise one plane of Rec. 601 luminance. Transparent
    /// pixels are black (colours premultiplied by alpha).
    /// </summary>
    public float[] ToPlanes(int width, int height, bool color)
    {
        if (!color) return ToLightOnBlack(width, height, invert: false);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        byte[] resized = width == Width && height == Height ? PremultipliedRgba : Resize(width, height);
        int plane = width * height;
        var result = new float[3 * plane];
        for (int i = 0; i < plane; i++)
        {
            result[i] = resized[4 * i];
            result[plane + i] = resized[4 * i + 1];
            result[2 * plane + i] = resized[4 * i + 2];
        }
        return result;
    }

    /// <summary>
    /// Whether the image looks like a dark object on a light background, i.e. needs inverting to resemble
    /// Fashion-MNIST. Judged from the opaque pixels of the one-pixel border (a light border means a light background);
    /// when most of the border is transparent, from the mean of the opaque pixels (a dark object).
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
                if (Alpha(i) < 128) continue;
                borderOpaque++;
                borderSum += UnpremultipliedLuminance(i);
            }
        }
        if (borderOpaque * 2 >= borderTotal)
            return borderSum / borderOpaque > 127.5;

        double objectSum = 0;
        int objectCount = 0;
        for (int i = 0; i < Width * Height; i++)
        {
            if (Alpha(i) < 128) continue;
            objectSum += UnpremultipliedLuminance(i);
            objectCount++;
        }
        return objectCount > 0 && objectSum / objectCount < 127.5;
    }

    private byte Alpha(int pixel) => PremultipliedRgba[4 * pixel + 3];

    private float UnpremultipliedLuminance(int pixel) => Luminance(PremultipliedRgba, pixel) * 255f / Alpha(pixel);

    /// <summary>Rec. 601 luminance in whole-number weights, so that a gray pixel (R = G = B) keeps its value exactly.</summary>
    private static float Luminance(byte[] rgba, int pixel) =>
        (299 * rgba[4 * pixel] + 587 * rgba[4 * pixel + 1] + 114 * rgba[4 * pixel + 2]) / 1000f;

    private byte[] Resize(int width, int height)
    {
        var target = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul);
        var resized = new byte[target.BytesSize64];
        var source = GCHandle.Alloc(PremultipliedRgba, GCHandleType.Pinned);
        var destination = GCHandle.Alloc(resized, GCHandleType.Pinned);
        try
        {
            using var from = new SKPixmap(new SKImageInfo(Width, Height, SKColorType.Rgba8888, SKAlphaType.Premul), source.AddrOfPinnedObject());
            using var to = new SKPixmap(target, destination.AddrOfPinnedObject());
            if (!from.ScalePixels(to, new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear)))
                throw new InvalidOperationException($"Skia could not resize a {Width}×{Height} image to {width}×{height}.");
        }
        finally
        {
            source.Free();
            destination.Free();
        }
        return resized;
    }

    /// <summary>What the first bytes of a file that no decoder recognizes look like, so the message helps find it.</summary>
    private static string Describe(ReadOnlySpan<byte> start)
    {
        if (start.IsEmpty) return "no bytes could be read";
        if (start.Length >= 4 && start[0] == 0 && start[1] == 0 && start[2] is 8 or 9 or 0x0B or 0x0C or 0x0D or 0x0E && start[3] is 1 or 2 or 3)
            return "it looks like an IDX file";
        if (start.Length >= 4 && (start[..4].SequenceEqual("II*\0"u8) || start[..4].SequenceEqual("MM\0*"u8)))
            return "it looks like a TIFF, which is not supported";
        bool text = true;
        foreach (byte b in start) text &= b is >= 0x20 and < 0x7F or (byte)'\n' or (byte)'\r' or (byte)'\t';
        if (text) return $"it starts with the text \"{System.Text.Encoding.ASCII.GetString(start).Trim()}\"";
        return "it starts with bytes " + Convert.ToHexString(start[..Math.Min(start.Length, 8)]);
    }

    private static InvalidDataException Invalid(string sourceName, string problem) => new($"{sourceName}: {problem}.");
}
