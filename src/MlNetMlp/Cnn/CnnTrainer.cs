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
public sealed partial class CnnTrainer : MulticlassNetworkTrainer<CnnModelParameters, CnnTrainer.Options>
{
    /// <summary>Creates the trainer; <paramref name="options"/> is validated here and copied.</summary>
    public CnnTrainer(MLContext mlContext, Options options) : this(NetworkTrainerOptions.Environment(mlContext), options) { }

    internal CnnTrainer(IHostEnvironment environment, Options options) : base(environment, options, CnnDefinition.Instance, nameof(CnnTrainer)) { }
}

/// <summary>Trains a CNN for binary classification of images on a Boolean label (<see cref="BinaryNetworkTrainer{TModel, TOptions}"/>).</summary>
public sealed class CnnBinaryTrainer : BinaryNetworkTrainer<CnnModelParameters, CnnTrainer.Options>
{
    /// <summary>Creates the trainer; <paramref name="options"/> is validated here and copied.</summary>
    public CnnBinaryTrainer(MLContext mlContext, CnnTrainer.Options options) : this(NetworkTrainerOptions.Environment(mlContext), options) { }

    internal CnnBinaryTrainer(IHostEnvironment environment, CnnTrainer.Options options) : base(environment, options, CnnDefinition.Instance, nameof(CnnBinaryTrainer)) { }
}

/// <summary>Trains a CNN for regression on images with a Single label (<see cref="RegressionNetworkTrainer{TModel, TOptions}"/>).</summary>
public sealed class CnnRegressionTrainer : RegressionNetworkTrainer<CnnModelParameters, CnnTrainer.Options>
{
    /// <summary>Creates the trainer; <paramref name="options"/> is validated here and copied.</summary>
    public CnnRegressionTrainer(MLContext mlContext, CnnTrainer.Options options) : this(NetworkTrainerOptions.Environment(mlContext), options) { }

    internal CnnRegressionTrainer(IHostEnvironment environment, CnnTrainer.Options options) : base(environment, options, CnnDefinition.Instance, nameof(CnnRegressionTrainer)) { }
}
