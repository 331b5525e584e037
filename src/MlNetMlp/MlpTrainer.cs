using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace MlNetMlp;

/// <summary>
/// Trains a multilayer perceptron for multiclass classification: mini-batch SGD / Momentum / Adam on softmax
/// cross-entropy, with L2, dropout, learning-rate schedules and early stopping. Takes a known-size Single vector feature
/// column and a key-typed label, like ML.NET's own multiclass trainers. The binary and regression MLPs are
/// <see cref="MlpBinaryTrainer"/> and <see cref="MlpRegressionTrainer"/>; all three train on <see cref="NetworkTrainer{TTransformer, TModel, TOptions}"/>.
/// </summary>
public sealed partial class MlpTrainer : NetworkTrainer<MlpPredictionTransformer, MlpModelParameters, MlpTrainer.Options>
{
    /// <summary>Creates the trainer; <paramref name="options"/> is validated here and copied.</summary>
    public MlpTrainer(MLContext mlContext, Options options)
        : this((IHostEnvironment)(mlContext ?? throw new ArgumentNullException(nameof(mlContext))), options)
    {
    }

    internal MlpTrainer(IHostEnvironment environment, Options options)
        : base(environment, options, MlpNetworkKind.Instance, MulticlassTask.Instance, nameof(MlpTrainer))
    {
    }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid option.</summary>
    public static void Validate(Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
    }

    private protected override MlpPredictionTransformer CreateTransformer(MlpModelParameters model, FitResult fit) =>
        new(model, fit.FeatureColumnName, fit.LabelKeyValues);

    private protected override void SetTrainingWarnings(MlpModelParameters model, IReadOnlyList<string> warnings) => model.TrainingWarnings = warnings;
}
