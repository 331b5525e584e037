using System.Globalization;

namespace MlNetMlp.Study;

/// <summary>How the study runs: data sizes, the reproductions' protocol, and the extras' budgets.</summary>
public sealed record StudySettings
{
    /// <summary>"full" or "quick" (shown in the report).</summary>
    public string Mode { get; init; } = "full";

    /// <summary>Use the first this many training rows; null = all 60,000.</summary>
    public int? TrainRows { get; init; }

    /// <summary>Use the first this many test rows; null = all 10,000.</summary>
    public int? TestRows { get; init; }

    /// <summary>Epochs of every reproduction (the report: 75).</summary>
    public int ReproductionEpochs { get; init; } = PublishedResults.Epochs;

    /// <summary>
    /// Learning rate of the reproductions' plain mini-batch SGD. The report does not state one; 0.01 is Keras'
    /// SGD default (the report's grid search used Keras).
    /// </summary>
    public float SgdLearningRate { get; init; } = 0.01f;

    /// <summary>Mini-batch size of the reproductions (the report: 200).</summary>
    public int BatchSize { get; init; } = PublishedResults.BatchSize;

    /// <summary>Epochs of our best MLP configuration.</summary>
    public int BestMlpEpochs { get; init; } = 30;

    /// <summary>Test rows passed to the trainers as validation data, for the learning curves only (the report: 500).</summary>
    public int CurveRows { get; init; } = PublishedResults.CurveSubsetSize;

    /// <summary>Training rows on which per-epoch training accuracy is measured (the report: 500).</summary>
    public int MonitoringSubsetSize { get; init; } = PublishedResults.CurveSubsetSize;

    /// <summary>λ candidates for the L2 experiment (MlpTrainer's convention: PyTorch weight_decay).</summary>
    public float[] L2Candidates { get; init; } = [1e-5f, 1e-4f, 1e-3f, 1e-2f];

    /// <summary>Share of the training rows held out to choose λ (never the test split).</summary>
    public double L2HoldOutFraction { get; init; } = 1.0 / 6;

    /// <summary>Epochs of the CNN (<see cref="CnnTrainer"/>, cosine schedule): 12, as <c>mlnetmlp train --model cnn</c>.</summary>
    public int CnnEpochs { get; init; } = 12;

    /// <summary>Fewer boosting iterations etc. for the ML.NET baselines (quick mode).</summary>
    public bool LightBaselines { get; init; }

    /// <summary>Seeds data subsets, initialization and shuffling.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Kernel threads per training run; null = all cores.</summary>
    public int? Threads { get; init; }

    /// <summary>Experiment ids not to run.</summary>
    public IReadOnlySet<string> Skip { get; init; } = new HashSet<string>();

    /// <summary>The full study: all rows, the report's 75 epochs.</summary>
    public static StudySettings Full() => new();

    /// <summary>A smoke run for CI: 6,000 training and 2,000 test rows, 5 epochs.</summary>
    public static StudySettings Quick() => new()
    {
        Mode = "quick",
        TrainRows = 6_000,
        TestRows = 2_000,
        ReproductionEpochs = 5,
        BestMlpEpochs = 3,
        L2Candidates = [1e-4f, 1e-3f],
        CnnEpochs = 1,
        LightBaselines = true,
    };

    /// <summary>The method, as lines for the report.</summary>
    public IReadOnlyList<string> Describe(int trainRows, int testRows, int curveRows) =>
    [
        string.Create(CultureInfo.InvariantCulture, $"Mode: {Mode}. Data: {trainRows:N0} training rows, {testRows:N0} test rows (official Fashion-MNIST splits{(trainRows < PublishedResults.TrainRows || testRows < PublishedResults.TestRows ? ", first rows only" : "")})."),
        string.Create(CultureInfo.InvariantCulture, $"Reproductions follow the report's method: mini-batch SGD (learning rate {SgdLearningRate:G3}, which the report does not state), batch {BatchSize}, {ReproductionEpochs} epochs, pixels scaled to [0, 1] (x/255), He/Glorot initialization, seed {Seed}."),
        string.Create(CultureInfo.InvariantCulture, $"Learning curves: training accuracy on a fixed random subset of {MonitoringSubsetSize} training rows (MonitoringSubsetSize = {MonitoringSubsetSize}); test accuracy and loss on {curveRows} random test rows passed to Fit as validation data, for the curves only (no early stopping, no selection). Training loss is the mean mini-batch cross-entropy of the epoch."),
        string.Create(CultureInfo.InvariantCulture, $"L2: λ chosen among {{{string.Join(", ", L2Candidates.Select(l => l.ToString("G3", CultureInfo.InvariantCulture)))}}} by accuracy on a stratified hold-out of {L2HoldOutFraction:P0} of the training rows (never the test split), then retrained on all training rows."),
        "Test metrics (micro/macro accuracy, log-loss) are ML.NET's MulticlassClassification.Evaluate on all test rows used; training time is the wall time of the final Fit.",
    ];
}
