using System.Diagnostics;
using System.Globalization;
using MlNetMlp.Transforms;

namespace MlNetMlp.Cli;

/// <summary>
/// <c>mlnetmlp train --images DIR</c>: the MLP or the CNN on your own images (one subfolder per class), trained as one
/// ML.NET pipeline over the image paths (<see cref="ImageModel"/>), evaluated on held-out or separate test images, saved.
/// </summary>
internal static class TrainImages
{
    /// <summary>The <c>train</c> options of this data source.</summary>
    public sealed record Arguments(Option<string?> Images, Option<string?> TestImages, Option<float> TestFraction, Option<int> ImageSize, Option<bool> Color)
    {
        public Option[] All => [Images, TestImages, TestFraction, ImageSize, Color];
    }

    public static Arguments CreateOptions() => new(
        new Option<string?>("--images") { Description = "Train on your own images instead of Fashion-MNIST: a folder with one subfolder per class (JPEG, PNG, BMP, GIF or WebP files)." },
        new Option<string?>("--test-images") { Description = "With --images: test on this folder (laid out the same way) instead of a held-out share." },
        new Option<float>("--test-fraction") { Description = "With --images (no --test-images) or --dataset (no --test-dataset): the share held out for testing (stratified by class, drawn with --seed).", DefaultValueFactory = _ => 0.2f },
        new Option<int>("--image-size") { Description = "With --images: images are resized (stretched) to N×N pixels.", DefaultValueFactory = _ => FashionMnist.ImageWidth },
        new Option<bool>("--color") { Description = "With --images: keep the red, green and blue channels (default: grayscale)." });

    /// <summary>Whether <c>--images</c> was given; refuses its companion options without it, and Fashion-MNIST's options with it.</summary>
    public static bool Requested(ParseResult parse, Arguments a, params Option[] fashionMnistOnly)
    {
        bool images = parse.GetValue(a.Images) is not null;
        if (!images)
        {
            foreach (var option in a.All.Skip(1))
                if (parse.GetResult(option) is { Implicit: false })
                    throw new ArgumentOutOfRangeException(option.Name, $"{option.Name} applies to your own images: use it with --images DIR.");
            return false;
        }
        foreach (var option in fashionMnistOnly)
            if (parse.GetResult(option) is { Implicit: false })
                throw new ArgumentOutOfRangeException(option.Name, $"{option.Name} applies to Fashion-MNIST, not to --images.");
        int size = parse.GetValue(a.ImageSize);
        if (size is < 1 or > 4096)
            throw new ArgumentOutOfRangeException("--image-size", size, $"--image-size {size} must be from 1 to 4096 pixels.");
        float fraction = parse.GetValue(a.TestFraction);
        if (parse.GetValue(a.TestImages) is not null)
        {
            if (parse.GetResult(a.TestFraction) is { Implicit: false })
                throw new ArgumentOutOfRangeException("--test-fraction", "--test-fraction holds out part of --images; with --test-images give one or the other.");
        }
        else if (!(fraction > 0 && fraction < 1))
        {
            throw new ArgumentOutOfRangeException("--test-fraction", fraction,
                string.Create(CultureInfo.InvariantCulture, $"--test-fraction {fraction} must be above 0 and below 1 (or give --test-images)."));
        }
        return true;
    }

    /// <summary>Trains the MLP (options already validated) on the images; pixels normalized by <paramref name="normalization"/>.</summary>
    public static int RunMlp(ParseResult parse, Arguments a, MlpTrainer.Options options, PixelNormalizationMode normalization,
        string outputPath, bool json, CancellationToken cancellationToken)
    {
        var images = Prepare(parse, a, options.Seed ?? 1);
        var mlContext = new MLContext(seed: options.Seed);
        var train = ImageModel.Data(mlContext, images.Train);
        var test = ImageModel.Data(mlContext, images.Test);
        var transforms = ImageModel.Featurization(mlContext, images.Size, images.Color, normalization).Fit(train);
        var trainer = new MlpTrainer(mlContext, options);

        Terminal.Line($"training {TrainCommand.Describe(options).Replace("784-", $"{images.Features}-").Replace("-10 ", $"-{images.ClassNames.Count} ")} " +
            $"on {images.Train.Count:N0} images, {normalization} pixels");
        trainer.TrainingDiverged += (_, e) => Terminal.Line($"warning: {e.Message} Keeping the best finished epoch (--on-divergence keep-best).");
        return FitAndFinish(trainer, options, mlContext, transforms, images, train, test, outputPath, json, "mlp", cancellationToken);
    }

    /// <summary>Trains the CNN on the images: options from <see cref="TrainCnn.Options"/>, the image size from <c>--image-size</c>.</summary>
    public static int RunCnn(ParseResult parse, Arguments a, CnnTrainer.Options options, string outputPath, bool json, CancellationToken cancellationToken)
    {
        int size = parse.GetValue(a.ImageSize);
        options.ImageColumnName = ImageModel.PixelsColumn;
        options.ImageHeight = size;
        options.ImageWidth = size;
        CnnTrainer.Validate(options);
        OutputCheck.Training(outputPath, options.CheckpointDirectory, Training.TrainingCheckpoint.PathIn);

        var images = Prepare(parse, a, options.Seed ?? 1);
        var mlContext = new MLContext(seed: options.Seed);
        var train = ImageModel.Data(mlContext, images.Train);
        var test = ImageModel.Data(mlContext, images.Test);
        var transforms = ImageModel.Featurization(mlContext, images.Size, images.Color, mlpNormalization: null).Fit(train);
        var trainer = mlContext.MulticlassClassification.Trainers.Cnn(options);

        Terminal.Line($"training {TrainCnn.Describe(options)} on {images.Train.Count:N0} images of {images.Channels}×{size}×{size}");
        return FitAndFinish(trainer, options, mlContext, transforms, images, train, test, outputPath, json, "cnn", cancellationToken);
    }

    /// <summary>The images of one run, checked readable, split into training and test files.</summary>
    private sealed record Images(List<(string Path, string Label)> Train, List<(string Path, string Label)> Test, IReadOnlyList<string> ClassNames, int Size, bool Color)
    {
        public int Channels => Color ? 3 : 1;

        public int Features => Channels * Size * Size;
    }

    private static Images Prepare(ParseResult parse, Arguments a, int seed)
    {
        string directory = parse.GetValue(a.Images)!;
        var scan = ImageFolder.Scan(directory);
        List<(string Path, string Label)> train, test;
        if (parse.GetValue(a.TestImages) is string testDirectory)
        {
            // Test subfolders are matched to the training classes (loosely, as ImageFolder does); one matching none is refused.
            train = ImageFolderSplit.All(scan);
            test = ImageFolderSplit.All(ImageFolder.Scan(testDirectory, scan.ClassNames));
        }
        else
        {
            (train, test) = ImageFolderSplit.Stratified(scan, parse.GetValue(a.TestFraction), seed);
            if (test.Count == 0)
                throw new InvalidDataException($"{directory}: no class has two images, so --test-fraction holds none out for testing; add images or give --test-images.");
        }
        var missing = scan.ClassNames.Where(name => !train.Any(f => f.Label == name)).ToArray();
        if (missing.Length > 0)
            throw new InvalidDataException($"{directory}: class folder(s) {string.Join(", ", missing)} hold no image to train on.");
        var watch = Stopwatch.StartNew();
        ImageModel.CheckReadable([.. train.Select(f => f.Path), .. test.Select(f => f.Path)]);
        Terminal.Line(string.Create(CultureInfo.InvariantCulture,
            $"{scan.ClassNames.Count} classes ({string.Join(", ", scan.ClassNames)}); {train.Count:N0} training and {test.Count:N0} test images, all readable ({watch.Elapsed.TotalSeconds:F1} s)"));
        return new Images(train, test, scan.ClassNames, parse.GetValue(a.ImageSize), parse.GetValue(a.Color));
    }

    /// <summary>
    /// Fits <paramref name="trainer"/> (the checkpoint it resumes from announced, epochs shown as they end) on the featurized
    /// training images, then evaluates and saves the model as <see cref="Finish"/> does.
    /// </summary>
    private static int FitAndFinish<TModel, TOptions>(MulticlassNetworkTrainer<TModel, TOptions> trainer, TOptions options, MLContext mlContext,
        ITransformer transforms, Images images, IDataView train, IDataView test, string outputPath, bool json, string modelKind,
        CancellationToken cancellationToken)
        where TModel : NetworkModelParameters
        where TOptions : NetworkTrainerOptions
    {
        int epochsDone = CheckpointNotice.Announce(options.CheckpointDirectory, options.ResumeFromCheckpoint, options.CheckpointEveryEpochs, options.Epochs,
            Training.TrainingCheckpoint.PathIn, path => Training.TrainingCheckpoint.Load(path).EpochsDone);
        var stopwatch = Stopwatch.StartNew();
        var features = transforms.Transform(train);
        var network = EpochProgress.Run(handler => trainer.EpochCompleted += handler, options.Epochs, epochsDone,
            () => trainer.Fit(features, null, null, cancellationToken));
        double trainSeconds = stopwatch.Elapsed.TotalSeconds;
        TrainingWarnings.Print(network.Model.TrainingWarnings);
        return Finish(mlContext, transforms.Append(network), images, train, test, outputPath, json, trainSeconds, network.Model.History.Count, modelKind);
    }

    private static int Finish(MLContext mlContext, ITransformer scoring, Images images, IDataView train, IDataView test, string outputPath, bool json,
        double trainSeconds, int epochs, string modelKind)
    {
        var metrics = MetricsReport.Evaluate(mlContext, scoring, test, outputPath);
        var model = ImageModel.WithClassNames(mlContext, scoring, train);
        ModelFile.Save(mlContext, model, train.Schema, outputPath);
        Terminal.Line($"trained {epochs} epochs in {trainSeconds:F1} s; model saved to {outputPath} (input: image paths)");
        if (json)
        {
            var result = MetricsReport.Json(metrics);
            result["task"] = "multiclass";
            result["train_seconds"] = Math.Round(trainSeconds, 3);
            result["rows"] = images.Train.Count;
            result["test_rows"] = images.Test.Count;
            result["features"] = images.Features;
            result["classes"] = images.ClassNames;
            result["image_size"] = images.Size;
            result["color"] = images.Color;
            result["epochs"] = epochs;
            result["model_kind"] = modelKind;
            result["model"] = Path.GetFullPath(outputPath);
            Terminal.JsonLine(result);
        }
        return 0;
    }
}
