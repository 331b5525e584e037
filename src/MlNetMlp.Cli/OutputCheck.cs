namespace MlNetMlp.Cli;

/// <summary>
/// Checks, before a long run, that its output can be written where the user asked: an unwritable path should fail
/// in the first second, naming the option and the path, not after minutes of training.
/// </summary>
internal static class OutputCheck
{
    /// <summary>The directory <paramref name="directory"/> exists (or can be created) and takes new files.</summary>
    public static void Directory(string option, string directory, string what) => Check(option, directory, directory, what);

    /// <summary>The file <paramref name="path"/> can be written: not a directory, and its directory takes new files.</summary>
    public static void File(string option, string path, string what)
    {
        if (System.IO.Directory.Exists(path))
            throw new IOException($"{option} {path}: is a directory; name the {what} file, e.g. {Path.Combine(path, "model.zip")}");
        Check(option, path, Path.GetDirectoryName(Path.GetFullPath(path))!, what);
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
