namespace MlNetMlp.Cli;

/// <summary>
/// Checks, before a long run, that its output can be written where the user asked: an unwritable path should fail
/// in the first second, naming the option and the path, not after minutes of training. The rules are the library's
/// (<see cref="RegularFile"/>, <see cref="AtomicFile"/>): an output file is a regular file or a new one (a symbolic
/// link counts as its target), its name fits a file system, and no two outputs of one command are the same file.
/// </summary>
internal static class OutputCheck
{
    /// <summary>The directory <paramref name="directory"/> exists (or can be created) and takes new files.</summary>
    public static void Directory(string option, string directory, string what)
    {
        NotEmpty(option, directory, $"{what} directory");
        var kind = RegularFile.KindOf(directory, followLinks: true);
        if (kind is not (FileKind.Missing or FileKind.Directory))
            throw new IOException($"{option} {directory}: is {RegularFile.Describe(kind)}, not a directory; name the {what} directory");
        Check(option, directory, directory, what);
    }

    /// <summary>
    /// The file <paramref name="path"/> can be written: a regular file or none yet (not a directory, device, pipe...),
    /// a name that fits, and a directory that takes new files. <paramref name="exampleName"/> is the file suggested
    /// in a directory given instead.
    /// </summary>
    public static void File(string option, string path, string what, string exampleName = "model.zip")
    {
        NotEmpty(option, path, $"{what} file");
        if (System.IO.Directory.Exists(path))
            throw new IOException($"{option} {path}: is a directory; name the {what} file, e.g. {Path.Combine(path, exampleName)}");
        string resolved;
        string? problem;
        try
        {
            resolved = RegularFile.ResolveForWriting(path, out problem);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"{option} {path}: cannot write the {what} there ({e.Message})", e);
        }
        if (problem != null) throw new IOException($"{option} {path}: {problem}");
        Check(option, path, Path.GetDirectoryName(resolved)!, what);
    }

    /// <summary>
    /// Refuses two outputs of one command on the same file (after resolving symbolic links), which would leave only
    /// the one written last. Null paths are outputs the command will not write.
    /// </summary>
    public static void Distinct(params (string Option, string? Path)[] outputs)
    {
        var comparison = OperatingSystem.IsLinux() ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;
        var resolved = outputs.Select(o => o.Path is null ? null : RegularFile.Canonical(o.Path)).ToArray();
        for (int i = 0; i < outputs.Length; i++)
            for (int j = i + 1; j < outputs.Length; j++)
                if (resolved[i] != null && string.Equals(resolved[i], resolved[j], comparison))
                    throw new ArgumentException(
                        $"{outputs[i].Option} {outputs[i].Path} and {outputs[j].Option} {outputs[j].Path} are the same file ({resolved[i]}); " +
                        "one would overwrite the other: give them different paths.", outputs[i].Option);
    }

    /// <summary>The checks of <c>train</c>'s outputs: the model file, the checkpoint directory and file, and that they differ.</summary>
    public static void Training(string outputPath, string? checkpointDirectory, Func<string, string> checkpointPathIn)
    {
        File("--out", outputPath, "model");
        if (checkpointDirectory is null) return;
        Directory("--checkpoint-dir", checkpointDirectory, "checkpoint");
        string checkpoint = checkpointPathIn(checkpointDirectory);
        File("--checkpoint-dir", checkpoint, "checkpoint");
        Distinct(("--out", outputPath), ("--checkpoint-dir", checkpoint));
    }

    /// <summary>Refuses an empty (or blank) path, naming the option; null is an output not asked for.</summary>
    public static void NotEmpty(string option, string? path, string what)
    {
        if (path is not null && string.IsNullOrWhiteSpace(path))
            throw new ArgumentException($"{option}: the path is empty; name the {what}.", option);
    }

    private static void Check(string option, string given, string directory, string what)
    {
        try
        {
            System.IO.Directory.CreateDirectory(directory);
            // The same kind of temporary sibling AtomicFile writes, removed as soon as it is closed.
            var probe = Path.Combine(directory, $".write-check.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose)) { }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"{option} {given}: cannot write the {what} there ({e.Message})", e);
        }
    }
}
