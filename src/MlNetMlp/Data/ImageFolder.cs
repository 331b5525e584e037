using System.Runtime.ExceptionServices;
using Microsoft.ML;

namespace MlNetMlp.Data;

/// <summary>
/// Loads labeled PNG images laid out one subfolder per class (directory/Sneaker/a.png, directory/Bag/b.png...)
/// into the schema of <see cref="FashionMnist.Load"/>: Label (key over the class names) and Image
/// (height×width Single vector, 0..255).
/// <para>
/// Fashion-MNIST images are a light garment on a black background (0 = background). Ordinary product photos are
/// the opposite, a darker object on a white background, and must be loaded with <c>invert: true</c> to look like
/// the training data; <see cref="PngImage.LooksDarkOnLight"/> tells which case an image is. Transparent pixels
/// always become background (black).
/// </para>
/// </summary>
public static class ImageFolder
{
    /// <summary>Loads every .png file of every class subfolder of <paramref name="directory"/>.</summary>
    /// <param name="mlContext">The ML.NET context.</param>
    /// <param name="directory">Holds one subfolder per class; subfolders starting with '.' and files not ending in .png are ignored.</param>
    /// <param name="width">Images are resized (stretched) to this width.</param>
    /// <param name="height">Images are resized (stretched) to this height.</param>
    /// <param name="invert">Replace each value v by 255 − v, for dark objects on a light background (see the class remarks).</param>
    /// <param name="classNames">
    /// The label set, when it must match a model's (e.g. <see cref="FashionMnist.ClassNames"/>): each subfolder is
    /// matched to a name ignoring case and anything but letters and digits ("t-shirt_top" is "T-shirt/top"), and
    /// all of these names become the key values even without a folder. Null: the sorted subfolder names.
    /// </param>
    /// <exception cref="DirectoryNotFoundException"><paramref name="directory"/> does not exist.</exception>
    /// <exception cref="InvalidDataException">No class subfolder or no image, a subfolder matching no class name, or a corrupt PNG (named).</exception>
    public static IDataView Load(MLContext mlContext, string directory, int width = 28, int height = 28, bool invert = false, IReadOnlyList<string>? classNames = null)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"{directory}: image folder not found.");

        var folders = Directory.GetDirectories(directory)
            .Select(Path.GetFileName)
            .OfType<string>()
            .Where(name => !name.StartsWith('.'))
            .Order(StringComparer.Ordinal)
            .ToArray();
        if (folders.Length == 0)
            throw new InvalidDataException($"{directory}: no class subfolders; expected one subfolder per class, each holding PNG files.");

        var names = classNames?.ToArray() ?? folders;
        var files = new List<(string Path, int Label)>();
        foreach (string folder in folders)
        {
            int label = classNames is null ? Array.IndexOf(folders, folder) : MatchClass(directory, folder, names);
            files.AddRange(Directory.GetFiles(Path.Combine(directory, folder))
                .Where(path => path.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
                .Order(StringComparer.Ordinal)
                .Select(path => (path, label)));
        }
        if (files.Count == 0)
            throw new InvalidDataException($"{directory}: no .png files in its class subfolders ({string.Join(", ", folders)}).");

        int size = width * height;
        var pixels = new float[(long)files.Count * size];
        try
        {
            var parallel = new ParallelOptions { MaxDegreeOfParallelism = DecodeParallelism(TrainingMemory.AvailableBytes, Environment.ProcessorCount) };
            Parallel.For(0, files.Count, parallel, i => LoadImage(files[i].Path, width, height, invert).CopyTo(pixels, (long)i * size));
        }
        catch (AggregateException e)
        {
            // Report the first bad file as itself, not wrapped.
            ExceptionDispatchInfo.Throw(e.Flatten().InnerExceptions[0]);
        }
        return new ImageDataView<float>(pixels, files.Select(f => f.Label).ToArray(), height, width, names);
    }

    /// <summary>
    /// How many images <see cref="Load"/> decodes at once: one per core, but no more than half of
    /// <paramref name="availableBytes"/> can hold at the largest decode (<see cref="PngDecoder.MaxDecodeBytes"/>), so
    /// that a folder of huge images cannot multiply the memory one of them needs beyond what the machine has.
    /// </summary>
    internal static int DecodeParallelism(long availableBytes, int processors) =>
        (int)Math.Clamp(availableBytes / 2 / PngDecoder.MaxDecodeBytes, 1, Math.Max(1, processors));

    /// <summary>
    /// One PNG file as model input: decoded to grayscale, optionally inverted, transparency made black, then
    /// resized to <paramref name="width"/>×<paramref name="height"/>; row-major values 0..255, ready for an Image column.
    /// </summary>
    public static float[] LoadImage(string path, int width = 28, int height = 28, bool invert = false)
    {
        var image = PngDecoder.Load(path);
        // Composite before resizing, so transparent pixels' arbitrary colors do not bleed into edges.
        return ImageResizer.Resize(image.ToLightOnBlack(invert), image.Width, image.Height, width, height);
    }

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
