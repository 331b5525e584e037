using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace MlNetMlp.Data;

/// <summary>
/// A small managed PNG decoder producing grayscale: every color type (grayscale, RGB, palette, gray+alpha, RGBA),
/// every bit depth (1, 2, 4, 8, 16), all five filters, Adam7 interlacing and tRNS transparency. Ancillary chunks
/// (gamma, color profiles, text) are ignored. A file that is not PNG or is corrupt gives an
/// <see cref="InvalidDataException"/> whose message starts with the file name.
/// </summary>
public static class PngDecoder
{
    /// <summary>
    /// Largest accepted pixel count (4096×4096, 16,777,216): far beyond any classifier input, and small enough that
    /// decoding the worst case (16-bit RGBA) takes about <see cref="MaxDecodeBytes"/>, a third of a gigabyte. An image
    /// over it is refused from its header, before anything is allocated for it.
    /// </summary>
    public const long MaxPixels = 4096L * 4096;

    /// <summary>
    /// The most memory one decode can take, at <see cref="MaxPixels"/>: up to 8 bytes of raw data a pixel (16-bit RGBA,
    /// plus a filter byte a row), the gray and alpha planes and the composited copy (4 bytes each).
    /// </summary>
    internal const long MaxDecodeBytes = MaxPixels * 20;

    private static ReadOnlySpan<byte> Signature => [137, 80, 78, 71, 13, 10, 26, 10];

    // Adam7 passes: first column, first row, column step, row step.
    private static readonly (int X, int Y, int DX, int DY)[] Adam7 =
        [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)];

    private static readonly (int X, int Y, int DX, int DY)[] SinglePass = [(0, 0, 1, 1)];

    /// <summary>Reads and decodes the PNG file at <paramref name="path"/>.</summary>
    /// <param name="path">The file.</param>
    /// <param name="verifyCrc">Check each chunk's CRC (cheap; turn off only to salvage a damaged file).</param>
    public static PngImage Load(string path, bool verifyCrc = true)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        RegularFile.RequireIfPresent(path); // a named pipe would block and a device never end
        byte[] data;
        try
        {
            data = File.ReadAllBytes(path);
        }
        catch (FileNotFoundException e)
        {
            throw new FileNotFoundException($"{path}: image file not found.", path, e);
        }
        return Decode(data, path, verifyCrc);
    }

    /// <summary>Decodes PNG bytes.</summary>
    /// <param name="data">The whole PNG file.</param>
    /// <param name="sourceName">Names the data in error messages (a path, URL...).</param>
    /// <param name="verifyCrc">Check each chunk's CRC.</param>
    public static PngImage Decode(ReadOnlySpan<byte> data, string sourceName = "PNG data", bool verifyCrc = true)
    {
        if (data.Length < Signature.Length || !data[..Signature.Length].SequenceEqual(Signature))
            throw Invalid(sourceName, "not a PNG file (" + DescribeNonPng(data) + ")");

        Header? header = null;
        byte[]? palette = null;
        byte[]? transparency = null;
        var imageData = new MemoryStream();
        bool ended = false;
        int offset = Signature.Length;
        while (offset < data.Length)
        {
            if (data.Length - offset < 8)
                throw Invalid(sourceName, $"truncated chunk header at byte {offset}");
            uint length = BinaryPrimitives.ReadUInt32BigEndian(data[offset..]);
            var typeBytes = data.Slice(offset + 4, 4);
            string type = Encoding.ASCII.GetString(typeBytes);
            if (length > int.MaxValue || data.Length - offset - 12 < length)
                throw Invalid(sourceName, $"chunk {type} at byte {offset} announces {length} bytes but the file ends first (file truncated?)");
            var chunk = data.Slice(offset + 8, (int)length);
            if (verifyCrc)
            {
                uint stored = BinaryPrimitives.ReadUInt32BigEndian(data[(offset + 8 + (int)length)..]);
                uint computed = ChunkCrc(typeBytes, chunk);
                if (stored != computed)
                    throw Invalid(sourceName, $"CRC mismatch in chunk {type} at byte {offset} (stored 0x{stored:x8}, computed 0x{computed:x8}): the file is corrupt");
            }
            offset += 12 + (int)length;

            if (header is null && type != "IHDR")
                throw Invalid(sourceName, $"the first chunk is {type}, expected IHDR");
            switch (type)
            {
                case "IHDR":
                    if (header is not null) throw Invalid(sourceName, "more than one IHDR chunk");
                    header = ParseHeader(chunk, sourceName);
                    break;
                case "PLTE":
                    if (length % 3 != 0 || length == 0 || length > 256 * 3)
                        throw Invalid(sourceName, $"PLTE chunk of {length} bytes (must be 3 per entry, 1..256 entries)");
                    palette = chunk.ToArray();
                    break;
                case "tRNS":
                    transparency = chunk.ToArray();
                    break;
                case "IDAT":
                    imageData.Write(chunk);
                    break;
                case "IEND":
                    ended = true;
                    break;
                default:
                    // Bit 5 of the first letter clear (upper case) marks a chunk needed to display the image.
                    if ((typeBytes[0] & 0x20) == 0)
                        throw Invalid(sourceName, $"unknown critical chunk {type}");
                    break;
            }
            if (ended) break;
        }

        if (header is null) throw Invalid(sourceName, "no IHDR chunk");
        if (!ended) throw Invalid(sourceName, "no IEND chunk (file truncated?)");
        if (imageData.Length == 0) throw Invalid(sourceName, "no IDAT chunk (no image data)");
        var h = header.Value;
        if (h.ColorType == PngColorType.Palette && palette is null)
            throw Invalid(sourceName, "palette image without a PLTE chunk");
        CheckTransparency(h, transparency, palette, sourceName);

        byte[] raw = Inflate(imageData, RawLength(h), sourceName);
        return Reconstruct(h, raw, palette, transparency, sourceName);
    }

    private readonly record struct Header(int Width, int Height, int BitDepth, PngColorType ColorType, bool Interlaced)
    {
        public int Channels => ColorType switch
        {
            PngColorType.Grayscale or PngColorType.Palette => 1,
            PngColorType.GrayscaleAlpha => 2,
            PngColorType.Rgb => 3,
            _ => 4,
        };

        public int BitsPerPixel => Channels * BitDepth;

        /// <summary>The filter's byte distance to the "left" pixel: whole bytes per pixel, at least 1.</summary>
        public int FilterUnit => Math.Max(1, BitsPerPixel / 8);

        public long Stride(int width) => ((long)width * BitsPerPixel + 7) / 8;
    }

    private static Header ParseHeader(ReadOnlySpan<byte> chunk, string sourceName)
    {
        if (chunk.Length != 13) throw Invalid(sourceName, $"IHDR chunk of {chunk.Length} bytes, expected 13");
        uint width = BinaryPrimitives.ReadUInt32BigEndian(chunk);
        uint height = BinaryPrimitives.ReadUInt32BigEndian(chunk[4..]);
        int bitDepth = chunk[8];
        int colorType = chunk[9];
        if (width == 0 || height == 0 || width > int.MaxValue || height > int.MaxValue)
            throw Invalid(sourceName, $"invalid image size {width}×{height}");
        if ((long)width * height > MaxPixels)
            throw Invalid(sourceName, string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"image of {width}×{height} pixels ({(long)width * height:N0}) is larger than the supported {MaxPixels:N0} pixels (4096×4096)"));
        bool valid = colorType switch
        {
            0 => bitDepth is 1 or 2 or 4 or 8 or 16,
            3 => bitDepth is 1 or 2 or 4 or 8,
            2 or 4 or 6 => bitDepth is 8 or 16,
            _ => throw Invalid(sourceName, $"unknown color type {colorType}"),
        };
        if (!valid) throw Invalid(sourceName, $"bit depth {bitDepth} is not allowed for color type {colorType}");
        if (chunk[10] != 0) throw Invalid(sourceName, $"unknown compression method {chunk[10]}");
        if (chunk[11] != 0) throw Invalid(sourceName, $"unknown filter method {chunk[11]}");
        if (chunk[12] > 1) throw Invalid(sourceName, $"unknown interlace method {chunk[12]}");
        return new Header((int)width, (int)height, bitDepth, (PngColorType)colorType, chunk[12] == 1);
    }

    private static void CheckTransparency(Header h, byte[]? transparency, byte[]? palette, string sourceName)
    {
        if (transparency is null) return;
        int expected = h.ColorType switch
        {
            PngColorType.Grayscale => 2,
            PngColorType.Rgb => 6,
            PngColorType.Palette => -1,
            _ => throw Invalid(sourceName, $"tRNS chunk in a {h.ColorType} image, which already has an alpha channel"),
        };
        if (expected > 0 && transparency.Length != expected)
            throw Invalid(sourceName, $"tRNS chunk of {transparency.Length} bytes, expected {expected} for a {h.ColorType} image");
        if (expected < 0 && transparency.Length > palette!.Length / 3)
            throw Invalid(sourceName, $"tRNS chunk has {transparency.Length} entries for a palette of {palette.Length / 3}");
    }

    private static IEnumerable<(int X, int Y, int DX, int DY, int Width, int Height)> Passes(Header h)
    {
        foreach (var (x, y, dx, dy) in h.Interlaced ? Adam7 : SinglePass)
        {
            int width = (h.Width - x + dx - 1) / dx;
            int height = (h.Height - y + dy - 1) / dy;
            // Empty passes (tiny images) contribute no bytes, not even filter bytes.
            if (width > 0 && height > 0)
                yield return (x, y, dx, dy, width, height);
        }
    }

    private static long RawLength(Header h) => Passes(h).Sum(p => p.Height * (1 + h.Stride(p.Width)));

    private static byte[] Inflate(MemoryStream compressed, long expectedLength, string sourceName)
    {
        if (expectedLength > Array.MaxLength)
            throw Invalid(sourceName, "image data too large");
        // Deflate's ceiling (RFC 1951): a match yields at most 258 bytes and costs at least 2 bits, so 1032 bytes
        // per compressed byte. A header announcing more is a lie; catch it before allocating for it.
        if (expectedLength > compressed.Length * 1032 + 1024)
            throw Invalid(sourceName, $"{compressed.Length} bytes of compressed image data cannot hold the {expectedLength} bytes the image size in the header needs (file truncated or header corrupt?)");
        var raw = new byte[expectedLength];
        compressed.Position = 0;
        int read;
        try
        {
            using var zlib = new ZLibStream(compressed, CompressionMode.Decompress);
            read = zlib.ReadAtLeast(raw, raw.Length, throwOnEndOfStream: false);
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            // Over a MemoryStream an IOException can only be zlib's own error (ZLibException, e.g. for a
            // preset-dictionary flag, which PNG never uses), not an I/O failure.
            throw Invalid(sourceName, $"corrupt compressed image data ({e.Message})", e);
        }
        if (read < raw.Length)
            throw Invalid(sourceName, $"image data decompresses to {read} bytes, expected {raw.Length} (file truncated?)");
        return raw;
    }

    private static PngImage Reconstruct(Header h, byte[] raw, byte[]? palette, byte[]? transparency, string sourceName)
    {
        bool hasAlpha = h.ColorType is PngColorType.GrayscaleAlpha or PngColorType.Rgba || transparency is not null;
        var gray = new float[h.Width * h.Height];
        var alpha = hasAlpha ? new float[gray.Length] : null;
        var converter = new PixelConverter(h, palette, transparency, gray, alpha, sourceName);

        int offset = 0;
        foreach (var pass in Passes(h))
        {
            int stride = (int)h.Stride(pass.Width);
            var previous = Span<byte>.Empty;
            for (int row = 0; row < pass.Height; row++)
            {
                int filter = raw[offset];
                var current = raw.AsSpan(offset + 1, stride);
                if (filter > 4)
                    throw Invalid(sourceName, $"unknown filter type {filter} on row {row}" + (h.Interlaced ? " of an interlace pass" : ""));
                Unfilter(filter, current, previous, h.FilterUnit);
                converter.ConvertRow(current, pass.Width, (pass.Y + row * pass.DY) * h.Width + pass.X, pass.DX);
                previous = current;
                offset += 1 + stride;
            }
        }
        return new PngImage(h.Width, h.Height, gray, alpha);
    }

    /// <summary>Reverses a row's filter in place; <paramref name="previous"/> is the reconstructed row above, empty for the first row.</summary>
    private static void Unfilter(int filter, Span<byte> current, ReadOnlySpan<byte> previous, int unit)
    {
        switch (filter)
        {
            case 0:
                break;
            case 1:
                for (int i = unit; i < current.Length; i++)
                    current[i] += current[i - unit];
                break;
            case 2:
                if (previous.IsEmpty) break;
                for (int i = 0; i < current.Length; i++)
                    current[i] += previous[i];
                break;
            case 3:
                for (int i = 0; i < current.Length; i++)
                {
                    int left = i >= unit ? current[i - unit] : 0;
                    int up = previous.IsEmpty ? 0 : previous[i];
                    current[i] += (byte)((left + up) >> 1);
                }
                break;
            case 4:
                for (int i = 0; i < current.Length; i++)
                {
                    int left = i >= unit ? current[i - unit] : 0;
                    int up = previous.IsEmpty ? 0 : previous[i];
                    int upLeft = i >= unit && !previous.IsEmpty ? previous[i - unit] : 0;
                    current[i] += (byte)Paeth(left, up, upLeft);
                }
                break;
        }
    }

    private static int Paeth(int left, int up, int upLeft)
    {
        int estimate = left + up - upLeft;
        int toLeft = Math.Abs(estimate - left), toUp = Math.Abs(estimate - up), toUpLeft = Math.Abs(estimate - upLeft);
        if (toLeft <= toUp && toLeft <= toUpLeft) return left;
        return toUp <= toUpLeft ? up : upLeft;
    }

    /// <summary>Turns reconstructed rows of samples into luminance and opacity, 0..255.</summary>
    private sealed class PixelConverter(Header h, byte[]? palette, byte[]? transparency, float[] gray, float[]? alpha, string sourceName)
    {
        private readonly float _scale = 255f / ((1 << h.BitDepth) - 1);
        private readonly int _transparentGray = transparency is { Length: 2 } ? BinaryPrimitives.ReadUInt16BigEndian(transparency) : -1;

        public void ConvertRow(ReadOnlySpan<byte> row, int width, int destination, int step)
        {
            for (int x = 0; x < width; x++, destination += step)
            {
                switch (h.ColorType)
                {
                    case PngColorType.Grayscale:
                    {
                        int value = Sample(row, x);
                        gray[destination] = value * _scale;
                        if (alpha is not null) alpha[destination] = value == _transparentGray ? 0f : 255f;
                        break;
                    }
                    case PngColorType.GrayscaleAlpha:
                        gray[destination] = Sample(row, 2 * x) * _scale;
                        alpha![destination] = Sample(row, 2 * x + 1) * _scale;
                        break;
                    case PngColorType.Rgb:
                    {
                        int r = Sample(row, 3 * x), g = Sample(row, 3 * x + 1), b = Sample(row, 3 * x + 2);
                        gray[destination] = Luminance(r, g, b) * _scale;
                        if (alpha is not null) alpha[destination] = IsTransparentRgb(r, g, b) ? 0f : 255f;
                        break;
                    }
                    case PngColorType.Rgba:
                        gray[destination] = Luminance(Sample(row, 4 * x), Sample(row, 4 * x + 1), Sample(row, 4 * x + 2)) * _scale;
                        alpha![destination] = Sample(row, 4 * x + 3) * _scale;
                        break;
                    case PngColorType.Palette:
                    {
                        int index = Sample(row, x);
                        if (3 * index + 2 >= palette!.Length)
                            throw Invalid(sourceName, $"palette index {index} is outside the {palette.Length / 3}-entry palette");
                        gray[destination] = Luminance(palette[3 * index], palette[3 * index + 1], palette[3 * index + 2]);
                        if (alpha is not null) alpha[destination] = index < transparency!.Length ? transparency[index] : 255f;
                        break;
                    }
                }
            }
        }

        /// <summary>Sample <paramref name="index"/> of the row: packed most-significant bits first below 8 bits, big-endian at 16.</summary>
        private int Sample(ReadOnlySpan<byte> row, int index) => h.BitDepth switch
        {
            8 => row[index],
            16 => (row[2 * index] << 8) | row[2 * index + 1],
            _ => (row[index * h.BitDepth / 8] >> (8 - h.BitDepth - index * h.BitDepth % 8)) & ((1 << h.BitDepth) - 1),
        };

        private static float Luminance(int r, int g, int b) => 0.299f * r + 0.587f * g + 0.114f * b;

        private bool IsTransparentRgb(int r, int g, int b) =>
            transparency is { Length: 6 }
            && r == BinaryPrimitives.ReadUInt16BigEndian(transparency)
            && g == BinaryPrimitives.ReadUInt16BigEndian(transparency.AsSpan(2))
            && b == BinaryPrimitives.ReadUInt16BigEndian(transparency.AsSpan(4));
    }

    private static string DescribeNonPng(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty) return "the file is empty";
        if (data.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF])) return "it looks like a JPEG; convert it to PNG";
        if (data.StartsWith("GIF8"u8)) return "it looks like a GIF; convert it to PNG";
        if (data.StartsWith("BM"u8)) return "it looks like a BMP; convert it to PNG";
        if (data.StartsWith((ReadOnlySpan<byte>)[0, 0, 1, 0])) return "it looks like a Windows icon (ICO); convert it to PNG";
        if (data.Length >= 12 && data.StartsWith("RIFF"u8) && data[8..12].SequenceEqual("WEBP"u8)) return "it looks like a WebP; convert it to PNG";
        if (data.Length < Signature.Length && Signature.StartsWith(data)) return "the file ends inside the PNG signature";
        return "the 8-byte PNG signature is missing";
    }

    /// <summary>A chunk's CRC-32, over its type and data (PNG uses the same CRC-32 as zip).</summary>
    internal static uint ChunkCrc(ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        var crc = new System.IO.Hashing.Crc32();
        crc.Append(type);
        crc.Append(data);
        return crc.GetCurrentHashAsUInt32();
    }

    private static InvalidDataException Invalid(string sourceName, string problem, Exception? inner = null) =>
        new($"{sourceName}: {problem}.", inner);
}
