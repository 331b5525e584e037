using System.Runtime.ExceptionServices;
using Microsoft.ML;

namespace MlNetMlp.Data;

/// <summary>
/// Loads labeled images laid out one subfolder per class (directory/Sneaker/a.jpg, directory/Bag/b.png...) into the
/// schema of <see cref="FashionMnist.Load"/>: Label (key over the class names) and Image (height×width Single vector,
/// 0..255, grayscale). Files are decoded by SkiaSharp (<see cref="DecodedImage"/>): JPEG, PNG, BMP, GIF, WebP.
/// <para>
/// Fashion-MNIST images are a light garment on a black background (0 = background). Ordinary product photos are
/// the opposite, a darker object on a white background, and must be loaded with <c>invert: true</c> to look like
/// the training data; <see cref="DecodedImage.LooksDarkOnLight"/> tells which case an image is. Transparent pixels
/// always become background (black).
/// </para>
/// </summary>
public static class ImageFolder
{
    /// <summary>The file name extensions read as images (case ignored); other files in a class folder are ignored.</summary>
    public static IReadOnlyList<string> Extensions { get; } = [".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp"];

    /// <summary>Loads every image file (<see cref="Extensions"/>) of every class subfolder of <paramref name="directory"/>.</summary>
    /// <param name="mlContext">The ML.NET context.</param>
    /// <param name="directory">Holds one subfolder per class; subfolders starting with '.' and files without an image extension are ignored.</param>
    /// <param name="width">Images are resized (stretched) to this width.</param>
    /// <param name="height">Images are resized (stretched) to this height.</param>
    /// <param name="invert">Replace each value v by 255 − v, for dark objects on a light background (see the class remarks).</param>
    /// <param name="classNames">
    /// The label set, when it must match a model's (e.g. <see cref="FashionMnist.ClassNames"/>): each subfolder is
    /// matched to a name ignoring case and anything but letters and digits ("t-shirt_top" is "T-shirt/top"), and
    /// all of these names become the key values even without a folder. Null: the sorted subfolder names.
    /// </param>
    /// <exception cref="DirectoryNotFoundException"><paramref name="directory"/> does not exist.</exception>
    /// <exception cref="InvalidDataException">No class subfolder or no image, a subfolder matching no class name, or a corrupt or unsupported image (named).</exception>
    public static IDataView Load(MLContext mlContext, string directory, int width = 28, int height = 28, bool invert = false, IReadOnlyList<string>? classNames = null)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        var scan = Scan(directory, classNames);
        var files = scan.Files;

        int size = width * height;
        var pixels = new float[(long)files.Count * size];
        ForEachFile(files.Select(f => f.Path).ToArray(), (i, path) => LoadImage(path, width, height, invert).CopyTo(pixels, (long)i * size));
        return new ImageDataView<float>(pixels, files.Select(f => f.Label).ToArray(), height, width, scan.ClassNames);
    }

    /// <summary>
    /// The image files of a folder with one subfolder per class, without reading them: the class names (given, or the
    /// sorted subfolder names) and each file with its class index, classes in order and files by name within a class.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException"><paramref name="directory"/> does not exist.</exception>
    /// <exception cref="InvalidDataException">No class subfolder, no image file, or a subfolder matching none of <paramref name="classNames"/>.</exception>
    public static ImageFolderScan Scan(string directory, IReadOnlyList<string>? classNames = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"{directory}: image folder not found.");

        var folders = Directory.GetDirectories(directory)
            .Select(Path.GetFileName)
            .OfType<string>()
            .Where(name => !name.StartsWith('.'))
            .Order(StringComparer.Ordinal)
            .ToArray();
        if (folders.Length == 0)
            throw new InvalidDataException($"{directory}: no class subfolders; expected one subfolder per class, each holding image files ({DecodedImage.SupportedFormats}).");

        var names = classNames?.ToArray() ?? folders;
        var files = new List<(string Path, int Label)>();
        foreach (string folder in folders)
        {
            int label = classNames is null ? Array.IndexOf(folders, folder) : MatchClass(directory, folder, names);
            files.AddRange(Directory.GetFiles(Path.Combine(directory, folder))
                .Where(IsImageFile)
                .Order(StringComparer.Ordinal)
                .Select(path => (path, label)));
        }
        if (files.Count == 0)
            throw new InvalidDataException($"{directory}: no image files ({string.Join(", ", Extensions)}) in its class subfolders ({string.Join(", ", folders)}).");
        return new ImageFolderScan(names, files);
    }

    /// <summary>Whether <paramref name="path"/>'s extension is one of <see cref="Extensions"/>.</summary>
    public static bool IsImageFile(string path) =>
        Extensions.Contains(Path.GetExtension(path), StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Runs <paramref name="action"/> on every file, <see cref="DecodeParallelism"/> at a time; the first failure is
    /// rethrown as itself (naming its file), not wrapped in an <see cref="AggregateException"/>.
    /// </summary>
    internal static void ForEachFile(IReadOnlyList<string> paths, Action<int, string> action)
    {
        try
        {
            var parallel = new ParallelOptions { MaxDegreeOfParallelism = DecodeParallelism(TrainingMemory.AvailableBytes, Environment.ProcessorCount) };
            Parallel.For(0, paths.Count, parallel, i => action(i, paths[i]));
        }
        catch (AggregateException e)
        {
            ExceptionDispatchInfo.Throw(e.Flatten().InnerExceptions[0]);
        }
    }

    /// <summary>
    /// How many images <see cref="Load"/> decodes at once: one per core, but no more than half of
    /// <paramref name="availableBytes"/> can hold at the largest decode (<see cref="DecodedImage.MaxDecodeBytes"/>), so
    /// that a folder of huge images cannot multiply the memory one of them needs beyond what the machine has.
    /// </summary>
    internal static int DecodeParallelism(long availableBytes, int processors) =>
        (int)Math.Clamp(availableBytes / 2 / DecodedImage.MaxDecodeBytes, 1, Math.Max(1, processors));

    /// <summary>
    /// One image file as model input: decoded, converted to grayscale, optionally inverted, transparency made black,
    /// resized to <paramref name="width"/>×<paramref name="height"/>; row-major values 0..255, ready for an Image column.
    /// </summary>
    public static float[] LoadImage(string path, int width = 28, int height = 28, bool invert = false) =>
        DecodedImage.Load(path).ToLightOnBlack(width, height, invert);

    private static int MatchClass(string directory, string folder, string[] classNames)
    {
        string key = Normalize(folder);
        int index = Array.FindIndex(classNames, name => Normalize(name) == key);
        if (index < 0)
            throw new InvalidDataException(
                $"{Path.Combine(directory, folder)}: subfolder '{folder}' matches none of the class names ({string.Join(", ", classNames)}).");
        return index;
    }

    private static string Normalize(string name) =>
        new(name.Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant).ToArray());
}
