using System.Buffers.Binary;
using System.IO.Compression;
using System.Security.Cryptography;
using MlNetMlp.Data;

namespace MlNetMlp.Tests.Data;

/// <summary>A fresh directory under the system temp directory, deleted with everything in it on dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "mlnetmlp-data-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    /// <summary>A subdirectory path (created when <paramref name="create"/>).</summary>
    public string Sub(string relative, bool create = true)
    {
        string path = System.IO.Path.Combine(Path, relative);
        if (create) Directory.CreateDirectory(path);
        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>Builds IDX files byte by byte, independently of the reader under test.</summary>
internal static class IdxBytes
{
    public static byte[] Images(int count, int rows, int columns, Func<int, int, byte> pixel)
    {
        var bytes = new byte[16 + count * rows * columns];
        BinaryPrimitives.WriteInt32BigEndian(bytes, 0x803);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), count);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(8), rows);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(12), columns);
        int size = rows * columns;
        for (int i = 0; i < count; i++)
            for (int p = 0; p < size; p++)
                bytes[16 + i * size + p] = pixel(i, p);
        return bytes;
    }

    public static byte[] Labels(params byte[] labels)
    {
        var bytes = new byte[8 + labels.Length];
        BinaryPrimitives.WriteInt32BigEndian(bytes, 0x801);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), labels.Length);
        labels.CopyTo(bytes, 8);
        return bytes;
    }

    public static byte[] Gzip(byte[] data)
    {
        var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
            gzip.Write(data);
        return output.ToArray();
    }

    public static string Sha256(byte[] data) => Convert.ToHexStringLower(SHA256.HashData(data));

    /// <summary>The pixel the fake splits hold: distinct per image and position, so misplaced rows show.</summary>
    public static byte FakePixel(int image, int position) => (byte)((image * 31 + position * 7) % 256);

    /// <summary>
    /// Writes a small Fashion-MNIST-shaped split (28×28 images, labels 9, 0, 1, ...) into <paramref name="directory"/>
    /// and returns the SHA-256 of each file's decompressed content, by base name.
    /// </summary>
    public static Dictionary<string, string> WriteFakeSplit(string directory, FashionMnistSplit split, int count, bool gzip = true)
    {
        Directory.CreateDirectory(directory);
        var (imagesName, labelsName) = FashionMnist.FileBaseNames(split);
        var images = Images(count, 28, 28, FakePixel);
        var labels = Labels(FakeLabels(count));
        File.WriteAllBytes(System.IO.Path.Combine(directory, imagesName + (gzip ? ".gz" : "")), gzip ? Gzip(images) : images);
        File.WriteAllBytes(System.IO.Path.Combine(directory, labelsName + (gzip ? ".gz" : "")), gzip ? Gzip(labels) : labels);
        return new Dictionary<string, string> { [imagesName] = Sha256(images), [labelsName] = Sha256(labels) };
    }

    public static byte[] FakeLabels(int count) => Enumerable.Range(0, count).Select(i => (byte)((i + 9) % 10)).ToArray();
}
