using System.Runtime.InteropServices;
using System.Text;

namespace MlNetMlp;

/// <summary>What a path names, as <c>stat</c> sees it.</summary>
internal enum FileKind
{
    Missing,
    Regular,
    Directory,
    CharacterDevice,
    BlockDevice,
    NamedPipe,
    Socket,
    SymbolicLink,
    Other,
}

/// <summary>
/// The one rule for every file read or written at a path a user gave (model, checkpoint, image, IDX, sweep results,
/// report): it is a regular file, or for an output it does not exist yet; a symbolic link stands for its final target.
/// Anything else is refused with an <see cref="IOException"/> naming the path and what it is: reading a named pipe
/// blocks forever and reading /dev/zero never ends, and an atomic write (rename over the path) would replace a device
/// such as /dev/null, or a symbolic link, with a regular file.
/// </summary>
internal static partial class RegularFile
{
    /// <summary>The longest file name, in bytes, that common file systems take (NAME_MAX).</summary>
    public const int MaxNameBytes = 255;

    // Enough levels to resolve any sane chain of links (Linux stops at 40) without looping on a cycle.
    private const int MaxLinkDepth = 40;

    /// <summary>Throws unless <paramref name="path"/> is missing (the caller says so its own way) or a regular file, or a link to one.</summary>
    /// <exception cref="IOException">It is a directory, device, named pipe or socket (or a link to one).</exception>
    public static void RequireIfPresent(string path)
    {
        var kind = KindOf(path, followLinks: true);
        if (kind is FileKind.Missing or FileKind.Regular) return;
        throw new IOException($"{path}: {Describe(path, Canonical(path), kind)}, not a regular file");
    }

    /// <summary>
    /// The absolute path, with every symbolic link resolved, where an output to <paramref name="path"/> is written; the
    /// file there is a regular file or does not exist, and its name fits a file system.
    /// </summary>
    /// <exception cref="IOException">The path names something that is not a regular file, or its name is too long.</exception>
    public static string ResolveForWriting(string path)
    {
        var resolved = ResolveForWriting(path, out string? problem);
        return problem is null ? resolved : throw new IOException($"{path}: {problem}");
    }

    /// <summary>As <see cref="ResolveForWriting(string)"/>, but returns the problem (or null) for the caller to word the error.</summary>
    public static string ResolveForWriting(string path, out string? problem)
    {
        string resolved = Canonical(path);
        var kind = KindOf(resolved, followLinks: true);
        int nameBytes = Encoding.UTF8.GetByteCount(Path.GetFileName(resolved));
        problem = kind switch
        {
            FileKind.Missing or FileKind.Regular when nameBytes > MaxNameBytes =>
                $"the file name is {nameBytes} bytes long; file systems take at most {MaxNameBytes}",
            FileKind.Missing or FileKind.Regular => null,
            _ => $"{Describe(path, resolved, kind)}, not a regular file; an output must be a regular file or a new path",
        };
        return resolved;
    }

    /// <summary>
    /// <paramref name="path"/> made absolute with every symbolic link on it resolved (the parts that do not exist are
    /// kept as written), so two paths to one file compare equal.
    /// </summary>
    public static string Canonical(string path) => Canonical(Path.GetFullPath(path), 0);

    private static string Canonical(string full, int depth)
    {
        if (depth > MaxLinkDepth) throw new IOException($"{full}: too many levels of symbolic links");
        string root = Path.GetPathRoot(full) ?? "";
        string current = root;
        foreach (var part in full[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            string next = Path.Combine(current, part);
            string? target = new FileInfo(next).LinkTarget;
            current = target is null ? next : Canonical(Path.GetFullPath(target, current), depth + 1);
        }
        return current;
    }

    /// <summary>What <paramref name="path"/> is; with <paramref name="followLinks"/> false a symbolic link is reported as one.</summary>
    public static FileKind KindOf(string path, bool followLinks)
    {
        if (OperatingSystem.IsWindows())
        {
            // Windows has no device or pipe files in the file system: only directories need telling apart.
            if (!Path.Exists(path)) return FileKind.Missing;
            var attributes = File.GetAttributes(path);
            if (!followLinks && attributes.HasFlag(FileAttributes.ReparsePoint)) return FileKind.SymbolicLink;
            return attributes.HasFlag(FileAttributes.Directory) ? FileKind.Directory : FileKind.Regular;
        }
        // The runtime's own stat shim (what File and Directory use on every Unix): its Mode carries the POSIX S_IFMT bits.
        int result = followLinks ? Stat(path, out var status) : LStat(path, out status);
        if (result != 0) return FileKind.Missing; // no such file, or a part of the path is not a directory or not readable
        return (status.Mode & 0xF000) switch
        {
            0x8000 => FileKind.Regular,
            0x4000 => FileKind.Directory,
            0x2000 => FileKind.CharacterDevice,
            0x6000 => FileKind.BlockDevice,
            0x1000 => FileKind.NamedPipe,
            0xC000 => FileKind.Socket,
            0xA000 => FileKind.SymbolicLink,
            _ => FileKind.Other,
        };
    }

    /// <summary>"is a named pipe", or for a link "is a symbolic link to T, a named pipe".</summary>
    private static string Describe(string path, string resolved, FileKind kind)
    {
        string what = Describe(kind);
        bool viaLink = !string.Equals(Path.GetFullPath(path), resolved, StringComparison.Ordinal);
        return viaLink ? $"is a symbolic link to {resolved}, {what}" : $"is {what}";
    }

    /// <summary>"a named pipe (FIFO)", "a directory"...</summary>
    public static string Describe(FileKind kind) => kind switch
    {
        FileKind.Missing => "nothing",
        FileKind.Regular => "a regular file",
        FileKind.Directory => "a directory",
        FileKind.CharacterDevice => "a character device",
        FileKind.BlockDevice => "a block device",
        FileKind.NamedPipe => "a named pipe (FIFO)",
        FileKind.Socket => "a socket",
        FileKind.SymbolicLink => "a symbolic link",
        _ => "a special file",
    };

    [StructLayout(LayoutKind.Sequential, Size = 256)]
    private struct FileStatus
    {
        // The shim's FileStatus starts with these two int32 fields; the rest (sizes, times, ids) is not read, and
        // Size leaves room for all of it in every runtime version.
        public int Flags;
        public int Mode;
    }

    [LibraryImport("libSystem.Native", EntryPoint = "SystemNative_Stat", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Stat(string path, out FileStatus status);

    [LibraryImport("libSystem.Native", EntryPoint = "SystemNative_LStat", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LStat(string path, out FileStatus status);
}
