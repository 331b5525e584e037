namespace MlNetMlp.Data;

/// <summary>The two official Fashion-MNIST splits.</summary>
public enum FashionMnistSplit
{
    /// <summary>60,000 training images (train-*-ubyte files).</summary>
    Train,

    /// <summary>10,000 test images (t10k-*-ubyte files).</summary>
    Test,
}

/// <summary>Where <see cref="FashionMnist.Locate"/> found a split's files.</summary>
public enum FashionMnistSource
{
    /// <summary>The data directory passed by the caller.</summary>
    DataDirectory,

    /// <summary>The directory named by the FASHION_MNIST_DIR environment variable.</summary>
    EnvironmentVariable,

    /// <summary>data/fashion-mnist under the current directory or one of its parents.</summary>
    ProjectDataDirectory,

    /// <summary>/usr/share/datasets/fashion-mnist, where the Debian package dataset-fashion-mnist installs it.</summary>
    SystemDataset,

    /// <summary>The per-user cache, filled by an earlier download.</summary>
    UserCache,

    /// <summary>Downloaded into the per-user cache by this call.</summary>
    Download,
}

/// <summary>The image and label files of one split, as found by <see cref="FashionMnist.Locate"/>.</summary>
/// <param name="Split">The split these files hold.</param>
/// <param name="ImagesPath">The IDX image file (gzip or raw).</param>
/// <param name="LabelsPath">The IDX label file (gzip or raw).</param>
/// <param name="Source">Which search step found them.</param>
public sealed record FashionMnistFiles(FashionMnistSplit Split, string ImagesPath, string LabelsPath, FashionMnistSource Source);

/// <summary>Progress of one file download.</summary>
/// <param name="FileName">The file being downloaded, e.g. train-images-idx3-ubyte.gz.</param>
/// <param name="Url">Where it is downloaded from.</param>
/// <param name="BytesReceived">Bytes received so far.</param>
/// <param name="TotalBytes">The announced length, or null when the server sent none.</param>
public readonly record struct FashionMnistDownloadProgress(string FileName, Uri Url, long BytesReceived, long? TotalBytes);

/// <summary>How <see cref="FashionMnist"/> finds, downloads and checks the dataset files.</summary>
public sealed class FashionMnistOptions
{
    /// <summary>Download the files into <see cref="CacheDirectory"/> when no copy is found (the last search step). Default true.</summary>
    public bool AllowDownload { get; set; } = true;

    /// <summary>Where the .gz files are downloaded from; file names are appended to it. Default <see cref="FashionMnist.OfficialDownloadUri"/>.</summary>
    public Uri DownloadBaseUri { get; set; } = FashionMnist.OfficialDownloadUri;

    /// <summary>
    /// The per-user cache searched before downloading and downloaded into. Null means the platform default:
    /// $XDG_CACHE_HOME/mlnetmlp/fashion-mnist or ~/.cache/mlnetmlp/fashion-mnist, and
    /// %LOCALAPPDATA%\mlnetmlp\fashion-mnist on Windows.
    /// </summary>
    public string? CacheDirectory { get; set; }

    /// <summary>
    /// Check the SHA-256 of located files' decompressed content against the official values while loading
    /// (a single extra pass over memory). Default true; turn off only to load a deliberately modified copy.
    /// Downloads are always checked, whatever this says.
    /// </summary>
    public bool VerifyChecksums { get; set; } = true;

    /// <summary>Gives up a file download after this long. Default 10 minutes.</summary>
    public TimeSpan DownloadTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Receives download progress, when a download happens.</summary>
    public IProgress<FashionMnistDownloadProgress>? DownloadProgress { get; set; }

    /// <summary>Expected SHA-256 by file base name, replacing <see cref="FashionMnist.OfficialSha256"/> (tests use small files).</summary>
    internal IReadOnlyDictionary<string, string>? ExpectedSha256 { get; set; }

    /// <summary>The process environment the search reads; tests substitute their own.</summary>
    internal FashionMnistSearchEnvironment? SearchEnvironment { get; set; }
}
