namespace MlNetMlp.Data;

/// <summary>The parts of the process environment the Fashion-MNIST search reads, injectable so tests control them.</summary>
internal sealed class FashionMnistSearchEnvironment
{
    public required string CurrentDirectory { get; init; }

    public required Func<string, string?> GetEnvironmentVariable { get; init; }

    public required string SystemDirectory { get; init; }

    public required string DefaultCacheDirectory { get; init; }

    /// <summary>The last directory whose data/fashion-mnist is searched when walking up from the current directory; null walks to the root.</summary>
    public string? ParentSearchCeiling { get; init; }

    public static FashionMnistSearchEnvironment Current => new()
    {
        CurrentDirectory = Directory.GetCurrentDirectory(),
        GetEnvironmentVariable = Environment.GetEnvironmentVariable,
        SystemDirectory = FashionMnist.SystemDatasetDirectory,
        DefaultCacheDirectory = DefaultCache(
            Environment.GetEnvironmentVariable,
            Environment.GetFolderPath(Environment.SpecialFolder.UserProfile),
            Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData),
            OperatingSystem.IsWindows()),
    };

    /// <summary>$XDG_CACHE_HOME/mlnetmlp/fashion-mnist or ~/.cache/mlnetmlp/fashion-mnist; LocalApplicationData on Windows.</summary>
    internal static string DefaultCache(Func<string, string?> getEnvironmentVariable, string home, string localApplicationData, bool isWindows)
    {
        if (isWindows)
            return Path.Combine(localApplicationData, "mlnetmlp", "fashion-mnist");
        // The XDG spec says relative values are invalid and must be ignored.
        string? xdg = getEnvironmentVariable("XDG_CACHE_HOME");
        string root = !string.IsNullOrWhiteSpace(xdg) && Path.IsPathRooted(xdg) ? xdg : Path.Combine(home, ".cache");
        return Path.Combine(root, "mlnetmlp", "fashion-mnist");
    }
}

/// <summary>
/// Finds a split's files: data directory argument, FASHION_MNIST_DIR, data/fashion-mnist in the current
/// directory and each parent, the Debian dataset directory, the per-user cache, then a download into that cache.
/// </summary>
internal static class FashionMnistLocator
{
    public static FashionMnistFiles Locate(FashionMnistSplit split, string? dataDirectory, FashionMnistOptions options)
    {
        if (options.DownloadBaseUri is not { IsAbsoluteUri: true })
            throw new ArgumentException($"FashionMnistOptions.DownloadBaseUri must be an absolute http(s) URL, not '{options.DownloadBaseUri}'.", nameof(options));
        if (options.DownloadTimeout <= TimeSpan.Zero)
            throw new ArgumentException($"FashionMnistOptions.DownloadTimeout must be positive, not {options.DownloadTimeout}.", nameof(options));
        var environment = options.SearchEnvironment ?? FashionMnistSearchEnvironment.Current;
        var places = new List<string>();

        // A directory the user named is a promise: failing loudly beats quietly loading another copy.
        if (!string.IsNullOrWhiteSpace(dataDirectory))
        {
            string directory = Path.GetFullPath(dataDirectory, environment.CurrentDirectory);
            if (TryFind(split, directory, FashionMnistSource.DataDirectory, out var files, out string reason)) return files;
            throw new FashionMnistNotFoundException(split, [$"{directory} (data directory argument): {reason}"], namedDirectory: true);
        }
        places.Add("data directory argument: not given");

        string? fromEnvironment = environment.GetEnvironmentVariable(FashionMnist.DirectoryEnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            string directory = Path.GetFullPath(fromEnvironment, environment.CurrentDirectory);
            if (TryFind(split, directory, FashionMnistSource.EnvironmentVariable, out var files, out string reason)) return files;
            throw new FashionMnistNotFoundException(split, [$"{directory} ({FashionMnist.DirectoryEnvironmentVariable}): {reason}"], namedDirectory: true);
        }
        places.Add($"{FashionMnist.DirectoryEnvironmentVariable} environment variable: not set");

        for (var directory = new DirectoryInfo(environment.CurrentDirectory); directory is not null; directory = directory.Parent)
        {
            string candidate = Path.Combine(directory.FullName, "data", "fashion-mnist");
            if (TryFind(split, candidate, FashionMnistSource.ProjectDataDirectory, out var files, out string reason)) return files;
            places.Add($"{candidate}: {reason}");
            if (environment.ParentSearchCeiling is string ceiling && Path.GetFullPath(ceiling) == directory.FullName) break;
        }

        {
            if (TryFind(split, environment.SystemDirectory, FashionMnistSource.SystemDataset, out var files, out string reason)) return files;
            places.Add($"{environment.SystemDirectory} (Debian package dataset-fashion-mnist): {reason}");
        }

        string cache = Path.GetFullPath(options.CacheDirectory ?? environment.DefaultCacheDirectory, environment.CurrentDirectory);
        {
            if (TryFind(split, cache, FashionMnistSource.UserCache, out var files, out string reason)) return files;
            places.Add($"{cache} (per-user cache): {reason}");
        }

        if (!options.AllowDownload)
        {
            places.Add($"download from {options.DownloadBaseUri}: disabled (AllowDownload = false)");
            throw new FashionMnistNotFoundException(split, places);
        }
        try
        {
            return FashionMnistDownloader.Download(split, cache, options);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or InvalidDataException or UnauthorizedAccessException
                                      or OperationCanceledException or NotSupportedException)
        {
            places.Add($"download from {options.DownloadBaseUri} into {cache}: failed: {e.Message}");
            throw new FashionMnistNotFoundException(split, places, e);
        }
    }

    /// <summary>The split's two files in <paramref name="directory"/>, each named with or without .gz (raw preferred: no decompression).</summary>
    internal static bool TryFind(FashionMnistSplit split, string directory, FashionMnistSource source, out FashionMnistFiles files, out string reason)
    {
        files = null!;
        if (!Directory.Exists(directory))
        {
            reason = "directory does not exist";
            return false;
        }
        var (imagesName, labelsName) = FashionMnist.FileBaseNames(split);
        string? images = FindFile(directory, imagesName);
        string? labels = FindFile(directory, labelsName);
        if (images is null || labels is null)
        {
            var missing = new[] { images is null ? imagesName : null, labels is null ? labelsName : null }.OfType<string>();
            reason = "missing " + string.Join(" and ", missing.Select(name => name + "[.gz]"));
            return false;
        }
        files = new FashionMnistFiles(split, images, labels, source);
        reason = "";
        return true;
    }

    private static string? FindFile(string directory, string baseName)
    {
        foreach (string name in new[] { baseName, baseName + ".gz" })
        {
            string path = Path.Combine(directory, name);
            if (File.Exists(path)) return path;
        }
        return null;
    }
}
