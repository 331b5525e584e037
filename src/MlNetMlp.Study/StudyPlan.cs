using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetMlp.Data;
using MlNetMlp.Transforms;

namespace MlNetMlp.Study;

/// <summary>Receives the study's progress (on the calling thread).</summary>
public interface IStudyProgress
{
    /// <summary>Experiment <paramref name="index"/> (0-based) of <paramref name="total"/> starts.</summary>
    void ExperimentStarted(int index, int total, StudyExperiment experiment);

    /// <summary>A training run inside the current experiment starts (<paramref name="epochs"/> = null: no epochs to count).</summary>
    void RunStarted(string description, int? epochs);

    /// <summary>An epoch of the current run ended.</summary>
    void Epoch(EpochRecord record);

    /// <summary>An experiment ended.</summary>
    void ExperimentFinished(int index, int total, ExperimentResult result);
}

/// <summary>One experiment of the study: an id (keys the published numbers), a title, and how to run it.</summary>
public sealed class StudyExperiment(string id, string title, string kind, Func<StudyContext, ExperimentResult> run)
{
    public string Id { get; } = NotBlank(id);

    public string Title { get; } = title;

    /// <summary>"reproduction", "ours", "cnn" or "baseline".</summary>
    public string Kind { get; } = kind;

    public Func<StudyContext, ExperimentResult> Run { get; } = run ?? throw new ArgumentNullException(nameof(run));

    /// <summary>
    /// An experiment that fits NormalizePixels(Scale) → FlattenImage → <paramref name="trainer"/> (an ML.NET trainer
    /// reading "Features" and "Label") and evaluates it like the others; the study's way to add baselines.
    /// </summary>
    public static StudyExperiment MlNetBaseline(string id, string title, string configuration, string trainerName,
        Func<StudyContext, IEstimator<ITransformer>> trainer) =>
        new(id, title, "baseline", context => context.RunMlNetTrainer(id, title, configuration, trainerName, trainer(context)));

    private static string NotBlank(string id)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        return id;
    }
}

/// <summary>What an experiment can use: the data (raw and as views), settings, progress and cancellation.</summary>
public sealed class StudyContext
{
    internal StudyContext(StudySettings settings, LabeledImages train, LabeledImages test, int[] curveRows, IStudyProgress? progress, CancellationToken cancellationToken)
    {
        Settings = settings;
        Train = train;
        Test = test;
        MLContext = new MLContext(seed: settings.Seed);
        TrainView = train.ToDataView();
        TestView = test.ToDataView();
        CurveRows = curveRows;
        CurveView = test.Subset(curveRows).ToDataView();
        Progress = progress;
        CancellationToken = cancellationToken;
    }

    public StudySettings Settings { get; }

    public MLContext MLContext { get; }

    public LabeledImages Train { get; }

    public LabeledImages Test { get; }

    /// <summary>Training rows: Label (key) and Image (28×28, raw 0..255).</summary>
    public IDataView TrainView { get; }

    /// <summary>Test rows, same columns.</summary>
    public IDataView TestView { get; }

    /// <summary>Indices (into <see cref="Test"/>) of the test rows used for learning curves only.</summary>
    public int[] CurveRows { get; }

    /// <summary>Those rows as a view.</summary>
    public IDataView CurveView { get; }

    public IStudyProgress? Progress { get; }

    public CancellationToken CancellationToken { get; }

    /// <summary>λ chosen by the L2 experiment on its validation split (the tuned MLP reuses it); null before.</summary>
    public float? ChosenL2 { get; internal set; }

    /// <summary>Kernel threads for one training run.</summary>
    public int? Threads => Settings.Threads;

    /// <summary>Fits and evaluates an ML.NET trainer on x/255 pixels (see <see cref="StudyExperiment.MlNetBaseline"/>).</summary>
    public ExperimentResult RunMlNetTrainer(string id, string title, string configuration, string trainerName, IEstimator<ITransformer> trainer)
    {
        Progress?.RunStarted($"{title}: training on {Train.Count:N0} rows", null);
        var pipeline = MLContext.Transforms.NormalizePixels("Image")
            .Append(MLContext.Transforms.FlattenImage("Features", "Image"))
            .AppendCacheCheckpoint(MLContext)
            .Append(trainer);
        var stopwatch = Stopwatch.StartNew();
        var model = pipeline.Fit(TrainView);
        double seconds = stopwatch.Elapsed.TotalSeconds;
        CancellationToken.ThrowIfCancellationRequested();
        return Evaluate(model, TestView, new ExperimentResult
        {
            Id = id,
            Title = title,
            Configuration = configuration,
            Kind = "baseline",
            TrainSeconds = seconds,
            Published = PublishedResults.ByExperiment.GetValueOrDefault(id),
            Protocol = new ExperimentProtocol { Trainer = trainerName, Pixels = "x/255", TrainRows = Train.Count, TestRows = Test.Count },
        });
    }

    /// <summary>
    /// Trains an MLP with <paramref name="options"/> on pixels normalized with <paramref name="normalization"/> (null = raw),
    /// monitoring the curve rows, and evaluates it on the test rows. Divergence is a result, not an error.
    /// </summary>
    public ExperimentResult RunMlp(string id, string title, string kind, MlpTrainer.Options options, PixelNormalizationMode? normalization,
        IReadOnlyList<string>? notes = null, double? selectionSeconds = null)
    {
        options.Seed ??= Settings.Seed;
        options.NumberOfThreads ??= Threads;
        options.MonitoringSubsetSize = Settings.MonitoringSubsetSize;
        var transforms = Preprocessing(normalization).Fit(TrainView);
        var history = new List<EpochRecord>();
        var trainer = new MlpTrainer(MLContext, options);
        trainer.EpochCompleted += (_, e) =>
        {
            history.Add(e);
            Progress?.Epoch(e);
        };
        var protocol = MlpProtocol(options, normalization);
        var result = new ExperimentResult
        {
            Id = id,
            Title = title,
            Configuration = Configuration(options, normalization),
            Kind = kind,
            Published = PublishedResults.ByExperiment.GetValueOrDefault(id),
            History = history,
            Notes = notes ?? [],
            SelectionSeconds = selectionSeconds,
        };
        Progress?.RunStarted($"{title}: {options.Epochs} epochs on {Train.Count:N0} rows", options.Epochs);
        var stopwatch = Stopwatch.StartNew();
        MulticlassNetworkTransformer<MlpModelParameters> mlp;
        try
        {
            mlp = trainer.Fit(transforms.Transform(TrainView), transforms.Transform(CurveView), null, CancellationToken);
        }
        catch (TrainingDivergedException e)
        {
            return result with
            {
                Status = ExperimentStatus.Diverged, TrainSeconds = stopwatch.Elapsed.TotalSeconds, Protocol = protocol with { EpochsRun = history.Count },
                Message = e.Message,
            };
        }
        double seconds = stopwatch.Elapsed.TotalSeconds;
        var model = transforms.Append(mlp);
        return Evaluate(model, TestView, result with
        {
            Status = ExperimentStatus.Completed, TrainSeconds = seconds, Protocol = protocol with { EpochsRun = history.Count },
        });
    }

    /// <summary>Fits an MLP on <paramref name="train"/> rows and returns its accuracy on <paramref name="validation"/> rows (no test rows involved).</summary>
    internal double ValidationAccuracy(MlpTrainer.Options options, PixelNormalizationMode normalization, LabeledImages train, LabeledImages validation)
    {
        options.Seed ??= Settings.Seed;
        options.NumberOfThreads ??= Threads;
        options.MonitoringSubsetSize = Settings.MonitoringSubsetSize;
        var trainView = train.ToDataView();
        var transforms = Preprocessing(normalization).Fit(trainView);
        var trainer = new MlpTrainer(MLContext, options);
        trainer.EpochCompleted += (_, e) => Progress?.Epoch(e);
        var model = transforms.Append(trainer.Fit(transforms.Transform(trainView), null, null, CancellationToken));
        return ClassifierEvaluation.Evaluate(MLContext, model, validation.ToDataView(), "The model trained for validation").Metrics.MicroAccuracy;
    }

    internal IEstimator<ITransformer> Preprocessing(PixelNormalizationMode? normalization) => normalization is PixelNormalizationMode mode
        ? MLContext.Transforms.NormalizePixels("Image", mode: mode).Append(MLContext.Transforms.FlattenImage("Features", "Image"))
        : MLContext.Transforms.FlattenImage("Features", "Image");

    /// <summary>Evaluates <paramref name="model"/> on <paramref name="test"/> and fills metrics and predictions into a copy of <paramref name="result"/>.</summary>
    /// <exception cref="InvalidDataException"><paramref name="test"/> has other classes than the model, or the model gives NaN or infinite scores.</exception>
    public ExperimentResult Evaluate(ITransformer model, IDataView test, ExperimentResult result)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(result);
        var (metrics, _, scored) = ClassifierEvaluation.Evaluate(MLContext, model, test, $"The model of experiment '{result.Id}'");
        var predictions = Predictions(scored);
        var counts = new int[Test.ClassNames.Count];
        foreach (int p in predictions) if ((uint)p < (uint)counts.Length) counts[p]++;
        int top = Array.IndexOf(counts, counts.Max());
        double share = predictions.Length == 0 ? 0 : counts[top] / (double)predictions.Length;
        bool collapsed = metrics.MicroAccuracy < 0.2 && share > 0.5;
        var notes = result.Notes.ToList();
        if (collapsed)
            notes.Add(string.Create(CultureInfo.InvariantCulture, $"predicts '{Test.ClassNames[top]}' for {share:P1} of the test images"));
        return result with
        {
            Status = collapsed ? ExperimentStatus.Collapsed : ExperimentStatus.Completed,
            MicroAccuracy = metrics.MicroAccuracy,
            MacroAccuracy = metrics.MacroAccuracy,
            LogLoss = metrics.LogLoss,
            Notes = notes,
            Predictions = predictions,
            TopPredictedClass = top,
            TopPredictedShare = share,
        };
    }

    private static int[] Predictions(IDataView scored)
    {
        var column = scored.Schema["PredictedLabel"];
        var list = new List<int>();
        using var cursor = scored.GetRowCursor([column]);
        var getter = cursor.GetGetter<uint>(column);
        uint key = 0;
        while (cursor.MoveNext())
        {
            getter(ref key);
            list.Add((int)key - 1);
        }
        return [.. list];
    }


    private ExperimentProtocol MlpProtocol(MlpTrainer.Options o, PixelNormalizationMode? normalization) => new()
    {
        Trainer = "MlpTrainer",
        Architecture = $"784-{string.Concat(o.HiddenLayers.Select(h => $"{h}-"))}10",
        Activation = o.HiddenLayers.Length == 0 ? null : o.Activation.ToString(),
        Optimizer = o.Optimizer.ToString(),
        LearningRate = o.LearningRate,
        BatchSize = o.BatchSize,
        Epochs = o.Epochs,
        L2 = o.L2Regularization,
        Dropout = o.Dropout,
        Schedule = o.LearningRateSchedule.ToString(),
        Pixels = PixelsText(normalization),
        TrainRows = Train.Count,
        TestRows = Test.Count,
        Threads = o.NumberOfThreads ?? Environment.ProcessorCount,
    };

    internal static string PixelsText(PixelNormalizationMode? normalization) => normalization switch
    {
        PixelNormalizationMode.Scale => "x/255",
        PixelNormalizationMode.Standardize => "standardized",
        _ => "raw 0..255",
    };

    internal static string Configuration(MlpTrainer.Options o, PixelNormalizationMode? normalization)
    {
        var parts = new List<string>
        {
            $"784-{string.Concat(o.HiddenLayers.Select(h => $"{h}-"))}10" + (o.HiddenLayers.Length > 0 ? $" {o.Activation}" : " softmax"),
            o.Optimizer == Optimizer.Sgd ? string.Create(CultureInfo.InvariantCulture, $"SGD lr {o.LearningRate:G3}") : string.Create(CultureInfo.InvariantCulture, $"{o.Optimizer} lr {o.LearningRate:G3}"),
            $"batch {o.BatchSize}",
            $"{o.Epochs} epochs",
        };
        if (o.L2Regularization > 0) parts.Add(string.Create(CultureInfo.InvariantCulture, $"λ {o.L2Regularization:G3}"));
        if (o.Dropout > 0) parts.Add(string.Create(CultureInfo.InvariantCulture, $"dropout {o.Dropout:G3}"));
        if (o.LearningRateSchedule != LearningRateSchedule.Constant) parts.Add(o.LearningRateSchedule.ToString().ToLowerInvariant());
        parts.Add($"pixels {PixelsText(normalization)}");
        return string.Join(", ", parts);
    }
}

/// <summary>The study's experiments: the report's, ours, the CNN and ML.NET's baselines.</summary>
public static class StudyPlan
{
    /// <summary>The experiments in report order; <paramref name="extra"/> (e.g. LightGbm from the CLI) are appended.</summary>
    public static IReadOnlyList<StudyExperiment> Create(StudySettings settings, params StudyExperiment[] extra)
    {
        ArgumentNullException.ThrowIfNull(settings);
        MlpTrainer.Options Sgd(int[] hidden, MlpActivation activation, float l2 = 0) => new()
        {
            HiddenLayers = hidden,
            Activation = activation,
            Optimizer = Optimizer.Sgd,
            LearningRate = settings.SgdLearningRate,
            BatchSize = settings.BatchSize,
            Epochs = settings.ReproductionEpochs,
            L2Regularization = l2,
        };
        var plan = new List<StudyExperiment>
        {
            Mlp("softmax", "0 hidden layers (softmax regression)", () => Sgd([], MlpActivation.Relu)),
            Mlp("relu-1x128", "1×128 ReLU", () => Sgd([128], MlpActivation.Relu)),
            Mlp("relu-2x128", "2×128 ReLU", () => Sgd([128, 128], MlpActivation.Relu)),
            Mlp("leaky-2x128", "2×128 LeakyReLU", () => Sgd([128, 128], MlpActivation.LeakyRelu)),
            Mlp("tanh-2x128", "2×128 Tanh", () => Sgd([128, 128], MlpActivation.Tanh)),
            new("l2-relu-2x128", "2×128 ReLU + L2 (λ chosen on validation)", "reproduction", context => L2Experiment(context, Sgd)),
            new("final-tuned", "Final tuned MLP (batch 200, LeakyReLU, L2)", "reproduction", context =>
            {
                var notes = new List<string>();
                float l2 = context.ChosenL2 ?? settings.L2Candidates[settings.L2Candidates.Length / 2];
                notes.Add(context.ChosenL2.HasValue
                    ? string.Create(CultureInfo.InvariantCulture, $"λ = {l2:G3}, the value the L2 experiment chose on its validation split")
                    : string.Create(CultureInfo.InvariantCulture, $"λ = {l2:G3} (the L2 experiment did not run, so no λ was chosen on validation)"));
                return context.RunMlp("final-tuned", "Final tuned MLP (batch 200, LeakyReLU, L2)", "reproduction",
                    Sgd([128, 128], MlpActivation.LeakyRelu, l2), PixelNormalizationMode.Scale, notes);
            }),
            new("unnormalized", "Unnormalized input (2×128 ReLU, raw pixels)", "reproduction", context =>
                context.RunMlp("unnormalized", "Unnormalized input (2×128 ReLU, raw pixels)", "reproduction", Sgd([128, 128], MlpActivation.Relu), null)),
            new("best-mlp", "Our best MLP", "ours", context => context.RunMlp("best-mlp", "Our best MLP", "ours", BestMlpOptions(settings.BestMlpEpochs),
                PixelNormalizationMode.Standardize)),
            new("cnn", "CNN (MlNetMlp.CnnTrainer)", "cnn", CnnExperiment),
            StudyExperiment.MlNetBaseline("lbfgs", "ML.NET LbfgsMaximumEntropy", settings.LightBaselines ? "defaults, 30 iterations, pixels x/255" : "defaults, pixels x/255",
                "LbfgsMaximumEntropy", c => c.MLContext.MulticlassClassification.Trainers.LbfgsMaximumEntropy(
                    new Microsoft.ML.Trainers.LbfgsMaximumEntropyMulticlassTrainer.Options { MaximumNumberOfIterations = c.Settings.LightBaselines ? 30 : 100, NumberOfThreads = c.Threads })),
            StudyExperiment.MlNetBaseline("sdca", "ML.NET SdcaMaximumEntropy", "defaults, pixels x/255", "SdcaMaximumEntropy",
                c => c.MLContext.MulticlassClassification.Trainers.SdcaMaximumEntropy(
                    new Microsoft.ML.Trainers.SdcaMaximumEntropyMulticlassTrainer.Options { NumberOfThreads = c.Threads, MaximumNumberOfIterations = c.Settings.LightBaselines ? 5 : null })),
        };
        plan.AddRange(extra);
        return plan;

        StudyExperiment Mlp(string id, string title, Func<MlpTrainer.Options> options) =>
            new(id, title, "reproduction", context => context.RunMlp(id, title, "reproduction", options(), PixelNormalizationMode.Scale));
    }

    /// <summary>The project's best single MLP configuration (784-512-256-10 LeakyReLU Adam, dropout 0.3, cosine).</summary>
    public static MlpTrainer.Options BestMlpOptions(int epochs) => new()
    {
        HiddenLayers = [512, 256],
        Activation = MlpActivation.LeakyRelu,
        Optimizer = Optimizer.Adam,
        LearningRate = 1e-3f,
        BatchSize = 200,
        Epochs = epochs,
        Dropout = 0.3f,
        LearningRateSchedule = LearningRateSchedule.Cosine,
    };

    private static ExperimentResult L2Experiment(StudyContext context, Func<int[], MlpActivation, float, MlpTrainer.Options> sgd)
    {
        var settings = context.Settings;
        int holdOut = Math.Max(1, (int)Math.Round(context.Train.Count * settings.L2HoldOutFraction));
        var (trainRows, validationRows) = StudySubsets.HoldOutSplit(context.Train.Labels, holdOut, settings.Seed);
        var train = context.Train.Subset(trainRows);
        var validation = context.Train.Subset(validationRows);
        var notes = new List<string>();
        var stopwatch = Stopwatch.StartNew();
        float bestL2 = settings.L2Candidates[0];
        double bestAccuracy = double.NegativeInfinity;
        foreach (float l2 in settings.L2Candidates)
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            context.Progress?.RunStarted(string.Create(CultureInfo.InvariantCulture, $"L2 selection: λ = {l2:G3} on {train.Count:N0} rows"), settings.ReproductionEpochs);
            string outcome;
            try
            {
                double accuracy = context.ValidationAccuracy(sgd([128, 128], MlpActivation.Relu, l2), PixelNormalizationMode.Scale, train, validation);
                outcome = string.Create(CultureInfo.InvariantCulture, $"validation accuracy {accuracy:F4}");
                if (accuracy > bestAccuracy)
                {
                    bestAccuracy = accuracy;
                    bestL2 = l2;
                }
            }
            catch (TrainingDivergedException)
            {
                outcome = "diverged";
            }
            notes.Add(string.Create(CultureInfo.InvariantCulture, $"λ = {l2:G3}: {outcome} (trained on {train.Count:N0} training rows, validated on {validation.Count:N0} held-out training rows)"));
        }
        double selectionSeconds = stopwatch.Elapsed.TotalSeconds;
        context.ChosenL2 = bestL2;
        notes.Add(string.Create(CultureInfo.InvariantCulture, $"chosen λ = {bestL2:G3}; retrained on all {context.Train.Count:N0} training rows"));
        return context.RunMlp("l2-relu-2x128", "2×128 ReLU + L2 (λ chosen on validation)", "reproduction",
            sgd([128, 128], MlpActivation.Relu, bestL2), PixelNormalizationMode.Scale, notes, selectionSeconds);
    }

    private static ExperimentResult CnnExperiment(StudyContext context)
    {
        const string id = "cnn", title = "CNN (MlNetMlp.CnnTrainer)";
        var published = PublishedResults.ByExperiment[id];
        int epochs = context.Settings.CnnEpochs;
        string layers = CnnTrainer.DefaultLayers;
        var history = new List<EpochRecord>();
        // The CNN reads the raw 28×28 "Image" column and scales pixels itself (PixelScale = 1/255).
        var trainer = context.MLContext.MulticlassClassification.Trainers.Cnn(new CnnTrainer.Options
        {
            Epochs = epochs,
            LearningRateSchedule = LearningRateSchedule.Cosine,
            Seed = context.Settings.Seed,
            NumberOfThreads = context.Threads,
            MonitoringSubsetSize = context.Settings.MonitoringSubsetSize,
        });
        trainer.EpochCompleted += (_, e) =>
        {
            history.Add(e);
            context.Progress?.Epoch(e);
        };
        context.Progress?.RunStarted($"{title}: {epochs} epochs on {context.Train.Count:N0} rows", epochs);
        var stopwatch = Stopwatch.StartNew();
        var model = trainer.Fit(context.TrainView, context.CurveView, null, context.CancellationToken);
        double seconds = stopwatch.Elapsed.TotalSeconds;
        return context.Evaluate(model, context.TestView, new ExperimentResult
        {
            Id = id, Title = title, Kind = "cnn", Published = published, TrainSeconds = seconds, History = history,
            Configuration = $"{layers}, Adam, cosine, {epochs} epochs, pixels x/255 (inside the trainer)",
            Protocol = new ExperimentProtocol
            {
                Trainer = "CnnTrainer", Architecture = layers, Optimizer = "Adam", Epochs = epochs, EpochsRun = history.Count,
                Pixels = "x/255", TrainRows = context.Train.Count, TestRows = context.Test.Count, Threads = context.Threads ?? Environment.ProcessorCount,
            },
        });
    }
}

/// <summary>Runs a study plan and collects the results.</summary>
public static class StudyRunner
{
    /// <summary>
    /// Runs every experiment of <paramref name="plan"/> not in <see cref="StudySettings.Skip"/>, in order. An experiment
    /// that throws (other than cancellation) becomes a Failed row; cancellation propagates.
    /// </summary>
    public static StudyReport Run(StudySettings settings, IReadOnlyList<StudyExperiment> plan, LabeledImages train, LabeledImages test,
        IStudyProgress? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        var started = DateTimeOffset.UtcNow;
        var stopwatch = Stopwatch.StartNew();
        var curveRows = StudySubsets.SampleRows(test.Count, Math.Min(settings.CurveRows, test.Count), settings.Seed);
        var context = new StudyContext(settings, train, test, curveRows, progress, cancellationToken);
        var results = new List<ExperimentResult>();
        for (int i = 0; i < plan.Count; i++)
        {
            var experiment = plan[i];
            cancellationToken.ThrowIfCancellationRequested();
            progress?.ExperimentStarted(i, plan.Count, experiment);
            ExperimentResult result;
            if (settings.Skip.Contains(experiment.Id))
            {
                result = new ExperimentResult
                {
                    Id = experiment.Id, Title = experiment.Title, Kind = experiment.Kind, Status = ExperimentStatus.Skipped, Configuration = "—",
                    Published = PublishedResults.ByExperiment.GetValueOrDefault(experiment.Id), Message = "excluded with --skip",
                    Protocol = new ExperimentProtocol { TrainRows = train.Count, TestRows = test.Count },
                };
            }
            else
            {
                try
                {
                    result = experiment.Run(context);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    result = new ExperimentResult
                    {
                        Id = experiment.Id, Title = experiment.Title, Kind = experiment.Kind, Status = ExperimentStatus.Failed, Configuration = "—",
                        Published = PublishedResults.ByExperiment.GetValueOrDefault(experiment.Id), Message = $"{e.GetType().Name}: {e.Message}",
                        Protocol = new ExperimentProtocol { TrainRows = train.Count, TestRows = test.Count },
                    };
                }
            }
            results.Add(result);
            progress?.ExperimentFinished(i, plan.Count, result);
        }
        return new StudyReport
        {
            Mode = settings.Mode,
            Started = started,
            TotalSeconds = stopwatch.Elapsed.TotalSeconds,
            TrainRows = train.Count,
            TestRows = test.Count,
            CurveRows = curveRows.Length,
            Method = settings.Describe(train.Count, test.Count, curveRows.Length),
            Results = results,
            ClassNames = test.ClassNames,
            TestLabels = test.Labels,
        };
    }
}
