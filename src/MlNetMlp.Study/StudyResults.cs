using System.Text.Json;
using System.Text.Json.Serialization;

namespace MlNetMlp.Study;

/// <summary>How an experiment ended.</summary>
public enum ExperimentStatus
{
    /// <summary>Trained and evaluated.</summary>
    Completed,
    /// <summary>Trained and evaluated, but predicts (nearly) one class for everything.</summary>
    Collapsed,
    /// <summary>The loss became non-finite; there is no model to evaluate.</summary>
    Diverged,
    /// <summary>Not run (e.g. excluded with --skip).</summary>
    Skipped,
    /// <summary>Failed with an error.</summary>
    Failed,
}

/// <summary>A number published by the reproduced report.</summary>
/// <param name="Accuracy">Test accuracy as published.</param>
/// <param name="Text">As printed in our table, e.g. "0.8266" or "~0.10".</param>
public sealed record PublishedNumber(double Accuracy, string Text);

/// <summary>The reproduced report: its published test accuracies, its method and its context numbers.</summary>
public static class PublishedResults
{
    /// <summary>The report's optimizer (mini-batch SGD).</summary>
    public const string Optimizer = "SGD";

    /// <summary>The report's mini-batch size.</summary>
    public const int BatchSize = 200;

    /// <summary>The report's number of epochs.</summary>
    public const int Epochs = 75;

    /// <summary>Rows of the official training split.</summary>
    public const int TrainRows = 60_000;

    /// <summary>Rows of the official test split.</summary>
    public const int TestRows = 10_000;

    /// <summary>Size of the train/test subsets its learning curves were measured on.</summary>
    public const int CurveSubsetSize = 500;

    /// <summary>Published test accuracy by experiment id (see <see cref="StudyPlan"/>).</summary>
    public static IReadOnlyDictionary<string, PublishedNumber> ByExperiment { get; } = new Dictionary<string, PublishedNumber>
    {
        ["softmax"] = new(0.8266, "0.8266"),
        ["relu-1x128"] = new(0.8512, "0.8512"),
        ["relu-2x128"] = new(0.8508, "0.8508"),
        ["leaky-2x128"] = new(0.8613, "0.8613"),
        ["tanh-2x128"] = new(0.8508, "0.8508"),
        ["l2-relu-2x128"] = new(0.8803, "0.8803"),
        ["final-tuned"] = new(0.8737, "0.8737"),
        ["unnormalized"] = new(0.10, "~0.10"),
        ["cnn"] = new(0.9313, "0.9313"),
    };

    /// <summary>Context numbers quoted by the report and the issue (not reproduced here).</summary>
    public static IReadOnlyList<(string What, double Accuracy)> Context { get; } =
    [
        ("Zalando benchmark: best scikit-learn MLPClassifier", 0.877),
        ("Zalando benchmark: best SVC", 0.897),
        ("scikit-learn MLP, 30 epochs (project peer run)", 0.8894),
        ("PyTorch MLP, 30 epochs (project peer run)", 0.8949),
    ];
}

/// <summary>Facts about how an experiment was trained, used to explain differences from the report.</summary>
public sealed record ExperimentProtocol
{
    /// <summary>The trainer, e.g. "MlpTrainer", "LbfgsMaximumEntropy".</summary>
    public string Trainer { get; init; } = "";

    /// <summary>"784-128-128-10" for MLPs; the layer string for the CNN; null otherwise.</summary>
    public string? Architecture { get; init; }

    public string? Activation { get; init; }

    public string? Optimizer { get; init; }

    public double? LearningRate { get; init; }

    public int? BatchSize { get; init; }

    /// <summary>Epochs planned.</summary>
    public int? Epochs { get; init; }

    /// <summary>Epochs actually run (fewer when training diverged).</summary>
    public int? EpochsRun { get; init; }

    public double? L2 { get; init; }

    public double? Dropout { get; init; }

    public string? Schedule { get; init; }

    /// <summary>"x/255", "standardized", "raw 0..255".</summary>
    public string Pixels { get; init; } = "x/255";

    public int TrainRows { get; init; }

    public int TestRows { get; init; }

    /// <summary>Kernel threads, when the trainer takes a count.</summary>
    public int? Threads { get; init; }
}

/// <summary>
/// One row of the study: what was run, how it scored on the test split, and its learning curve. A record so that a
/// run's later stages (status, timing, metrics) fill a copy with <c>with</c>; nothing compares results.
/// </summary>
public sealed record ExperimentResult
{
    /// <summary>Stable id, e.g. "relu-2x128"; keys <see cref="PublishedResults.ByExperiment"/>.</summary>
    public string Id { get; init; } = "";

    /// <summary>The row's name in the table.</summary>
    public string Title { get; init; } = "";

    /// <summary>Configuration as shown in the table.</summary>
    public string Configuration { get; init; } = "";

    /// <summary>"reproduction", "ours", "cnn" or "baseline".</summary>
    public string Kind { get; init; } = "";

    [JsonConverter(typeof(JsonStringEnumConverter<ExperimentStatus>))]
    public ExperimentStatus Status { get; init; }

    /// <summary>ML.NET micro-accuracy on the test rows.</summary>
    public double? MicroAccuracy { get; init; }

    public double? MacroAccuracy { get; init; }

    public double? LogLoss { get; init; }

    /// <summary>Wall time of the final training run (selection runs, if any, are in <see cref="SelectionSeconds"/>).</summary>
    public double TrainSeconds { get; init; }

    /// <summary>Wall time spent choosing hyperparameters on a validation split before the final run.</summary>
    public double? SelectionSeconds { get; init; }

    /// <summary>The report's number for this row, if it has one.</summary>
    public PublishedNumber? Published { get; init; }

    public ExperimentProtocol Protocol { get; init; } = new();

    /// <summary>Per-epoch history (train loss over the epoch's mini-batches; accuracies and validation loss on 500-row subsets).</summary>
    public IReadOnlyList<EpochRecord> History { get; init; } = [];

    /// <summary>Facts gathered while running (e.g. the λ chosen and each candidate's validation accuracy).</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>Error or divergence message.</summary>
    public string? Message { get; init; }

    /// <summary>Predicted class (0-based) of every test row, in test order; null without a model.</summary>
    public int[]? Predictions { get; init; }

    /// <summary>Share of test rows given the most frequent predicted class.</summary>
    public double? TopPredictedShare { get; init; }

    /// <summary>The most frequently predicted class (0-based).</summary>
    public int? TopPredictedClass { get; init; }

    /// <summary>Test accuracy minus the published one, in accuracy units (null when either is missing).</summary>
    [JsonIgnore]
    public double? Difference => MicroAccuracy is double ours && Published is not null ? ours - Published.Accuracy : null;
}

/// <summary>Everything one run of the study produced, ready for the report writer.</summary>
public sealed class StudyReport
{
    /// <summary>"full" or "quick".</summary>
    public string Mode { get; init; } = "full";

    public DateTimeOffset Started { get; init; }

    public double TotalSeconds { get; init; }

    public int TrainRows { get; init; }

    public int TestRows { get; init; }

    /// <summary>Test rows passed as validation data for the learning curves only.</summary>
    public int CurveRows { get; init; }

    public int ProcessorCount { get; init; } = Environment.ProcessorCount;

    /// <summary>The settings the run used, as text lines.</summary>
    public IReadOnlyList<string> Method { get; init; } = [];

    public IReadOnlyList<ExperimentResult> Results { get; init; } = [];

    /// <summary>Class names by label.</summary>
    public IReadOnlyList<string> ClassNames { get; init; } = [];

    /// <summary>Test labels (0-based), in test order: lets the report draw confusion matrices and image grids.</summary>
    public byte[] TestLabels { get; init; } = [];

    internal static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        WriteIndented = true,
    };

    /// <summary>The results as indented JSON (without per-row predictions).</summary>
    public string ToJson() => JsonSerializer.Serialize(new
    {
        Mode, Started, TotalSeconds, TrainRows, TestRows, CurveRows, ProcessorCount, Method,
        Results = Results.Select(r => new
        {
            r.Id, r.Title, r.Configuration, r.Kind, Status = r.Status.ToString(), r.MicroAccuracy, r.MacroAccuracy, r.LogLoss,
            r.TrainSeconds, r.SelectionSeconds, Published = r.Published?.Accuracy, r.Difference, r.Protocol, r.Notes, r.Message,
            r.TopPredictedShare, r.TopPredictedClass,
            History = r.History.Select(h => new { h.Epoch, h.TrainLoss, h.TrainAccuracy, h.ValidationLoss, h.ValidationAccuracy, h.LearningRate, Seconds = h.Elapsed.TotalSeconds }),
        }),
    }, Json);
}
