using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace MlNetMlp.Tests.Data;

/// <summary>
/// Builds PNG files from integer samples with any color type, bit depth, per-row filter and Adam7 interlacing,
/// written from the specification independently of the decoder under test (own packing, filters and CRC).
/// </summary>
internal static class TestPng
{
    public static int Channels(int colorType) => colorType switch { 0 or 3 => 1, 4 => 2, 2 => 3, 6 => 4, _ => throw new ArgumentException("color type") };

    /// <param name="samples">Row-major pixels, channels interleaved, each 0..2^bitDepth-1 (palette indices for color type 3).</param>
    /// <param name="filterForRow">Filter type for the n-th scanline written (across interlace passes); null for None.</param>
    public static byte[] Build(int width, int height, int colorType, int bitDepth, int[] samples,
        Func<int, int>? filterForRow = null, bool interlaced = false, byte[]? palette = null, byte[]? transparency = null)
    {
        int channels = Channels(colorType);
        if (samples.Length != width * height * channels) throw new ArgumentException("sample count");
        var passes = interlaced
            ? new[] { (0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2) }
            : new[] { (0, 0, 1, 1) };
        int unit = Math.Max(1, channels * bitDepth / 8);
        var scanlines = new MemoryStream();
        int rowCounter = 0;
        foreach (var (x0, y0, dx, dy) in passes)
        {
            int passWidth = (width - x0 + dx - 1) / dx, passHeight = (height - y0 + dy - 1) / dy;
            if (passWidth <= 0 || passHeight <= 0) continue;
            byte[] previous = new byte[(passWidth * channels * bitDepth + 7) / 8];
            for (int y = 0; y < passHeight; y++)
            {
                var rowSamples = new List<int>();
                for (int x = 0; x < passWidth; x++)
                {
                    int pixel = (y0 + y * dy) * width + x0 + x * dx;
                    for (int c = 0; c < channels; c++) rowSamples.Add(samples[pixel * channels + c]);
                }
                byte[] row = Pack(rowSamples, bitDepth, previous.Length);
                int filter = filterForRow?.Invoke(rowCounter++) ?? 0;
                scanlines.WriteByte((byte)filter);
                scanlines.Write(Filter(filter, row, previous, unit));
                previous = row;
            }
        }

        var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
            zlib.Write(scanlines.ToArray());

        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = (byte)bitDepth;
        header[9] = (byte)colorType;
        header[12] = (byte)(interlaced ? 1 : 0);

        var chunks = new List<(string, byte[])> { ("IHDR", header) };
        if (palette is not null) chunks.Add(("PLTE", palette));
        if (transparency is not null) chunks.Add(("tRNS", transparency));
        chunks.Add(("tEXt", "Comment\0ancillary chunks are skipped"u8.ToArray()));
        // Image data split across two IDAT chunks, which decoders must concatenate.
        var data = compressed.ToArray();
        chunks.Add(("IDAT", data[..(data.Length / 2)]));
        chunks.Add(("IDAT", data[(data.Length / 2)..]));
        chunks.Add(("IEND", []));
        return Assemble(chunks);
    }

    public static byte[] Assemble(IEnumerable<(string Type, byte[] Data)> chunks)
    {
        var png = new MemoryStream();
        png.Write([137, 80, 78, 71, 13, 10, 26, 10]);
        foreach (var (type, data) in chunks)
        {
            var word = new byte[4];
            BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
            png.Write(word);
            var typeAndData = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
            png.Write(typeAndData);
            BinaryPrimitives.WriteUInt32BigEndian(word, Crc(typeAndData));
            png.Write(word);
        }
        return png.ToArray();
    }

    private static byte[] Pack(List<int> samples, int bitDepth, int length)
    {
        var row = new byte[length];
        for (int i = 0; i < samples.Count; i++)
        {
            switch (bitDepth)
            {
                case 16:
                    row[2 * i] = (byte)(samples[i] >> 8);
                    row[2 * i + 1] = (byte)samples[i];
                    break;
                case 8:
                    row[i] = (byte)samples[i];
                    break;
                default:
                    int bit = i * bitDepth;
                    row[bit / 8] |= (byte)(samples[i] << (8 - bitDepth - bit % 8));
                    break;
            }
        }
        return row;
    }

    private static byte[] Filter(int type, byte[] row, byte[] previous, int unit)
    {
        var output = new byte[row.Length];
        for (int i = 0; i < row.Length; i++)
        {
            int a = i >= unit ? row[i - unit] : 0, b = previous[i], c = i >= unit ? previous[i - unit] : 0;
            int predictor = type switch
            {
                0 => 0,
                1 => a,
                2 => b,
                3 => (a + b) / 2,
                4 => PaethPredictor(a, b, c),
                _ => 0, // invalid types are written unfiltered, for error tests
            };
            output[i] = (byte)(row[i] - predictor);
        }
        return output;
    }

    private static int PaethPredictor(int a, int b, int c)
    {
        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    /// <summary>Bitwise CRC-32 (reflected 0xEDB88320), deliberately not the table-driven one under test.</summary>
    public static uint Crc(byte[] data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte value in data)
        {
            crc ^= value;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
        }
        return ~crc;
    }
}
