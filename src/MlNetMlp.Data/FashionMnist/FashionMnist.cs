using System.Collections.ObjectModel;
using Microsoft.ML;

namespace MlNetMlp.Data;

/// <summary>
/// The Fashion-MNIST dataset (Zalando Research): 28×28 grayscale clothing images in 10 classes,
/// white garment on a black background. Finds the official IDX files (see <see cref="Locate"/>),
/// downloads them when allowed, checks their checksums, and loads them as an <see cref="IDataView"/>
/// or as plain arrays.
/// </summary>
public static class FashionMnist
{
    /// <summary>The environment variable naming a directory that holds the files.</summary>
    public const string DirectoryEnvironmentVariable = "FASHION_MNIST_DIR";

    /// <summary>Where the Debian package dataset-fashion-mnist installs the files.</summary>
    public const string SystemDatasetDirectory = "/usr/share/datasets/fashion-mnist";

    public const int ImageHeight = 28;
    public const int ImageWidth = 28;

    /// <summary>The official download location (Zalando's S3 bucket); file names are appended to it.</summary>
    public static readonly Uri OfficialDownloadUri = new("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/");

    /// <summary>The class names, indexed by label 0..9.</summary>
    public static IReadOnlyList<string> ClassNames { get; } = new ReadOnlyCollection<string>(
    [
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    ]);

    /// <summary>
    /// SHA-256 of each file's decompressed content, by file name without .gz. Decompressed, so a copy
    /// recompressed by a packager (as Debian's is) verifies as well as the original download.
    /// </summary>
    public static IReadOnlyDictionary<string, string> OfficialSha256 { get; } = new ReadOnlyDictionary<string, string>(new Dictionary<string, string>
    {
        ["train-images-idx3-ubyte"] = "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
        ["train-labels-idx1-ubyte"] = "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
        ["t10k-images-idx3-ubyte"] = "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
        ["t10k-labels-idx1-ubyte"] = "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
    });

    /// <summary>The file names (without .gz) of a split's images and labels.</summary>
    public static (string Images, string Labels) FileBaseNames(FashionMnistSplit split) => split switch
    {
        FashionMnistSplit.Train => ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
        FashionMnistSplit.Test => ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
        _ => throw new ArgumentOutOfRangeException(nameof(split), split, "Unknown Fashion-MNIST split."),
    };

    /// <summary>
    /// Loads a split as an <see cref="IDataView"/> with columns Label (key type over uint with 10 values whose
    /// key values are <see cref="ClassNames"/>, so evaluation lists classes in label order and MapKeyToValue
    /// yields names) and Image (Single vector with dimensions 28×28, raw pixel values 0..255; normalize separately).
    /// </summary>
    /// <param name="mlContext">The ML.NET context.</param>
    /// <param name="split">Train (60,000 images) or Test (10,000).</param>
    /// <param name="dataDirectory">A directory holding the files; when given, no other place is searched.</param>
    /// <param name="maxRows">Keep only the first this many images.</param>
    /// <param name="options">Search, download and verification settings; null for the defaults.</param>
    /// <exception cref="FashionMnistNotFoundException">The files were not found and could not be downloaded.</exception>
    /// <exception cref="InvalidDataException">A file is corrupt, or its checksum differs from the official one.</exception>
    public static IDataView Load(MLContext mlContext, FashionMnistSplit split, string? dataDirectory = null, int? maxRows = null, FashionMnistOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        return LoadArrays(split, dataDirectory, maxRows, options).ToDataView();
    }

    /// <summary>Loads a split as plain arrays (the trainer's and benchmarks' fast path); same search and checks as <see cref="Load"/>.</summary>
    /// <inheritdoc cref="Load" path="/param[@name='split']|/param[@name='dataDirectory']|/param[@name='maxRows']|/param[@name='options']|/exception"/>
    public static LabeledImages LoadArrays(FashionMnistSplit split, string? dataDirectory = null, int? maxRows = null, FashionMnistOptions? options = null)
    {
        if (maxRows is < 0)
            throw new ArgumentOutOfRangeException(nameof(maxRows), maxRows, "maxRows must be zero or more.");
        options ??= new FashionMnistOptions();
        var files = Locate(split, dataDirectory, options);
        // A file that was just downloaded has been checked already.
        bool verify = options.VerifyChecksums && files.Source != FashionMnistSource.Download;
        var images = LoadFiles(files, verify, options);
        return maxRows is int max ? images.Take(max) : images;
    }

    /// <summary>
    /// Finds a split's files, searching in order: <paramref name="dataDirectory"/> (when given, the only place
    /// searched), the directory in the FASHION_MNIST_DIR environment variable (likewise the only place when set),
    /// data/fashion-mnist under the current directory and under each of its parents, /usr/share/datasets/fashion-mnist,
    /// the per-user cache (<see cref="FashionMnistOptions.CacheDirectory"/>), and finally a download into that cache
    /// when <see cref="FashionMnistOptions.AllowDownload"/>. Each file may be named with or without .gz. Only a
    /// download is checksummed here; located files are checked when loaded.
    /// </summary>
    /// <exception cref="FashionMnistNotFoundException">Nothing was found; the message lists each place and why it was rejected.</exception>
    public static FashionMnistFiles Locate(FashionMnistSplit split, string? dataDirectory = null, FashionMnistOptions? options = null)
    {
        _ = FileBaseNames(split); // rejects undefined enum values before any search
        return FashionMnistLocator.Locate(split, dataDirectory, options ?? new FashionMnistOptions());
    }

    /// <summary>The platform's per-user cache directory for the dataset (see <see cref="FashionMnistOptions.CacheDirectory"/>).</summary>
    public static string DefaultCacheDirectory => FashionMnistSearchEnvironment.Current.DefaultCacheDirectory;

    internal static string ExpectedSha256(string baseName, FashionMnistOptions options)
    {
        var table = options.ExpectedSha256 ?? OfficialSha256;
        return table.TryGetValue(baseName, out string? sha256)
            ? sha256
            : throw new InvalidOperationException($"No expected SHA-256 for {baseName}.");
    }

    private static LabeledImages LoadFiles(FashionMnistFiles files, bool verify, FashionMnistOptions options)
    {
        var (imagesName, labelsName) = FileBaseNames(files.Split);
        var (images, labels) = IdxReader.ReadPair(files.ImagesPath, files.LabelsPath, computeSha256: verify);
        // Load promises 28×28 images, checksums or not (a resized copy loaded with VerifyChecksums = false included).
        if (images.Rows != ImageHeight || images.Columns != ImageWidth)
            throw new InvalidDataException(
                $"{files.ImagesPath}: images of {images.Rows}×{images.Columns} pixels, but Fashion-MNIST images are {ImageHeight}×{ImageWidth}.");
        if (verify)
        {
            CheckSha256(files.ImagesPath, images.ContentSha256!, ExpectedSha256(imagesName, options));
            CheckSha256(files.LabelsPath, labels.ContentSha256!, ExpectedSha256(labelsName, options));
        }
        for (int i = 0; i < labels.Count; i++)
            if (labels.Labels[i] >= ClassNames.Count)
                throw new InvalidDataException(
                    $"{files.LabelsPath}: label {labels.Labels[i]} at index {i} is not a Fashion-MNIST class (0..{ClassNames.Count - 1}).");
        return new LabeledImages(images.Pixels, labels.Labels, images.Rows, images.Columns, ClassNames);
    }

    private static void CheckSha256(string path, string actual, string expected)
    {
        if (!string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase))
            throw new InvalidDataException(
                $"{path}: SHA-256 of the decompressed content is {actual}, but the official Fashion-MNIST file has {expected}. " +
                "The file is corrupt or not the official one: delete it so a good copy is found or downloaded, " +
                "or set FashionMnistOptions.VerifyChecksums = false to load a deliberately modified copy.");
    }
}
