using MlNetMlp.Numerics;

namespace MlNetMlp.Training;

/// <summary>
/// A network as <see cref="TrainingLoop"/> sees it: sizes, a text that identifies its architecture, and its whole state
/// (parameters, and running statistics where it has them) as one flat vector, which is what checkpoints save and what
/// best-epoch tracking copies. The MLP and the CNN are the two.
/// </summary>
internal interface ITrainableNetwork
{
    int InputSize { get; }

    /// <summary>Units of the output layer (<see cref="Tasks.TaskHead.Outputs"/>).</summary>
    int OutputCount { get; }

    /// <summary>The architecture, as a checkpoint records it to refuse resuming another network ("784-128-10 LeakyRelu(0.01)").</summary>
    string Description { get; }

    /// <summary>Length of the state vector.</summary>
    int StateLength { get; }

    void CopyStateTo(Span<float> state);

    void CopyStateFrom(ReadOnlySpan<float> state);
}

/// <summary>
/// What trains a network, one optimizer step at a time, on a worker pool: forward, the head's loss and gradient,
/// backward, the reduction of the workers' gradients and the update rule (<see cref="ParameterUpdater"/>). The
/// optimizer's state is exposed for checkpoints.
/// </summary>
internal interface ITrainingEngine : IDisposable
{
    /// <summary>
    /// One optimizer step on rows <c>order[start .. start + count)</c> of <paramref name="data"/>; returns the batch's mean loss
    /// (weighted by the example weights). <paramref name="dropoutSeed"/> and <paramref name="step"/> select dropout masks.
    /// </summary>
    double Step(TrainingSet data, int[] order, int start, int count, float learningRate, int dropoutSeed, long step);

    /// <summary>
    /// Mean loss and accuracy in inference mode over <paramref name="rows"/> of <paramref name="data"/> (null = all), in fixed
    /// chunks summed in order so the result does not depend on the worker count; accuracy is NaN for regression.
    /// </summary>
    (double Loss, double Accuracy) Evaluate(TrainingSet data, int[]? rows, CancellationToken cancellationToken);

    ParameterUpdater Optimizer { get; }
}
