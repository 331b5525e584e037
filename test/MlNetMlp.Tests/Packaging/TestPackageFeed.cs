using System.Diagnostics;

namespace MlNetMlp.Tests.Packaging;

/// <summary>
/// The repository's packages packed from the current sources into a temporary folder feed, under a version of the test
/// run's own (0.1.0-test.TIMESTAMP.PID), for tests that consume them as a user would (notebooks, a fresh console app,
/// the installed tool).
/// </summary>
/// <remarks>
/// The packages' real version (0.1.0) is not used because NuGet would reuse any copy of it already extracted into the
/// global packages folder, however old. Every project is packed at most once per test run, one pack at a time (test
/// classes run in parallel, and two builds of one project would collide); at the end of the run the feed and only
/// what NuGet extracted of these versions into the global packages folder are removed.
/// </remarks>
[TestClass]
public sealed class TestPackageFeed
{
    public static readonly string Version = $"0.1.0-test.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}";

    private static readonly Lock Gate = new();
    private static readonly Dictionary<string, string> PackLogs = [];
    private static string? _directory;

    /// <summary>The feed folder (created on first use).</summary>
    public static string Directory
    {
        get
        {
            lock (Gate) return _directory ??= System.IO.Directory.CreateTempSubdirectory("mlnetmlp-test-feed-").FullName;
        }
    }

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    private static string PackagesFolder => Environment.GetEnvironmentVariable("NUGET_PACKAGES")
        ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    /// <summary>
    /// Packs src/<paramref name="project"/> into the feed unless this run already did, and returns the output of that
    /// pack (warnings included). Throws when the pack fails.
    /// </summary>
    public static string Pack(string project)
    {
        lock (Gate)
        {
            if (PackLogs.TryGetValue(project, out var log)) return log;
            // PackageVersion changes the package, not the assembly, so the build behind pack stays incremental.
            (_, log) = Run("dotnet", ["pack", $"src/{project}", "-c", "Release", "-o", Directory, $"-p:PackageVersion={Version}"],
                RepositoryRoot, TimeSpan.FromMinutes(5));
            PackLogs[project] = log;
            return log;
        }
    }

    /// <summary>Runs a process with output captured; throws (with the output's tail) on timeout, or on failure unless told not to.</summary>
    public static (int ExitCode, string Log) Run(string file, IReadOnlyList<string> args, string workingDirectory, TimeSpan timeout, bool throwOnFailure = true)
    {
        var start = new ProcessStartInfo(file, args)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["CI"] = "true";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        // No MSBuild node or build server outlives the command (they would keep the test run's output pipes open).
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        string command = $"{file} {string.Join(' ', args)}";
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{command} did not finish within {timeout.TotalMinutes:F0} min.");
        }
        string log = (stdout.Result + stderr.Result).Trim();
        if (throwOnFailure && process.ExitCode != 0)
            throw new InvalidOperationException($"{command} exited with {process.ExitCode}: {Tail(log)}");
        return (process.ExitCode, log);
    }

    public static string Tail(string text) => text.Length <= 2000 ? text : "…" + text[^2000..];

    [AssemblyCleanup]
    public static void RemoveTheTestPackages()
    {
        lock (Gate)
        {
            if (_directory == null) return;
            // Every package id in the feed (the tool's per-platform packages included) may have been extracted.
            foreach (var package in System.IO.Directory.EnumerateFiles(_directory, $"*.{Version}.nupkg"))
            {
                string id = Path.GetFileName(package)[..^$".{Version}.nupkg".Length];
                var extracted = Path.Combine(PackagesFolder, id.ToLowerInvariant(), Version);
                if (System.IO.Directory.Exists(extracted)) System.IO.Directory.Delete(extracted, recursive: true);
                var idFolder = Path.GetDirectoryName(extracted)!;
                if (System.IO.Directory.Exists(idFolder) && !System.IO.Directory.EnumerateFileSystemEntries(idFolder).Any())
                    System.IO.Directory.Delete(idFolder);
            }
            System.IO.Directory.Delete(_directory, recursive: true);
            _directory = null;
        }
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "MlNetMlp.sln")) && System.IO.Directory.Exists(Path.Combine(dir.FullName, "src")))
                return dir.FullName;
        throw new DirectoryNotFoundException($"No repository root (MlNetMlp.sln with src/) above {AppContext.BaseDirectory}.");
    }
}
