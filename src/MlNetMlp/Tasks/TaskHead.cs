using MlNetMlp.Numerics;

namespace MlNetMlp.Tasks;

/// <summary>
/// What a task adds to a network, on the training side: the width of the output layer, the loss on it and the loss's
/// gradient, and the accuracy of the epoch history. Multiclass, binary and regression networks differ only here (as
/// scikit-learn's MLPClassifier and MLPRegressor differ only in their output activation and loss); the layers, the
/// optimizer and the training loop are shared.
/// </summary>
/// <remarks>
/// Rows are read from <see cref="TrainingSet"/> by index, so a head needs no copy of the labels. With example weights,
/// each row's loss and gradient are multiplied by its weight; the caller divides by the rows' total weight (the row
/// count without weights), so a weighted loss is a weighted mean, as scikit-learn's <c>sample_weight</c>.
/// </remarks>
internal abstract class TaskHead
{
    /// <summary>Units of the output layer.</summary>
    public abstract int Outputs { get; }

    /// <summary>The head and its loss as recorded in checkpoints ("Multiclass", "Regression(Huber, 1)").</summary>
    public abstract string Description { get; }

    /// <summary>
    /// The loss of an uninformed model (a uniform guess, or the mean target): <see cref="DivergenceWatch"/> calls a loss
    /// far above both it and the first batch's loss an explosion.
    /// </summary>
    public abstract double UninformedLoss { get; }

    /// <summary>
    /// Writes <c>scale·w·∂loss/∂output</c> of each row to <paramref name="gradient"/> (which may be
    /// <paramref name="outputs"/>: rows × <see cref="Outputs"/>) and returns Σ w·loss over the rows.
    /// </summary>
    public abstract double LossAndGradient(ReadOnlySpan<float> outputs, TrainingSet data, ReadOnlySpan<int> rows, float scale, Span<float> gradient);

    /// <summary>Σ w·loss over the rows; <paramref name="correct"/> = Σ w over the rows predicted right (NaN when the task has no accuracy).</summary>
    public abstract double Evaluate(ReadOnlySpan<float> outputs, TrainingSet data, ReadOnlySpan<int> rows, out double correct);

    /// <summary>The rows' labels or targets as this head reads them: <see cref="InvalidDataException"/> (via <paramref name="paramName"/>) when they cannot be.</summary>
    public abstract void CheckTargets(TrainingSet data, string paramName);

    /// <summary>The weight of <paramref name="row"/> (1 without example weights).</summary>
    protected static float Weight(TrainingSet data, int row) => data.Weights is { } w ? w[row] : 1f;
}
