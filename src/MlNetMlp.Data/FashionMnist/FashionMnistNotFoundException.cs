namespace MlNetMlp.Data;

/// <summary>
/// Thrown when the Fashion-MNIST files of a split are neither found nor downloadable. The message lists
/// every place searched, why each was rejected, and how to make the data available.
/// </summary>
public sealed class FashionMnistNotFoundException : FileNotFoundException
{
    public FashionMnistNotFoundException(FashionMnistSplit split, IReadOnlyList<string> placesSearched, Exception? innerException = null)
        : this(split, placesSearched, namedDirectory: false, innerException)
    {
    }

    /// <param name="split">The split looked for.</param>
    /// <param name="placesSearched">Each place with why it was rejected.</param>
    /// <param name="namedDirectory">The user named the only place to search (argument or FASHION_MNIST_DIR), so the advice is to fix that.</param>
    /// <param name="innerException">The download failure, if any.</param>
    internal FashionMnistNotFoundException(FashionMnistSplit split, IReadOnlyList<string> placesSearched, bool namedDirectory, Exception? innerException = null)
        : base(BuildMessage(split, placesSearched, namedDirectory), innerException)
    {
        Split = split;
        PlacesSearched = placesSearched;
    }

    public FashionMnistSplit Split { get; }

    /// <summary>Each place searched, in order, with why it was rejected ("place: reason").</summary>
    public IReadOnlyList<string> PlacesSearched { get; }

    private static string BuildMessage(FashionMnistSplit split, IReadOnlyList<string> placesSearched, bool namedDirectory)
    {
        ArgumentNullException.ThrowIfNull(placesSearched);
        var (images, labels) = FashionMnist.FileBaseNames(split);
        var lines = new List<string>
        {
            $"Fashion-MNIST {split.ToString().ToLowerInvariant()} files ({images}[.gz] and {labels}[.gz]) were not found. Places searched:",
        };
        for (int i = 0; i < placesSearched.Count; i++)
            lines.Add($"  {i + 1}. {placesSearched[i]}");
        if (namedDirectory)
        {
            lines.Add("A named directory is the only place searched: fix the path, put the files there (named with or without .gz),");
            lines.Add($"or name no directory (no --data, {FashionMnist.DirectoryEnvironmentVariable} unset) to search the usual places and download if needed.");
            return string.Join(Environment.NewLine, lines);
        }
        lines.Add("To fix, do one of:");
        lines.Add("  - pass the directory holding the files (--data DIR on the command line, dataDirectory in the API);");
        lines.Add($"  - set the environment variable {FashionMnist.DirectoryEnvironmentVariable}=DIR;");
        lines.Add("  - on Debian/Ubuntu: sudo apt-get install dataset-fashion-mnist (installs to /usr/share/datasets/fashion-mnist);");
        lines.Add($"  - allow the download (needs internet; {FashionMnist.OfficialDownloadUri}) into the per-user cache;");
        lines.Add("  - or copy the four files into data/fashion-mnist/ at the repository root.");
        return string.Join(Environment.NewLine, lines);
    }
}
