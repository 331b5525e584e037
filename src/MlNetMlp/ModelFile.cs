using System.IO.Compression;
using System.IO.Hashing;
using System.Reflection;
using Microsoft.ML;

namespace MlNetMlp;

/// <summary>
/// Safe wrappers around <c>mlContext.Model.Save/Load</c>: saving never leaves a half-written file
/// (temp file + atomic rename), and loading a missing, empty, truncated or foreign file throws an
/// <see cref="InvalidDataException"/> (or <see cref="FileNotFoundException"/>) that names the file and the problem.
/// </summary>
public static class ModelFile
{
    // Zip entries carry this fixed time, so equal models give byte-identical files.
    private static readonly DateTimeOffset FixedEntryTime = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// Saves <paramref name="model"/> to <paramref name="path"/> atomically. The file is reproducible:
    /// the same model (same data, options, seed and thread count) gives a byte-identical file.
    /// </summary>
    public static void Save(MLContext mlContext, ITransformer model, DataViewSchema inputSchema, string path)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using var saved = new MemoryStream();
        mlContext.Model.Save(model, inputSchema, saved);
        saved.Position = 0;
        AtomicFile.Write(path, stream => CopyWithFixedTimestamps(saved, stream));
    }

    /// <summary>Rewrites ML.NET's zip with the same entries in the same order, stamped with a fixed time.</summary>
    private static void CopyWithFixedTimestamps(Stream source, Stream destination)
    {
        using var input = new ZipArchive(source, ZipArchiveMode.Read, leaveOpen: true);
        using var output = new ZipArchive(destination, ZipArchiveMode.Create, leaveOpen: true);
        foreach (var entry in input.Entries)
        {
            var copy = output.CreateEntry(entry.FullName, CompressionLevel.Optimal);
            copy.LastWriteTime = FixedEntryTime;
            using var from = entry.Open();
            using var to = copy.Open();
            from.CopyTo(to);
        }
    }

    /// <summary>
    /// Loads a model saved by ML.NET, with errors that say what is wrong with the file. Every zip entry's CRC-32 is
    /// checked first, so a file changed after it was saved is refused rather than loaded with other weights.
    /// </summary>
    public static ITransformer Load(MLContext mlContext, string path, out DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        RegularFile.RequireIfPresent(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"Model file '{path}' does not exist.", path);
        var length = new FileInfo(path).Length;
        if (length == 0) throw new InvalidDataException($"Model file '{path}' is empty.");

        using var stream = File.OpenRead(path);
        try
        {
            using (var zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true))
            {
                if (zip.GetEntry("TransformerChain/Model.key") == null && zip.Entries.All(e => !e.FullName.EndsWith("Model.key", StringComparison.Ordinal)))
                    throw new InvalidDataException($"Model file '{path}' is a zip archive but not an ML.NET model (no Model.key entry).");
                VerifyEntryChecksums(zip, path);
            }
        }
        catch (InvalidDataException e) when (e.Message.StartsWith("Model file", StringComparison.Ordinal) == false)
        {
            throw new InvalidDataException($"Model file '{path}' is not an ML.NET model zip, or it is truncated ({length} bytes): {e.Message}", e);
        }

        stream.Position = 0;
        try
        {
            return mlContext.Model.Load(stream, out inputSchema);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Whatever ML.NET or our loaders throw on a bad file, the caller learns which file and why.
            var cause = InnermostCause(e);
            throw new InvalidDataException($"Model file '{path}' could not be loaded (corrupt, truncated, or from an incompatible version): {cause.Message}", cause);
        }
    }

    /// <summary>
    /// Reads every entry and compares its CRC-32 with the one the zip stores. ML.NET reads entries without this check,
    /// so a flipped bit inside the compressed data would otherwise load as a model with other weights.
    /// </summary>
    private static void VerifyEntryChecksums(ZipArchive zip, string path)
    {
        var crc = new Crc32();
        var buffer = new byte[81920];
        foreach (var entry in zip.Entries)
        {
            crc.Reset();
            long length = 0;
            using (var data = entry.Open())
            {
                int read;
                while ((read = data.Read(buffer)) > 0)
                {
                    crc.Append(buffer.AsSpan(0, read));
                    length += read;
                }
            }
            uint actual = crc.GetCurrentHashAsUInt32();
            if (actual != entry.Crc32 || length != entry.Length)
                throw new InvalidDataException(
                    $"Model file '{path}' is corrupt: zip entry '{entry.FullName}' fails its CRC-32 check (stored {entry.Crc32:x8} for {entry.Length} bytes, read {actual:x8} for {length} bytes).");
        }
    }

    /// <summary>The exception that says what went wrong, under the reflection and initialization wrappers ML.NET's loader adds.</summary>
    private static Exception InnermostCause(Exception e)
    {
        while (e.InnerException is { } inner &&
               (e is TargetInvocationException or TypeInitializationException || e is AggregateException { InnerExceptions.Count: 1 }))
            e = inner;
        return e;
    }
}
