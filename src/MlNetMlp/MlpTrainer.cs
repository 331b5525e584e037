using Microsoft.ML;
using Microsoft.ML.Runtime;
using MlNetMlp.Numerics;

namespace MlNetMlp;

/// <summary>
/// Trains a multilayer perceptron for multiclass classification: mini-batch SGD / Momentum / Adam on softmax
/// cross-entropy, with L2, dropout, learning-rate schedules and early stopping. Takes a known-size Single vector feature
/// column and a key-typed label, like ML.NET's own multiclass trainers.
/// </summary>
public sealed partial class MlpTrainer : MulticlassNetworkTrainer<MlpModelParameters, MlpTrainer.Options>
{
    /// <summary>Creates the trainer; <paramref name="options"/> is validated here and copied.</summary>
    public MlpTrainer(MLContext mlContext, Options options) : this(NetworkTrainerOptions.Environment(mlContext), options) { }

    internal MlpTrainer(IHostEnvironment environment, Options options) : base(environment, options, MlpDefinition.Instance, nameof(MlpTrainer)) { }
}

/// <summary>Trains an MLP for binary classification on a Boolean label (<see cref="BinaryNetworkTrainer{TModel, TOptions}"/>).</summary>
public sealed class MlpBinaryTrainer : BinaryNetworkTrainer<MlpModelParameters, MlpTrainer.Options>
{
    /// <summary>Creates the trainer; <paramref name="options"/> is validated here and copied.</summary>
    public MlpBinaryTrainer(MLContext mlContext, MlpTrainer.Options options) : this(NetworkTrainerOptions.Environment(mlContext), options) { }

    internal MlpBinaryTrainer(IHostEnvironment environment, MlpTrainer.Options options) : base(environment, options, MlpDefinition.Instance, nameof(MlpBinaryTrainer)) { }
}

/// <summary>Trains an MLP for regression on a Single label (<see cref="RegressionNetworkTrainer{TModel, TOptions}"/>).</summary>
public sealed class MlpRegressionTrainer : RegressionNetworkTrainer<MlpModelParameters, MlpTrainer.Options>
{
    /// <summary>Creates the trainer; <paramref name="options"/> is validated here and copied.</summary>
    public MlpRegressionTrainer(MLContext mlContext, MlpTrainer.Options options) : this(NetworkTrainerOptions.Environment(mlContext), options) { }

    internal MlpRegressionTrainer(IHostEnvironment environment, MlpTrainer.Options options) : base(environment, options, MlpDefinition.Instance, nameof(MlpRegressionTrainer)) { }
}
