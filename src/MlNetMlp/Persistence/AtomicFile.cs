using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace MlNetMlp;

/// <summary>
/// Writes a file through a temporary sibling and an atomic rename, so readers see the old file or the whole new one.
/// The path must name a regular file or nothing (<see cref="RegularFile"/>): a symbolic link is followed and its
/// final target written (the link stays), and a device, named pipe, socket or directory is refused before anything
/// is written. Temporary files that a killed process left behind are removed by the next write in their directory.
/// </summary>
public static partial class AtomicFile
{
    // A temporary name is ".{name}.{pid}.{32 hex digits}.tmp": the name part is cut to this many bytes so the whole
    // fits NAME_MAX whatever the pid (10 digits at most).
    private const int MaxNamePartBytes = RegularFile.MaxNameBytes - 1 - 1 - 10 - 1 - 32 - 4;

    /// <summary>Runs <paramref name="write"/> on a temporary file next to <paramref name="path"/>, then renames it into place.</summary>
    /// <exception cref="IOException"><paramref name="path"/> is not a regular file (or a link to one), or its name is too long; nothing was written.</exception>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(write);
        var full = RegularFile.ResolveForWriting(path);
        var directory = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(directory);
        RemoveStaleTemporaries(directory);
        var temp = TemporaryPath(full);
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }

    /// <summary>Writes text atomically (UTF-8, no BOM).</summary>
    public static void WriteAllText(string path, string text) =>
        Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, new UTF8Encoding(false), leaveOpen: true);
            writer.Write(text);
        });

    /// <summary>A fresh temporary sibling of <paramref name="fullPath"/>, named so <see cref="RemoveStaleTemporaries"/> recognizes it.</summary>
    internal static string TemporaryPath(string fullPath) =>
        Path.Combine(Path.GetDirectoryName(fullPath)!, $".{NamePart(Path.GetFileName(fullPath))}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");

    /// <summary>
    /// Deletes the temporary files of this naming in <paramref name="directory"/> whose writer is gone: its process id
    /// is not a running process and no one holds the file open for writing (a writer keeps it locked). Best effort:
    /// what cannot be deleted stays.
    /// </summary>
    internal static void RemoveStaleTemporaries(string directory)
    {
        IEnumerable<string> candidates;
        try
        {
            candidates = Directory.EnumerateFiles(directory, ".*.tmp").ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return;
        }
        foreach (var candidate in candidates)
        {
            var match = TemporaryName().Match(Path.GetFileName(candidate));
            if (!match.Success || !int.TryParse(match.Groups["pid"].ValueSpan, out int pid) || IsRunning(pid)) continue;
            if (RegularFile.KindOf(candidate, followLinks: false) != FileKind.Regular) continue;
            try
            {
                // Taking the writer's lock proves it is not writing (another pid namespace can hide a live writer's pid).
                using var stale = new FileStream(candidate, FileMode.Open, FileAccess.Read, FileShare.None, 1, FileOptions.DeleteOnClose);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }
    }

    private static bool IsRunning(int pid)
    {
        if (pid == Environment.ProcessId) return true;
        try
        {
            using var process = Process.GetProcessById(pid);
            return true;
        }
        catch (ArgumentException)
        {
            return false; // no such process
        }
        catch (Exception)
        {
            return true; // cannot tell: keep the file
        }
    }

    /// <summary><paramref name="name"/>, cut (on a character boundary) to <see cref="MaxNamePartBytes"/> bytes of UTF-8.</summary>
    private static string NamePart(string name)
    {
        int length = name.Length;
        while (length > 0 && (Encoding.UTF8.GetByteCount(name.AsSpan(0, length)) > MaxNamePartBytes || char.IsHighSurrogate(name[length - 1])))
            length--;
        return name[..length];
    }

    [GeneratedRegex(@"^\..+\.(?<pid>[0-9]{1,10})\.[0-9a-f]{32}\.tmp$", RegexOptions.CultureInvariant)]
    private static partial Regex TemporaryName();
}
