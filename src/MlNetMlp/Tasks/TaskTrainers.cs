using Microsoft.ML.Runtime;

namespace MlNetMlp;

/// <summary>
/// The multiclass trainer of a network (<see cref="MlpTrainer"/>, <see cref="CnnTrainer"/>): a key-typed label, softmax
/// cross-entropy, and a <see cref="MulticlassNetworkTransformer{TModel}"/> appending <c>Score</c> and <c>PredictedLabel</c>.
/// </summary>
public abstract class MulticlassNetworkTrainer<TModel, TOptions> : NetworkTrainer<MulticlassNetworkTransformer<TModel>, TModel, TOptions>
    where TModel : NetworkModelParameters
    where TOptions : NetworkTrainerOptions
{
    private protected MulticlassNetworkTrainer(IHostEnvironment environment, TOptions options, NetworkDefinition<TModel, TOptions> network, string name)
        : base(environment, options, network, MulticlassTask.Instance, name)
    {
    }

    private protected override MulticlassNetworkTransformer<TModel> CreateTransformer(TModel model, FitResult fit) =>
        new(model, fit.FeatureColumnName, fit.LabelKeyValues);
}

/// <summary>
/// The binary trainer of a network (<see cref="MlpBinaryTrainer"/>, <see cref="CnnBinaryTrainer"/>): a Boolean label, one
/// sigmoid output with binary cross-entropy, and a <see cref="BinaryNetworkTransformer{TModel}"/> appending <c>Score</c>
/// (the logit), <c>Probability</c> and <c>PredictedLabel</c> as ML.NET's calibrated binary trainers do.
/// </summary>
public abstract class BinaryNetworkTrainer<TModel, TOptions> : NetworkTrainer<BinaryNetworkTransformer<TModel>, TModel, TOptions>
    where TModel : NetworkModelParameters
    where TOptions : NetworkTrainerOptions
{
    private protected BinaryNetworkTrainer(IHostEnvironment environment, TOptions options, NetworkDefinition<TModel, TOptions> network, string name)
        : base(environment, options, network, BinaryTask.Instance, name)
    {
    }

    private protected override BinaryNetworkTransformer<TModel> CreateTransformer(TModel model, FitResult fit) => new(model, fit.FeatureColumnName);
}

/// <summary>
/// The regression trainer of a network (<see cref="MlpRegressionTrainer"/>, <see cref="CnnRegressionTrainer"/>): a Single
/// label, one linear output fitted to the standardized target with squared error (or Huber,
/// <see cref="NetworkTrainerOptions.Loss"/>), and a <see cref="RegressionNetworkTransformer{TModel}"/> appending
/// <c>Score</c> in the target's own units.
/// </summary>
public abstract class RegressionNetworkTrainer<TModel, TOptions> : NetworkTrainer<RegressionNetworkTransformer<TModel>, TModel, TOptions>
    where TModel : NetworkModelParameters
    where TOptions : NetworkTrainerOptions
{
    private protected RegressionNetworkTrainer(IHostEnvironment environment, TOptions options, NetworkDefinition<TModel, TOptions> network, string name)
        : base(environment, options, network, RegressionTask.Instance, name)
    {
    }

    private protected override RegressionNetworkTransformer<TModel> CreateTransformer(TModel model, FitResult fit) =>
        new(model, fit.FeatureColumnName, fit.TargetMean, fit.TargetScale);
}
