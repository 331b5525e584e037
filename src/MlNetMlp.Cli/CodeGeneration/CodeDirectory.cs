using System.Security.Cryptography;
using System.Text.Json;

namespace MlNetMlp.Cli.CodeGeneration;

/// <summary>
/// The directory generated code goes to, and how we decide that writing there loses nothing. A directory is ours when
/// it holds <see cref="ManifestName"/>, which lists every file we wrote with the SHA-256 of what we wrote. We write into
/// a new or empty directory, or into one of ours whose listed files are unchanged (or gone); anything else is refused
/// before any work: a non-empty directory without the manifest, a listed file changed since (the user's edits), or a
/// file we would write that is not listed. Other files (bin/, obj/, the user's additions) are left alone.
/// </summary>
/// <remarks>
/// Each file is written atomically (<see cref="AtomicFile"/>). Before the files change, the manifest lists both the
/// old and the new hash of each, and only afterwards the new ones, so a run interrupted in between leaves a directory
/// that the next run still recognizes as ours.
/// </remarks>
internal static class CodeDirectory
{
    public const string ManifestName = ".mlnetmlp-code.json";

    /// <summary>
    /// Checks, before any long work, that <paramref name="directory"/> can take generated code: it is (or can be made)
    /// a writable directory, and is empty or ours with our files unchanged.
    /// </summary>
    /// <param name="option">The CLI option that named the directory, for errors.</param>
    public static void Check(string option, string directory)
    {
        OutputCheck.Directory(option, directory, "code");
        var manifest = ReadManifest(option, directory);
        if (manifest is null)
        {
            if (Directory.EnumerateFileSystemEntries(directory).Any())
                throw new IOException($"{option} {directory}: the directory is not empty and was not written by mlnetmlp (it has no {ManifestName}); name a new or empty directory.");
            return;
        }
        foreach (var (name, hashes) in manifest)
            RequireUnchanged(option, directory, name, hashes);
    }

    /// <summary>Writes <paramref name="files"/> (name → bytes) into <paramref name="directory"/> after <see cref="Check"/>'s rules.</summary>
    public static void Write(string option, string directory, IReadOnlyDictionary<string, byte[]> files)
    {
        Check(option, directory);
        var old = ReadManifest(option, directory) ?? [];
        foreach (var name in files.Keys)
            if (!old.ContainsKey(name) && File.Exists(Path.Combine(directory, name)))
                throw new IOException($"{option} {directory}: {name} exists and was not written by mlnetmlp; move it away or name another directory.");

        var written = files.ToDictionary(f => f.Key, f => Sha256(f.Value), StringComparer.Ordinal);
        var during = new SortedDictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var (name, hashes) in old) during[name] = hashes;
        foreach (var (name, hash) in written) during[name] = [.. (during.TryGetValue(name, out var h) ? h : []).Append(hash).Distinct()];
        WriteManifest(directory, during);

        foreach (var (name, bytes) in files)
            AtomicFile.Write(Path.Combine(directory, name), stream => stream.Write(bytes));
        // Files of an earlier run that this one does not write (another model file name) go, as they are unchanged.
        foreach (var name in old.Keys.Where(n => !files.ContainsKey(n)))
            File.Delete(Path.Combine(directory, name));
        WriteManifest(directory, new SortedDictionary<string, string[]>(written.ToDictionary(w => w.Key, w => new[] { w.Value }), StringComparer.Ordinal));
    }

    private static void RequireUnchanged(string option, string directory, string name, string[] hashes)
    {
        var path = Path.Combine(directory, name);
        if (!File.Exists(path)) return;
        if (!hashes.Contains(Sha256(File.ReadAllBytes(path))))
            throw new IOException($"{option} {directory}: {name} was changed since mlnetmlp wrote it; move your changes elsewhere or name another directory.");
    }

    /// <summary>The manifest (file name → accepted SHA-256 hashes), or null when the directory has none.</summary>
    private static Dictionary<string, string[]>? ReadManifest(string option, string directory)
    {
        var path = Path.Combine(directory, ManifestName);
        if (!File.Exists(path)) return null;
        try
        {
            var manifest = JsonSerializer.Deserialize<Manifest>(File.ReadAllText(path), JsonOptions);
            if (manifest?.Files is null || manifest.Files.Keys.Any(n => n.Length == 0 || Path.GetFileName(n) != n || n == ManifestName))
                throw new JsonException("it lists no files, or a name that is not a plain file name");
            return manifest.Files;
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{option} {directory}: {ManifestName} is not a manifest written by mlnetmlp ({e.Message}); name another directory.", e);
        }
    }

    private static void WriteManifest(string directory, SortedDictionary<string, string[]> files) =>
        AtomicFile.WriteAllText(Path.Combine(directory, ManifestName),
            JsonSerializer.Serialize(new Manifest { Files = new Dictionary<string, string[]>(files) }, JsonOptions) + "\n");

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    private static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private sealed class Manifest
    {
        /// <summary>Says what wrote the directory, for a person who finds the file.</summary>
        public string Generator { get; set; } = "mlnetmlp --emit-code / export --code";

        public Dictionary<string, string[]>? Files { get; set; }
    }
}
