using Microsoft.ML;
using Microsoft.ML.Runtime;
using MlNetMlp.Cnn;

namespace MlNetMlp;

/// <summary>
/// Trains a convolutional network for multiclass image classification: conv / max-pool / batch-norm / ReLU / dropout /
/// dense layers (<see cref="Options.Layers"/>), softmax cross-entropy, any update rule (Adam by default) — on MlNetMlp's
/// own engine (NHWC direct-convolution kernels, verified layer by layer against PyTorch). Takes the image column as a
/// known-size Single vector (not flattened by the user) and a key-typed label, like ML.NET's own trainers.
/// </summary>
public sealed partial class CnnTrainer : NetworkTrainer<CnnPredictionTransformer, CnnModelParameters, CnnTrainer.Options>
{
    /// <summary>Creates the trainer; <paramref name="options"/> is validated here and copied.</summary>
    public CnnTrainer(MLContext mlContext, Options options)
        : this((IHostEnvironment)(mlContext ?? throw new ArgumentNullException(nameof(mlContext))), options)
    {
    }

    internal CnnTrainer(IHostEnvironment environment, Options options)
        : base(environment, options, CnnNetworkKind.Instance, MulticlassTask.Instance, nameof(CnnTrainer))
    {
    }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid option.</summary>
    public static void Validate(Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
    }

    private protected override CnnPredictionTransformer CreateTransformer(CnnModelParameters model, FitResult fit) =>
        new(model, fit.FeatureColumnName, fit.LabelKeyValues);

    private protected override void SetTrainingWarnings(CnnModelParameters model, IReadOnlyList<string> warnings) => model.TrainingWarnings = warnings;
}
