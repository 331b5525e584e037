
namespace MlNetMlp.Cli;

/// <summary><c>mlnetmlp evaluate model.zip --images DIR</c>: ML.NET metrics of a <c>train --images</c> model on a folder of images.</summary>
internal static class EvaluateImages
{
    public static Option<string?> CreateOption() =>
        new("--images") { Description = "Evaluate a model trained with 'train --images' on this folder (one subfolder per class) instead of Fashion-MNIST." };

    /// <summary>
    /// Refuses a mismatch between the model's input and the data asked for, and says whether this is an image-folder
    /// evaluation (true: run <see cref="Run"/>).
    /// </summary>
    public static bool Requested(string modelPath, DataViewSchema inputSchema, string? imagesDirectory)
    {
        bool readsPaths = ImageModel.ReadsImagePaths(inputSchema);
        if (imagesDirectory is not null && !readsPaths)
            throw new ArgumentOutOfRangeException("--images",
                $"--images: model file '{modelPath}' reads pixel vectors, not image files (it was not trained with --images); evaluate it without --images.");
        if (imagesDirectory is null && readsPaths)
            throw new ArgumentOutOfRangeException("--images",
                $"Model file '{modelPath}' scores image files (trained with --images): give the test images with --images DIR.");
        return readsPaths;
    }

    public static int Run(MLContext mlContext, ITransformer model, DataViewSchema inputSchema, string modelPath, string directory, bool json)
    {
        var scoring = ImageModel.Scoring(model);
        var classNames = ImageModel.ClassNames(scoring, inputSchema);
        // Subfolders are matched to the model's classes (loosely, as ImageFolder does); one matching none is refused, named.
        var scan = ImageFolder.Scan(directory, classNames);
        var files = ImageFolderSplit.All(scan);
        ImageModel.CheckReadable(files.Select(f => f.Path).ToList());
        var data = ImageModel.Data(mlContext, files);
        var evaluation = ClassifierEvaluation.Evaluate(mlContext, scoring, data, $"Model file '{modelPath}'");
        MetricsReport.Print(evaluation.Metrics, evaluation.ClassNames);
        if (json)
        {
            var result = MetricsReport.Json(evaluation.Metrics);
            result["task"] = "multiclass";
            result["rows"] = files.Count;
            result["features"] = FeatureCount(scoring, data.Schema);
            Terminal.JsonLine(result);
        }
        return 0;
    }

    /// <summary>Values per image the network reads: the size of the pixel vector the model's image step writes.</summary>
    private static int FeatureCount(ITransformer scoring, DataViewSchema dataSchema) =>
        scoring.GetOutputSchema(dataSchema).GetColumnOrNull(ImageModel.PixelsColumn)?.Type is Microsoft.ML.Data.VectorDataViewType vector ? vector.Size : 0;
}
