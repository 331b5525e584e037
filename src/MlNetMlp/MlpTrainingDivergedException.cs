namespace MlNetMlp;

/// <summary>
/// Thrown when the training loss stops being a finite number, which almost always means the learning
/// rate is too large for the scale of the inputs.
/// </summary>
public sealed class MlpTrainingDivergedException : InvalidOperationException
{
    /// <param name="epoch">1-based epoch in which the loss became non-finite.</param>
    /// <param name="batch">1-based mini-batch within that epoch.</param>
    /// <param name="loss">The offending loss value (NaN or ±∞).</param>
    /// <param name="learningRate">Learning rate in use at that point.</param>
    public MlpTrainingDivergedException(int epoch, int batch, double loss, double learningRate)
        : base($"Training diverged at epoch {epoch}, batch {batch}: the loss became {Describe(loss)}. " +
               $"Lower the learning rate (it was {learningRate:G3}), normalize the features (for example scale pixel values to [0, 1]), " +
               "or add L2 regularization.")
    {
        Epoch = epoch;
        Batch = batch;
        Loss = loss;
        LearningRate = learningRate;
    }

    /// <summary>1-based epoch in which the loss became non-finite.</summary>
    public int Epoch { get; }

    /// <summary>1-based mini-batch within <see cref="Epoch"/>.</summary>
    public int Batch { get; }

    /// <summary>The non-finite loss that was observed.</summary>
    public double Loss { get; }

    /// <summary>The learning rate in use when training diverged.</summary>
    public double LearningRate { get; }

    private static string Describe(double loss) =>
        double.IsNaN(loss) ? "NaN" : double.IsPositiveInfinity(loss) ? "+infinity" : double.IsNegativeInfinity(loss) ? "-infinity" : loss.ToString("G6", System.Globalization.CultureInfo.InvariantCulture);
}
