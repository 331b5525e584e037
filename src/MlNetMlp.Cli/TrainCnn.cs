using System.Diagnostics;

namespace MlNetMlp.Cli;

/// <summary>
/// <c>mlnetmlp train --model cnn</c>: the convolutional baseline on the raw 28×28 images (it scales pixels
/// itself), with the same output, model file, checkpoint/resume, streaming and <c>--json</c> contract as the MLP.
/// </summary>
internal static class TrainCnn
{
    /// <summary>The <c>train</c> options that also apply to the CNN.</summary>
    public sealed record Arguments(
        Option<string> Layers,
        Option<int> Epochs,
        Option<int> BatchSize,
        Option<float> LearningRate,
        Option<float> L2,
        Option<LearningRateSchedule> Schedule,
        Option<float> ValidationFraction,
        Option<int> Seed,
        Option<int?> Threads,
        Option<bool> RandomFlip,
        Option<int> RandomShift,
        Option<string?> CheckpointDirectory,
        Option<int> CheckpointEvery,
        Option<bool> Resume,
        Option<int> ShuffleBuffer,
        Option<Optimizer> Optimizer,
        Option<float> Momentum,
        Option<bool> Nesterov,
        Option<bool> EarlyStopping,
        Option<int> Patience,
        Option<string> OnDivergence);

    /// <summary>
    /// The CNN's options from the <c>train</c> command line (refusing MLP-only options), without the image size, which
    /// the caller sets from its data before <see cref="CnnTrainer.Validate"/>.
    /// </summary>
    public static CnnTrainer.Options Options(ParseResult parse, Arguments a, IEnumerable<Option> mlpOnly)
    {
        foreach (var option in mlpOnly)
            if (parse.GetResult(option) is { Implicit: false })
                throw new ArgumentOutOfRangeException(option.Name, $"{option.Name} applies to the MLP; with --model cnn describe the network with --layers.");

        // The MLP's defaults of the shared options (30 epochs, batch 200, …) are not the CNN's: take a value only
        // when it was given.
        var options = CliDefaults.CnnTrainerOptions();
        if (parse.GetResult(a.Layers) is { Implicit: false }) options.Layers = parse.GetValue(a.Layers)!;
        if (parse.GetResult(a.Epochs) is { Implicit: false }) options.Epochs = parse.GetValue(a.Epochs);
        if (parse.GetResult(a.BatchSize) is { Implicit: false }) options.BatchSize = parse.GetValue(a.BatchSize);
        if (parse.GetResult(a.LearningRate) is { Implicit: false }) options.LearningRate = parse.GetValue(a.LearningRate);
        if (parse.GetResult(a.L2) is { Implicit: false }) options.L2Regularization = parse.GetValue(a.L2);
        if (parse.GetResult(a.Schedule) is { Implicit: false }) options.LearningRateSchedule = parse.GetValue(a.Schedule);
        if (parse.GetResult(a.ValidationFraction) is { Implicit: false }) options.ValidationFraction = parse.GetValue(a.ValidationFraction);
        if (parse.GetResult(a.RandomFlip) is { Implicit: false }) options.RandomHorizontalFlip = parse.GetValue(a.RandomFlip);
        if (parse.GetResult(a.RandomShift) is { Implicit: false }) options.RandomShift = parse.GetValue(a.RandomShift);
        // The update rule, early stopping and the divergence policy are the shared training loop's: the same as the MLP's.
        if (parse.GetResult(a.Optimizer) is { Implicit: false }) options.Optimizer = parse.GetValue(a.Optimizer);
        if (parse.GetResult(a.Momentum) is { Implicit: false }) options.Momentum = parse.GetValue(a.Momentum);
        options.Nesterov = parse.GetValue(a.Nesterov);
        options.EarlyStopping = parse.GetValue(a.EarlyStopping);
        if (parse.GetResult(a.Patience) is { Implicit: false }) options.EarlyStoppingPatience = parse.GetValue(a.Patience);
        options.OnDivergence = parse.GetValue(a.OnDivergence) == "keep-best" ? DivergenceAction.KeepBest : DivergenceAction.Stop;
        options.Seed = parse.GetValue(a.Seed);
        options.NumberOfThreads = parse.GetValue(a.Threads);
        options.CheckpointDirectory = parse.GetValue(a.CheckpointDirectory);
        options.CheckpointEveryEpochs = parse.GetValue(a.CheckpointEvery);
        options.ResumeFromCheckpoint = parse.GetValue(a.Resume);
        options.ShuffleBufferSize = parse.GetValue(a.ShuffleBuffer);
        CheckpointNotice.RequireDirectoryToResume(options.ResumeFromCheckpoint, options.CheckpointDirectory);
        OutputCheck.NotEmpty("--checkpoint-dir", options.CheckpointDirectory, "checkpoint directory");
        return options;
    }

    public static int Run(ParseResult parse, Arguments a, IEnumerable<Option> mlpOnly, string? dataDirectory, int? trainRows,
        string outputPath, bool json, CancellationToken cancellationToken)
    {
        var options = Options(parse, a, mlpOnly);
        // Fashion-MNIST's image size, so that validation sizes the network (and refuses one too big) before loading the data.
        options.ImageHeight ??= FashionMnist.ImageHeight;
        options.ImageWidth ??= FashionMnist.ImageWidth;
        CnnTrainer.Validate(options);
        OutputCheck.Training(outputPath, options.CheckpointDirectory, Training.TrainingCheckpoint.PathIn);

        var mlContext = new MLContext(seed: options.Seed);
        var train = FashionMnist.Load(mlContext, FashionMnistSplit.Train, dataDirectory, trainRows);
        var test = FashionMnist.Load(mlContext, FashionMnistSplit.Test, dataDirectory);
        var trainer = mlContext.MulticlassClassification.Trainers.Cnn(options);

        Terminal.Line($"training {Describe(options)} on {train.GetRowCount():N0} rows");
        int epochsDone = CheckpointNotice.Announce(options.CheckpointDirectory, options.ResumeFromCheckpoint, options.CheckpointEveryEpochs, options.Epochs,
            Training.TrainingCheckpoint.PathIn, path => Training.TrainingCheckpoint.Load(path).EpochsDone);
        trainer.TrainingDiverged += (_, e) => Terminal.Line($"warning: {e.Message} Keeping the best finished epoch (--on-divergence keep-best).");
        var stopwatch = Stopwatch.StartNew();
        var model = EpochProgress.Run(handler => trainer.EpochCompleted += handler, options.Epochs, epochsDone, () => trainer.Fit(train, null, null, cancellationToken));
        double trainSeconds = stopwatch.Elapsed.TotalSeconds;
        TrainingWarnings.Print(model.Model.TrainingWarnings);

        var metrics = MetricsReport.Evaluate(mlContext, model, test, outputPath);
        ModelFile.Save(mlContext, model, train.Schema, outputPath);
        Terminal.Line($"trained {model.Model.History.Count} epochs in {trainSeconds:F1} s; model saved to {outputPath}");

        if (json)
        {
            var result = MetricsReport.Json(metrics);
            result["train_seconds"] = Math.Round(trainSeconds, 3);
            result["epochs"] = model.Model.History.Count;
            result["model_kind"] = "cnn";
            result["layers"] = model.Model.LayersText;
            result["parameters"] = model.Model.ParameterCount;
            result["model"] = Path.GetFullPath(outputPath);
            Terminal.JsonLine(result);
        }
        return 0;
    }

    internal static string Describe(CnnTrainer.Options o) =>
        FormattableString.Invariant($"CNN [{o.Layers}] Adam lr={o.LearningRate} batch={o.BatchSize} epochs={o.Epochs} l2={o.L2Regularization} schedule={o.LearningRateSchedule} flip={o.RandomHorizontalFlip} shift={o.RandomShift}");
}
