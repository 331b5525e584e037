namespace MlNetMlp;

/// <summary>
/// Thrown when the training loss stops being a finite number or explodes (grows far above where it started), which
/// almost always means the learning rate is too large for the scale of the inputs.
/// </summary>
public sealed class TrainingDivergedException : InvalidOperationException
{
    /// <param name="epoch">1-based epoch in which the loss became non-finite.</param>
    /// <param name="batch">1-based mini-batch within that epoch.</param>
    /// <param name="loss">The offending loss value (NaN or ±∞).</param>
    /// <param name="learningRate">Learning rate in use at that point.</param>
    public TrainingDivergedException(int epoch, int batch, double loss, double learningRate)
        : this(epoch, batch, loss, learningRate, $"the loss became {Describe(loss)}")
    {
    }

    /// <summary>A finite loss that exploded: more than <paramref name="factor"/> times <paramref name="startingLoss"/>.</summary>
    internal TrainingDivergedException(int epoch, int batch, double loss, double learningRate, double startingLoss, double factor)
        : this(epoch, batch, loss, learningRate, string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"the loss became {loss:G4}, more than {factor} times the starting loss ({startingLoss:G4})"))
    {
        StartingLoss = startingLoss;
    }

    private TrainingDivergedException(int epoch, int batch, double loss, double learningRate, string what)
        : base($"Training diverged at epoch {epoch}, batch {batch}: {what}. " +
               $"Lower the learning rate (it was {learningRate:G3}), normalize the features (for example scale pixel values to [0, 1]), " +
               "or add L2 regularization.")
    {
        Epoch = epoch;
        Batch = batch;
        Loss = loss;
        LearningRate = learningRate;
    }

    /// <summary>
    /// The loss of the run's first mini-batch when the loss exploded while still finite (see
    /// <see cref="NetworkTrainerOptions.OnDivergence"/>); null when it became NaN or infinite.
    /// </summary>
    public double? StartingLoss { get; }

    /// <summary>1-based epoch in which the loss became non-finite.</summary>
    public int Epoch { get; }

    /// <summary>1-based mini-batch within <see cref="Epoch"/>.</summary>
    public int Batch { get; }

    /// <summary>The non-finite or exploded loss that was observed.</summary>
    public double Loss { get; }

    /// <summary>The learning rate in use when training diverged.</summary>
    public double LearningRate { get; }

    private static string Describe(double loss) =>
        double.IsNaN(loss) ? "NaN" : double.IsPositiveInfinity(loss) ? "+infinity" : double.IsNegativeInfinity(loss) ? "-infinity" : loss.ToString("G6", System.Globalization.CultureInfo.InvariantCulture);
}
