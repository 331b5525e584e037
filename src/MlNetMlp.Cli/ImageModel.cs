using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using MlNetMlp.Transforms;

namespace MlNetMlp.Cli;

/// <summary>
/// Models trained by <c>train --images</c>: whole ML.NET pipelines whose input is an image file's path, so the saved
/// model scores image paths in any program (<c>Model.Load</c> + a <c>PredictionEngine</c> over a class with string
/// <c>ImagePath</c> and <c>Label</c> properties). The pipeline: <c>MapValueToKey(Label)</c>, <c>LoadImagePixels</c>
/// (MlNetMlp.Data: decode, resize, grayscale or RGB planes, as ImageAnalytics' <c>LoadImages → ResizeImages →
/// ExtractPixels</c> would, see <see cref="ImagePixelLoadingTransformer"/> for why not those), for the MLP
/// <c>NormalizePixels</c> and <c>FlattenImage</c>, the trainer, and <c>MapKeyToValue(PredictedLabel)</c>, so the
/// prediction is the class name.
/// </summary>
internal static class ImageModel
{
    /// <summary>The input columns: the image file's path and its class name (the folder's name).</summary>
    public const string ImagePathColumn = "ImagePath", LabelColumn = "Label";

    /// <summary>The pixel vector LoadImagePixels writes: [channels, height, width], 0..255.</summary>
    public const string PixelsColumn = "Pixels";

    /// <summary>One input row: what a program that scores the saved model passes in.</summary>
    public sealed class Row
    {
        public string ImagePath { get; set; } = "";

        public string Label { get; set; } = "";
    }

    /// <summary>Whether a saved model reads image paths (a <c>train --images</c> model) rather than pixel vectors.</summary>
    public static bool ReadsImagePaths(DataViewSchema inputSchema) =>
        inputSchema.GetColumnOrNull(ImagePathColumn) is { Type: TextDataViewType };

    /// <summary>The rows of image files, with absolute paths so the model does not depend on the working directory.</summary>
    public static IDataView Data(MLContext mlContext, IEnumerable<(string Path, string Label)> files) =>
        mlContext.Data.LoadFromEnumerable(files.Select(f => new Row { ImagePath = Path.GetFullPath(f.Path), Label = f.Label }).ToList());

    /// <summary>
    /// The steps before the trainer: the label to a key (class names in ordinal order), then each image read, resized
    /// (stretched) to <paramref name="size"/>×<paramref name="size"/>, grayscale unless <paramref name="color"/>, as
    /// [channels, size, size] values 0..255 in <see cref="PixelsColumn"/>. With
    /// <paramref name="mlpNormalization"/> the pixels are then normalized and flattened into <c>Features</c> for the MLP;
    /// without it they stay an image for the CNN, which scales them itself.
    /// </summary>
    public static IEstimator<ITransformer> Featurization(MLContext mlContext, int size, bool color, PixelNormalizationMode? mlpNormalization)
    {
        IEstimator<ITransformer> steps = mlContext.Transforms.Conversion.MapValueToKey(LabelColumn, keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
            .Append(mlContext.Transforms.LoadImagePixels(PixelsColumn, ImagePathColumn, size, size, color));
        if (mlpNormalization is PixelNormalizationMode mode)
            steps = steps.Append(mlContext.Transforms.NormalizePixels(PixelsColumn, mode: mode))
                .Append(mlContext.Transforms.FlattenImage("Features", PixelsColumn));
        return steps;
    }

    /// <summary>
    /// The model that is saved: the scoring steps with the predicted key mapped back to the class name, as one flat
    /// chain (so <see cref="Scoring"/> finds the last step after a load).
    /// </summary>
    public static ITransformer WithClassNames(MLContext mlContext, ITransformer scoring, IDataView data)
    {
        var toName = mlContext.Transforms.Conversion.MapKeyToValue("PredictedLabel").Fit(scoring.Transform(data));
        return new TransformerChain<ITransformer>([.. Steps(scoring), toName]);
    }

    /// <summary>
    /// A saved image model without its final <c>MapKeyToValue</c>, so that <c>PredictedLabel</c> is the key ML.NET's
    /// evaluation reads; the model itself when it does not end so.
    /// </summary>
    public static ITransformer Scoring(ITransformer model)
    {
        var steps = Steps(model);
        return steps.Count > 1 && steps[^1] is KeyToValueMappingTransformer
            ? new TransformerChain<ITransformer>(steps.Take(steps.Count - 1).ToArray())
            : model;
    }

    private static List<ITransformer> Steps(ITransformer model) =>
        model is IEnumerable<ITransformer> chain ? chain.SelectMany(Steps).ToList() : [model];

    /// <summary>The model's classes, in key order: the key values of its <c>PredictedLabel</c> before they are mapped back.</summary>
    public static string[] ClassNames(ITransformer scoring, DataViewSchema inputSchema)
    {
        var predicted = scoring.GetOutputSchema(inputSchema)["PredictedLabel"];
        var names = default(VBuffer<ReadOnlyMemory<char>>);
        predicted.GetKeyValues(ref names);
        return names.DenseValues().Select(n => n.ToString()).ToArray();
    }

    /// <summary>
    /// Decodes every file once, <see cref="ImageFolder.ForEachFile"/> at a time, so a corrupt, unsupported or oversized
    /// image is refused with its path before any training (ImageAnalytics would fail on it in the middle of an epoch).
    /// </summary>
    public static void CheckReadable(IReadOnlyList<string> paths) =>
        ImageFolder.ForEachFile(paths, (_, path) => DecodedImage.Load(path));
}
