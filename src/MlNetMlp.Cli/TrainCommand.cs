using System.Diagnostics;
using System.Globalization;
using MlNetMlp.Transforms;
using Spectre.Console;

namespace MlNetMlp.Cli;

/// <summary><c>mlnetmlp train</c>: train on Fashion-MNIST, evaluate on the test split, save the model.</summary>
internal static class TrainCommand
{
    private static readonly MlpTrainer.Options Defaults = CliDefaults.TrainerOptions();

    public static Command Create()
    {
        var data = SharedOptions.Data();
        var json = SharedOptions.Json();
        var output = new Option<string>("--out", "-o") { Description = "Where to save the trained model (ML.NET zip).", DefaultValueFactory = _ => "model.zip" };
        var hidden = new Option<string>("--hidden") { Description = "Hidden layer widths, comma-separated; \"\" or 0 = softmax regression.", DefaultValueFactory = _ => string.Join(',', Defaults.HiddenLayers) };
        var activation = new Option<MlpActivation>("--activation") { Description = "Hidden-layer nonlinearity.", DefaultValueFactory = _ => Defaults.Activation };
        var cnn = CliDefaults.CnnTrainerOptions();
        var epochs = new Option<int>("--epochs") { Description = FormattableString.Invariant($"Passes over the training data (--model cnn: {cnn.Epochs})."), DefaultValueFactory = _ => Defaults.Epochs };
        var batch = new Option<int>("--batch-size") { Description = FormattableString.Invariant($"Rows per mini-batch (--model cnn: {cnn.BatchSize})."), DefaultValueFactory = _ => Defaults.BatchSize };
        var lr = new Option<float>("--lr", "--learning-rate") { Description = FormattableString.Invariant($"Initial learning rate (--model cnn: {cnn.LearningRate})."), DefaultValueFactory = _ => Defaults.LearningRate };
        var optimizer = new Option<Optimizer>("--optimizer") { Description = "Update rule.", DefaultValueFactory = _ => Defaults.Optimizer };
        var momentum = new Option<float>("--momentum") { Description = "Momentum factor (optimizer Momentum).", DefaultValueFactory = _ => Defaults.Momentum };
        var nesterov = new Option<bool>("--nesterov") { Description = "Nesterov momentum (with --optimizer Momentum)." };
        var l2 = new Option<float>("--l2") { Description = "L2 penalty λ on weights (PyTorch weight_decay).", DefaultValueFactory = _ => Defaults.L2Regularization };
        var dropout = new Option<float>("--dropout") { Description = "Dropout probability on hidden units.", DefaultValueFactory = _ => Defaults.Dropout };
        var schedule = new Option<LearningRateSchedule>("--schedule") { Description = "Learning-rate schedule.", DefaultValueFactory = _ => Defaults.LearningRateSchedule };
        var slope = new Option<float>("--leaky-slope") { Description = "LeakyReLU negative slope.", DefaultValueFactory = _ => Defaults.LeakyReluSlope };
        var validation = new Option<float>("--validation-fraction") { Description = "Fraction of training rows held out for validation.", DefaultValueFactory = _ => Defaults.ValidationFraction };
        var earlyStopping = new Option<bool>("--early-stopping") { Description = "Stop when validation loss stops improving (needs --validation-fraction above 0)." };
        var patience = new Option<int>("--patience") { Description = "Early-stopping patience in epochs.", DefaultValueFactory = _ => Defaults.EarlyStoppingPatience };
        var normalization = new Option<PixelNormalizationMode>("--normalization") { Description = "Pixel normalization: Scale (x/255) or Standardize.", DefaultValueFactory = _ => CliDefaults.Normalization };
        var seed = new Option<int>("--seed") { Description = "Random seed.", DefaultValueFactory = _ => 1 };
        var threads = new Option<int?>("--threads") { Description = "Threads for the kernels (default: all cores)." }.AtLeast(1);
        var trainRows = new Option<int?>("--train-rows") { Description = "Use only the first N training rows (quick runs)." }.AtLeast(1);
        var model = new Option<ModelKind>("--model") { Description = "Which network: mlp, or cnn (the convolutional baseline; reads the 28×28 image).", DefaultValueFactory = _ => ModelKind.Mlp };
        var randomFlip = new Option<bool>("--random-flip") { Description = "CNN: mirror training images left-right at random (RandomHorizontalFlip)." };
        var randomShift = new Option<int>("--random-shift") { Description = "CNN: translate training images by up to N pixels at random (RandomCrop with padding N); 0 = off." };
        var layers = new Option<string>("--layers") { Description = "CNN hidden layers (--model cnn), e.g. conv32,bn,relu,pool,flatten,dense128.", DefaultValueFactory = _ => CnnTrainer.DefaultLayers };
        var checkpointDirectory = new Option<string?>("--checkpoint-dir") { Description = "Save a checkpoint (weights, optimizer state, epoch, history) in this directory, atomically (MLP and CNN)." };
        var checkpointEvery = new Option<int>("--checkpoint-every") { Description = "Epochs between checkpoints.", DefaultValueFactory = _ => Defaults.CheckpointEveryEpochs };
        var resume = new Option<bool>("--resume") { Description = "Continue from the checkpoint in --checkpoint-dir (bit-identical to an uninterrupted run with the same options and --threads)." };
        var onDivergence = new Option<string>("--on-divergence") { Description = "When the loss becomes NaN/∞ or explodes (over 100× its start): stop (exit 2) or keep-best (save the best finished epoch).", DefaultValueFactory = _ => "stop" };
        onDivergence.AcceptOnlyFromAmong("stop", "keep-best");
        var images = TrainImages.CreateOptions();
        var shuffleBuffer = new Option<int>("--shuffle-buffer") { Description = "Stream the training rows every epoch through a shuffle buffer of N rows instead of holding them in memory (0 = in memory).", DefaultValueFactory = _ => Defaults.ShuffleBufferSize };

        var command = new Command("train", "Train an MLP (or --model cnn) on Fashion-MNIST, your own images (--images DIR) or a CSV/TSV table (--dataset FILE --label COLUMN), report ML.NET test metrics, save the model.")
        {
            data, output, hidden, activation, epochs, batch, lr, optimizer, momentum, nesterov, l2, dropout, schedule, slope,
            validation, earlyStopping, patience, normalization, seed, threads, trainRows, checkpointDirectory, checkpointEvery, resume,
            onDivergence, shuffleBuffer, model, layers, randomFlip, randomShift, json,
        };
        foreach (var option in images.All) command.Options.Add(option);
        var table = new Tables.TableTrainOptions();
        foreach (var option in table.All) command.Options.Add(option);
        command.SetAction((parse, cancellationToken) =>
        {
            if (parse.GetValue(table.Table.Dataset) is not null) return Task.FromResult(Tables.TableTraining.Run(parse, table, cancellationToken));
            table.Table.RequireDatasetFor(parse, table.TrainOnly);
            bool ownImages = TrainImages.Requested(parse, images, data, trainRows);
            if (parse.GetValue(model) == ModelKind.Cnn)
            {
                Option[] mlpOnly = [hidden, activation, dropout, slope, normalization];
                var cnnArguments = new TrainCnn.Arguments(layers, epochs, batch, lr, l2, schedule, validation, seed, threads, randomFlip, randomShift,
                    checkpointDirectory, checkpointEvery, resume, shuffleBuffer, optimizer, momentum, nesterov, earlyStopping, patience, onDivergence);
                if (ownImages)
                    return Task.FromResult(TrainImages.RunCnn(parse, images, TrainCnn.Options(parse, cnnArguments, mlpOnly), parse.GetValue(output)!,
                        parse.GetValue(json), cancellationToken));
                return Task.FromResult(TrainCnn.Run(parse, cnnArguments, mlpOnly, parse.GetValue(data), parse.GetValue(trainRows), parse.GetValue(output)!,
                    parse.GetValue(json), cancellationToken));
            }
            foreach (var cnnOnly in new Option[] { layers, randomFlip, randomShift })
                if (parse.GetResult(cnnOnly) is { Implicit: false })
                    throw new ArgumentOutOfRangeException(cnnOnly.Name, $"{cnnOnly.Name} applies to the CNN: use it with --model cnn.");
            var options = CliDefaults.TrainerOptions();
            options.HiddenLayers = ParseLayers(parse.GetValue(hidden)!);
            options.Activation = parse.GetValue(activation);
            options.Epochs = parse.GetValue(epochs);
            options.BatchSize = parse.GetValue(batch);
            options.LearningRate = parse.GetValue(lr);
            options.Optimizer = parse.GetValue(optimizer);
            options.Momentum = parse.GetValue(momentum);
            options.Nesterov = parse.GetValue(nesterov);
            options.L2Regularization = parse.GetValue(l2);
            options.Dropout = parse.GetValue(dropout);
            options.LearningRateSchedule = parse.GetValue(schedule);
            options.LeakyReluSlope = parse.GetValue(slope);
            options.ValidationFraction = parse.GetValue(validation);
            options.EarlyStopping = parse.GetValue(earlyStopping);
            options.EarlyStoppingPatience = parse.GetValue(patience);
            options.Seed = parse.GetValue(seed);
            options.NumberOfThreads = parse.GetValue(threads);
            options.CheckpointDirectory = parse.GetValue(checkpointDirectory);
            options.CheckpointEveryEpochs = parse.GetValue(checkpointEvery);
            options.ResumeFromCheckpoint = parse.GetValue(resume);
            options.ShuffleBufferSize = parse.GetValue(shuffleBuffer);
            options.OnDivergence = parse.GetValue(onDivergence) == "keep-best" ? DivergenceAction.KeepBest : DivergenceAction.Stop;
            CheckMlpOptions(options, parse.GetValue(output)!);
            if (ownImages)
                return Task.FromResult(TrainImages.RunMlp(parse, images, options, parse.GetValue(normalization), parse.GetValue(output)!,
                    parse.GetValue(json), cancellationToken));
            return Task.FromResult(Run(options, parse.GetValue(normalization), parse.GetValue(data), parse.GetValue(trainRows),
                parse.GetValue(output)!, parse.GetValue(json), cancellationToken));
        });
        CodeGeneration.EmitCodeOption.AddTo(command, output);
        return command;
    }

    internal static int[] ParseLayers(string text)
    {
        var parts = text.Split([',', ' ', 'x'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts is ["0"]) return [];
        return parts.Select(p => int.TryParse(p, NumberStyles.Integer, CultureInfo.InvariantCulture, out var width)
            ? width
            : throw new ArgumentOutOfRangeException("--hidden", p, $"--hidden takes comma-separated layer widths such as 256,128, but '{p}' is not a whole number.")).ToArray();
    }

    private static int Run(MlpTrainer.Options options, PixelNormalizationMode normalization, string? dataDirectory, int? trainRows,
        string outputPath, bool json, CancellationToken cancellationToken)
    {
        var mlContext = new MLContext(seed: options.Seed);
        var train = FashionMnist.Load(mlContext, FashionMnistSplit.Train, dataDirectory, trainRows);
        var test = FashionMnist.Load(mlContext, FashionMnistSplit.Test, dataDirectory);

        // Fit the (cheap) pixel transforms, then the trainer with the Ctrl+C token, and chain them.
        var transforms = mlContext.Transforms.NormalizePixels("Image", mode: normalization)
            .Append(mlContext.Transforms.FlattenImage("Features", "Image"))
            .Fit(train);
        var features = transforms.Transform(train);
        var trainer = new MlpTrainer(mlContext, options);

        Terminal.Line($"training {Describe(options)} on {train.GetRowCount():N0} rows, {normalization} pixels");
        int epochsDone = CheckpointNotice.Announce(options.CheckpointDirectory, options.ResumeFromCheckpoint, options.CheckpointEveryEpochs, options.Epochs,
            Training.TrainingCheckpoint.PathIn, path => Training.TrainingCheckpoint.Load(path).EpochsDone);
        TrainingDivergedException? diverged = null;
        trainer.TrainingDiverged += (_, e) =>
        {
            diverged = e;
            Terminal.Line($"warning: {e.Message} Keeping the best finished epoch (--on-divergence keep-best).");
        };
        var stopwatch = Stopwatch.StartNew();
        var mlpTransformer = EpochProgress.Run(handler => trainer.EpochCompleted += handler, options.Epochs, epochsDone, () => trainer.Fit(features, null, null, cancellationToken));
        double trainSeconds = stopwatch.Elapsed.TotalSeconds;
        TrainingWarnings.Print(mlpTransformer.Model.TrainingWarnings);
        var model = transforms.Append(mlpTransformer);

        var metrics = MetricsReport.Evaluate(mlContext, model, test, outputPath);
        ModelFile.Save(mlContext, model, train.Schema, outputPath);
        var mlp = model.LastTransformer.Model;
        Terminal.Line($"trained {mlp.History.Count} epochs in {trainSeconds:F1} s; model saved to {outputPath}");

        if (json)
        {
            var result = MetricsReport.Json(metrics);
            result["train_seconds"] = Math.Round(trainSeconds, 3);
            result["epochs"] = mlp.History.Count;
            result["hidden_layers"] = mlp.HiddenLayers;
            result["activation"] = mlp.Activation.ToString();
            result["parameters"] = mlp.ParameterCount;
            result["model"] = Path.GetFullPath(outputPath);
            MetricsReport.AddDivergence(result, diverged);
            Terminal.JsonLine(result);
        }
        return 0;
    }

    /// <summary>
    /// The MLP options' checks that name the CLI options as typed, then the trainer's own and the outputs', all before any
    /// data is read (the trainer refuses the same combinations too, naming its options).
    /// </summary>
    internal static void CheckMlpOptions(MlpTrainer.Options options, string output)
    {
        CheckpointNotice.RequireDirectoryToResume(options.ResumeFromCheckpoint, options.CheckpointDirectory);
        if (options.Nesterov && options.Optimizer != Optimizer.Momentum)
            throw new ArgumentOutOfRangeException("--nesterov", $"--nesterov applies to --optimizer Momentum only, not to {options.Optimizer}.");
        if (options.EarlyStopping && options.ValidationFraction == 0)
            throw new ArgumentOutOfRangeException("--early-stopping", "--early-stopping watches the validation loss: give --validation-fraction above 0.");
        OutputCheck.NotEmpty("--checkpoint-dir", options.CheckpointDirectory, "checkpoint directory");
        MlpTrainer.Validate(options);
        OutputCheck.Training(output, options.CheckpointDirectory, Training.TrainingCheckpoint.PathIn);
    }

    internal static string Describe(MlpTrainer.Options o) =>
        $"784-{string.Concat(o.HiddenLayers.Select(h => $"{h}-"))}10 {o.Activation} {o.Optimizer} lr={o.LearningRate.ToString(CultureInfo.InvariantCulture)} " +
        $"batch={o.BatchSize} epochs={o.Epochs} l2={o.L2Regularization.ToString(CultureInfo.InvariantCulture)} dropout={o.Dropout.ToString(CultureInfo.InvariantCulture)} schedule={o.LearningRateSchedule}";
}

/// <summary>The networks <c>mlnetmlp train --model</c> can train.</summary>
internal enum ModelKind
{
    Mlp,
    Cnn,
}

/// <summary>Options several commands share.</summary>
internal static class SharedOptions
{
    public static Option<string?> Data() => new("--data") { Description = "Directory with the Fashion-MNIST IDX files (default: FASHION_MNIST_DIR, data/fashion-mnist, /usr/share/datasets/fashion-mnist, cache, download)." };

    public static Option<bool> Json() => new("--json") { Description = "End stdout with one JSON object of the results." };
}

/// <summary>A per-epoch progress bar in a terminal, one plain line per epoch otherwise.</summary>
internal static class EpochProgress
{
    /// <param name="subscribe">Attaches a handler to the trainer's EpochCompleted event.</param>
    /// <param name="epochsDone">Epochs already done (a resumed run) where the bar starts.</param>
    public static T Run<T>(Action<EventHandler<EpochRecord>> subscribe, int epochs, int epochsDone, Func<T> fit)
    {
        if (!Terminal.IsInteractive)
        {
            subscribe((_, e) => Console.WriteLine(Format(e, epochs)));
            return fit();
        }
        T result = default!;
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                var task = context.AddTask("training", maxValue: epochs);
                task.Value = epochsDone;
                subscribe((_, e) =>
                {
                    task.Description = Markup.Escape(Format(e, epochs));
                    task.Increment(1);
                });
                result = fit();
                task.Value = task.MaxValue;
            });
        return result;
    }

    private static string Format(EpochRecord e, int epochs)
    {
        string validation = e.ValidationAccuracy is double v ? FormattableString.Invariant($" val_acc {v:F4}") : "";
        return FormattableString.Invariant($"epoch {e.Epoch}/{epochs} loss {e.TrainLoss:F4} train_acc {e.TrainAccuracy:F4}{validation} lr {e.LearningRate:G3} {e.Elapsed.TotalSeconds:F1}s");
    }
}
