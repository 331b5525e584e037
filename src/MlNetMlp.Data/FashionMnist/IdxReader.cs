using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;

namespace MlNetMlp.Data;

/// <summary>An IDX image file (magic 0x00000803): <see cref="Count"/> images of <see cref="Rows"/>×<see cref="Columns"/> unsigned bytes.</summary>
/// <param name="SourcePath">The file the images were read from.</param>
/// <param name="Count">The number of images.</param>
/// <param name="Rows">The height of each image.</param>
/// <param name="Columns">The width of each image.</param>
/// <param name="Pixels">All pixels, image after image, each image row-major: image i starts at i × Rows × Columns.</param>
/// <param name="ContentSha256">Lower-case hex SHA-256 of the whole decompressed file, or null when it was not requested.</param>
public sealed record IdxImages(string SourcePath, int Count, int Rows, int Columns, byte[] Pixels, string? ContentSha256);

/// <summary>An IDX label file (magic 0x00000801): one unsigned byte per item.</summary>
/// <param name="SourcePath">The file the labels were read from.</param>
/// <param name="Labels">One label per item.</param>
/// <param name="ContentSha256">Lower-case hex SHA-256 of the whole decompressed file, or null when it was not requested.</param>
public sealed record IdxLabels(string SourcePath, byte[] Labels, string? ContentSha256)
{
    public int Count => Labels.Length;
}

/// <summary>
/// Reads the IDX files of MNIST-style datasets, gzip-compressed (detected by the 0x1f 0x8b magic,
/// whatever the file name) or raw. Every structural problem is an <see cref="InvalidDataException"/>
/// whose message starts with the file path. The gzip CRC is checked; bytes after the end of a gzip stream, or
/// a gzip trailer cut off after complete data, go unnoticed by System.IO.Compression, but the content read is
/// then complete and exactly as long as its header announces.
/// </summary>
public static class IdxReader
{
    public const int ImagesMagic = 0x00000803;
    public const int LabelsMagic = 0x00000801;

    /// <summary>Largest accepted image side; IDX image datasets are small pictures, so a bigger value means a corrupt header.</summary>
    public const int MaxImageSide = 16384;

    private const int ImagesHeaderLength = 16;
    private const int LabelsHeaderLength = 8;

    /// <summary>Reads an IDX image file.</summary>
    /// <param name="path">The file, gzip-compressed or raw.</param>
    /// <param name="computeSha256">Also hash the decompressed content into <see cref="IdxImages.ContentSha256"/> (one extra pass over memory).</param>
    public static IdxImages ReadImages(string path, bool computeSha256 = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using var stream = OpenDecompressed(path, out var limit);
        Span<byte> header = stackalloc byte[ImagesHeaderLength];
        int count = ReadHeader(stream, path, header, ImagesMagic, "image");
        int rows = ReadDimension(header, 8);
        int columns = ReadDimension(header, 12);
        if (rows <= 0 || rows > MaxImageSide || columns <= 0 || columns > MaxImageSide)
            throw Invalid(path, $"implausible image size {rows}×{columns} in the header (each side must be 1..{MaxImageSide})");
        long payloadLength = (long)count * rows * columns;
        if (payloadLength > Array.MaxLength)
            throw Invalid(path, $"{count} images of {rows}×{columns} pixels ({payloadLength} bytes) exceed the largest array .NET can hold");
        var pixels = ReadPayload(stream, path, limit, ImagesHeaderLength, payloadLength, "pixel");
        string? sha256 = computeSha256 ? Sha256Hex(header, pixels) : null;
        return new IdxImages(path, count, rows, columns, pixels, sha256);
    }

    /// <summary>Reads an IDX label file.</summary>
    /// <param name="path">The file, gzip-compressed or raw.</param>
    /// <param name="computeSha256">Also hash the decompressed content into <see cref="IdxLabels.ContentSha256"/>.</param>
    public static IdxLabels ReadLabels(string path, bool computeSha256 = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using var stream = OpenDecompressed(path, out var limit);
        Span<byte> header = stackalloc byte[LabelsHeaderLength];
        int count = ReadHeader(stream, path, header, LabelsMagic, "label");
        if (count > Array.MaxLength)
            throw Invalid(path, $"{count} labels exceed the largest array .NET can hold");
        var labels = ReadPayload(stream, path, limit, LabelsHeaderLength, count, "label");
        string? sha256 = computeSha256 ? Sha256Hex(header, labels) : null;
        return new IdxLabels(path, labels, sha256);
    }

    /// <summary>Reads an image file and its label file, and checks they describe the same number of items.</summary>
    public static (IdxImages Images, IdxLabels Labels) ReadPair(string imagesPath, string labelsPath, bool computeSha256 = false)
    {
        var images = ReadImages(imagesPath, computeSha256);
        var labels = ReadLabels(labelsPath, computeSha256);
        EnsureSameCount(images, labels);
        return (images, labels);
    }

    /// <summary>Throws an <see cref="InvalidDataException"/> naming both files when their item counts differ.</summary>
    public static void EnsureSameCount(IdxImages images, IdxLabels labels)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(labels);
        if (images.Count != labels.Count)
            throw new InvalidDataException(
                $"{images.SourcePath} holds {images.Count} images but {labels.SourcePath} holds {labels.Count} labels; " +
                "the two files must come from the same split.");
    }

    /// <summary>
    /// Lower-case hex SHA-256 of the file's decompressed content (the whole file when it is not gzip),
    /// the form in which dataset checksums are published independently of how a copy was compressed.
    /// </summary>
    public static string ComputeContentSha256(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using var stream = OpenDecompressed(path, out _);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 16];
        int read;
        while ((read = ReadWrapped(stream, path, buffer)) > 0)
            hash.AppendData(buffer, 0, read);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>True when <paramref name="header"/> starts with the gzip magic bytes 0x1f 0x8b.</summary>
    public static bool IsGzip(ReadOnlySpan<byte> header) => header.Length >= 2 && header[0] == 0x1f && header[1] == 0x8b;

    /// <summary>The file's bytes as a stream, decompressed when the file starts with the gzip magic.</summary>
    /// <param name="path">The file.</param>
    /// <param name="limit">How much content the file can yield at most, so a lying header is caught before allocating.</param>
    private static Stream OpenDecompressed(string path, out ContentLimit limit)
    {
        RegularFile.RequireIfPresent(path); // a named pipe would block and a device never end
        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16, FileOptions.SequentialScan);
        }
        catch (FileNotFoundException e)
        {
            throw new FileNotFoundException($"{path}: IDX file not found.", path, e);
        }
        try
        {
            Span<byte> magic = stackalloc byte[2];
            int n = file.ReadAtLeast(magic, 2, throwOnEndOfStream: false);
            file.Position = 0;
            if (n == 0)
                throw Invalid(path, "the file is empty");
            bool gzip = IsGzip(magic[..n]);
            limit = new ContentLimit(file.Length, gzip);
            return gzip ? new GZipStream(file, CompressionMode.Decompress, leaveOpen: false) : file;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Reads the whole <paramref name="header"/>, checks its magic number, and returns the item count it gives (not negative).</summary>
    private static int ReadHeader(Stream stream, string path, Span<byte> header, int magic, string kind)
    {
        int n = ReadAll(stream, path, header);
        if (n < header.Length)
            throw Invalid(path, n == 0
                ? "no data (empty file or empty gzip stream)"
                : $"expected a {header.Length}-byte IDX {kind} file header, found only {n} bytes (file truncated?)");
        CheckMagic(path, header, magic, kind);
        int count = ReadDimension(header, 4);
        if (count < 0)
            throw Invalid(path, $"negative {kind} count {count} in the header");
        return count;
    }

    private static void CheckMagic(string path, ReadOnlySpan<byte> header, int expected, string kind)
    {
        int magic = BinaryPrimitives.ReadInt32BigEndian(header);
        if (magic == expected) return;
        string hint = magic switch
        {
            ImagesMagic => " (this is an IDX image file)",
            LabelsMagic => " (this is an IDX label file)",
            _ when IsGzip(header) => " (gzip data inside gzip: compressed twice?)",
            _ => "",
        };
        throw Invalid(path, $"wrong magic number 0x{magic:x8}{hint}, expected 0x{expected:x8} for an IDX {kind} file");
    }

    private static int ReadDimension(ReadOnlySpan<byte> header, int offset) => BinaryPrimitives.ReadInt32BigEndian(header[offset..]);

    /// <summary>The most content bytes a file of <paramref name="FileLength"/> bytes can yield.</summary>
    private readonly record struct ContentLimit(long FileLength, bool Gzip)
    {
        // Deflate's ceiling (RFC 1951): a match yields at most 258 bytes and costs at least 2 bits, 1032 bytes per input byte.
        public long MaxContentLength => Gzip ? FileLength * 1032 + 1024 : FileLength;
    }

    /// <summary>
    /// Rejects a header announcing more payload than the file can possibly hold, before the payload array is
    /// allocated: a corrupt count on a tiny file must not allocate gigabytes.
    /// </summary>
    private static void CheckPayloadFits(string path, ContentLimit limit, int headerLength, long payloadLength, string kind)
    {
        long available = limit.MaxContentLength - headerLength;
        if (payloadLength <= available) return;
        throw Invalid(path, limit.Gzip
            ? FormattableString.Invariant($"the header announces {payloadLength} {kind} bytes, more than this {limit.FileLength}-byte gzip file can decompress to (file truncated or header corrupt?)")
            : FormattableString.Invariant($"expected {payloadLength} {kind} bytes, found {available} (file truncated?)"));
    }

    /// <summary>
    /// Reads the <paramref name="payloadLength"/> bytes after the header (at most <see cref="Array.MaxLength"/>), once
    /// <see cref="CheckPayloadFits"/> has seen that the file can hold them, then reads to the end.
    /// </summary>
    private static byte[] ReadPayload(Stream stream, string path, ContentLimit limit, int headerLength, long payloadLength, string kind)
    {
        CheckPayloadFits(path, limit, headerLength, payloadLength, kind);
        var payload = new byte[payloadLength];
        int n = ReadAll(stream, path, payload);
        if (n < payload.Length)
            throw Invalid(path, $"expected {payload.Length.ToString(CultureInfo.InvariantCulture)} {kind} bytes, found {n.ToString(CultureInfo.InvariantCulture)} (file truncated?)");

        // Reading to the end also makes GZipStream check the gzip CRC and length trailer.
        var probe = new byte[4096];
        long trailing = 0;
        int read;
        while ((read = ReadWrapped(stream, path, probe)) > 0)
            trailing += read;
        if (trailing > 0)
            throw Invalid(path, $"{trailing} unexpected trailing bytes after the {payload.Length} {kind} bytes the header announces");
        return payload;
    }

    /// <summary>Reads until <paramref name="buffer"/> is full or the stream ends; returns the bytes read.</summary>
    private static int ReadAll(Stream stream, string path, Span<byte> buffer)
    {
        try
        {
            return stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        }
        catch (InvalidDataException e)
        {
            throw Invalid(path, $"corrupt gzip data ({e.Message})", e);
        }
    }

    private static int ReadWrapped(Stream stream, string path, byte[] buffer)
    {
        try
        {
            return stream.Read(buffer, 0, buffer.Length);
        }
        catch (InvalidDataException e)
        {
            throw Invalid(path, $"corrupt gzip data ({e.Message})", e);
        }
    }

    private static string Sha256Hex(ReadOnlySpan<byte> header, ReadOnlySpan<byte> payload)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(header);
        hash.AppendData(payload);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static InvalidDataException Invalid(string path, string problem, Exception? inner = null) =>
        new($"{path}: {problem}.", inner);
}
