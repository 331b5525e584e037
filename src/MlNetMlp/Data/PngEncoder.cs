using System.Buffers.Binary;
using System.IO.Compression;

namespace MlNetMlp.Data;

/// <summary>Writes 8-bit grayscale PNGs (sample images for reports, test fixtures).</summary>
public static class PngEncoder
{
    /// <summary>Encodes row-major gray bytes as an 8-bit grayscale PNG.</summary>
    public static byte[] EncodeGray8(ReadOnlySpan<byte> pixels, int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        if (pixels.Length != (long)width * height)
            throw new ArgumentException($"{pixels.Length} pixels do not make a {width}×{height} image.", nameof(pixels));

        // Every row gets filter type 0 (None): simple, and these images are small.
        var scanlines = new byte[height * (width + 1)];
        for (int y = 0; y < height; y++)
            pixels.Slice(y * width, width).CopyTo(scanlines.AsSpan(y * (width + 1) + 1));

        var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
            zlib.Write(scanlines);

        var header = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(header, (uint)width);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4), (uint)height);
        header[8] = 8; // bit depth
        header[9] = (byte)PngColorType.Grayscale;

        var png = new MemoryStream();
        png.Write([137, 80, 78, 71, 13, 10, 26, 10]);
        WriteChunk(png, "IHDR"u8, header);
        WriteChunk(png, "IDAT"u8, compressed.GetBuffer().AsSpan(0, (int)compressed.Length));
        WriteChunk(png, "IEND"u8, []);
        return png.ToArray();
    }

    /// <summary>Encodes row-major gray values 0..255 (rounded, clamped) as an 8-bit grayscale PNG.</summary>
    public static byte[] EncodeGray8(ReadOnlySpan<float> pixels, int width, int height)
    {
        var bytes = new byte[pixels.Length];
        for (int i = 0; i < bytes.Length; i++)
            bytes[i] = (byte)Math.Clamp(MathF.Round(pixels[i]), 0f, 255f);
        return EncodeGray8(bytes, width, height);
    }

    /// <summary>Writes row-major gray bytes to <paramref name="path"/> as an 8-bit grayscale PNG.</summary>
    public static void SaveGray8(string path, ReadOnlySpan<byte> pixels, int width, int height)
    {
        byte[] png = EncodeGray8(pixels, width, height);
        AtomicFile.Write(path, stream => stream.Write(png)); // a reader never sees half a PNG
    }

    /// <summary>Writes row-major gray values 0..255 to <paramref name="path"/> as an 8-bit grayscale PNG.</summary>
    public static void SaveGray8(string path, ReadOnlySpan<float> pixels, int width, int height)
    {
        byte[] png = EncodeGray8(pixels, width, height);
        AtomicFile.Write(path, stream => stream.Write(png));
    }

    private static void WriteChunk(Stream output, ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(word, (uint)data.Length);
        output.Write(word);
        output.Write(type);
        output.Write(data);
        BinaryPrimitives.WriteUInt32BigEndian(word, PngDecoder.ChunkCrc(type, data));
        output.Write(word);
    }
}
