using MlNetMlp.Data;
using MlNetMlp.Study;

namespace MlNetMlp.Tests.Study;

/// <summary>Small synthetic inputs for the study's tests: learnable images and hand-made reports.</summary>
internal static class StudyTestData
{
    public static readonly IReadOnlyList<string> ClassNames = ["zero", "one", "two"];

    /// <summary><paramref name="count"/> 28×28 images of 3 classes, each class bright in its own band of rows (so an MLP learns it in an epoch).</summary>
    public static LabeledImages Images(int count, int seed = 7)
    {
        var random = new Random(seed);
        var pixels = new byte[count * 784];
        var labels = new byte[count];
        for (int i = 0; i < count; i++)
        {
            int label = i % 3;
            labels[i] = (byte)label;
            for (int p = 0; p < 784; p++)
            {
                bool band = p / 28 / 10 == label;
                pixels[i * 784 + p] = (byte)(band ? 150 + random.Next(100) : random.Next(60));
            }
        }
        return new LabeledImages(pixels, labels, 28, 28, ClassNames);
    }

    public static ExperimentResult Result(string id, string title, double? accuracy, ExperimentStatus status = ExperimentStatus.Completed,
        int epochs = 75, int trainRows = 60_000, int[]? predictions = null) => new()
    {
        Id = id,
        Title = title,
        Configuration = $"config of {id}",
        Kind = "reproduction",
        Status = status,
        MicroAccuracy = accuracy,
        MacroAccuracy = accuracy,
        LogLoss = accuracy is null ? null : 1 - accuracy,
        TrainSeconds = 12.5,
        Published = PublishedResults.ByExperiment.GetValueOrDefault(id),
        Protocol = new ExperimentProtocol
        {
            Trainer = "MlpTrainer", Optimizer = "Sgd", BatchSize = 200, Epochs = epochs, EpochsRun = epochs, Pixels = "x/255",
            TrainRows = trainRows, TestRows = 10_000, LearningRate = 0.01,
        },
        History = Enumerable.Range(1, 6).Select(e => new EpochRecord(e, 1.0 / e, 0.5 + e * 0.05, 1.2 / e, 0.45 + e * 0.05, 0.01, TimeSpan.FromSeconds(1))).ToList(),
        Predictions = predictions,
    };
}
