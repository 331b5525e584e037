namespace MlNetMlp.Training;

/// <summary>
/// Decides, batch by batch, whether training diverged, the same way for every trainer: the loss is NaN or infinite,
/// or it exploded while still finite, to more than <see cref="ExplodingFactor"/> times the starting loss (the run's
/// first mini-batch, and never less than the head's uninformed loss: ln(classes) for a uniform guess, ln 2 for a binary
/// one, ½ for the mean of a standardized regression target). For a classifier, a loss 100 times the uniform guess's means
/// the right class gets a probability below e^-100·ln(K) on average: no training that is converging passes there, while
/// an exploding one (too large a learning rate) passes it within a few batches.
/// </summary>
internal sealed class DivergenceWatch(double uninformedLoss, double startingLoss = double.NaN)
{
    /// <summary>How many times the starting loss a finite loss may reach before it counts as divergence.</summary>
    public const double ExplodingFactor = 100;

    /// <summary>The loss of the run's first mini-batch (NaN until one ran); saved in checkpoints so a resumed run judges alike.</summary>
    public double StartingLoss { get; private set; } = startingLoss;

    /// <summary>The exception describing the divergence when <paramref name="loss"/> diverged, else null.</summary>
    public TrainingDivergedException? Check(double loss, int epoch, int batch, double learningRate)
    {
        if (!double.IsFinite(loss)) return new TrainingDivergedException(epoch, batch, loss, learningRate);
        if (double.IsNaN(StartingLoss)) StartingLoss = loss;
        double reference = Math.Max(StartingLoss, uninformedLoss);
        return loss > ExplodingFactor * reference
            ? new TrainingDivergedException(epoch, batch, loss, learningRate, StartingLoss, ExplodingFactor)
            : null;
    }
}
