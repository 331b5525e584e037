using MlNetMlp.Transforms;

namespace MlNetMlp.Cli;

/// <summary>
/// The CLI's default configuration: the best one found that trains on the full Fashion-MNIST in
/// about a minute on 2 cores (see README, "Defaults").
/// </summary>
internal static class CliDefaults
{
    public const PixelNormalizationMode Normalization = PixelNormalizationMode.Standardize;

    public static MlpTrainer.Options TrainerOptions() => new()
    {
        HiddenLayers = [512, 256],
        Activation = MlpActivation.LeakyRelu,
        Optimizer = MlpOptimizer.Adam,
        LearningRate = 1e-3f,
        BatchSize = 200,
        Epochs = 30,
        Dropout = 0.3f,
        LearningRateSchedule = MlpLearningRateSchedule.Cosine,
    };

    /// <summary>The defaults of <c>train --model cnn</c>: the default architecture, sized to train within 10 minutes on 2 cores.</summary>
    public static CnnTrainer.Options CnnTrainerOptions() => new()
    {
        Layers = CnnTrainer.DefaultLayers,
        Epochs = 12,
        BatchSize = 128,
        LearningRate = 1e-3f,
        LearningRateSchedule = MlpLearningRateSchedule.Cosine,
    };
}
