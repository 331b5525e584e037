namespace MlNetMlp.Training;

/// <summary>The learning rate of each epoch, as PyTorch's schedulers stepped once per epoch.</summary>
internal static class LearningRates
{
    /// <summary>
    /// Rate for the 0-based <paramref name="epochIndex"/> of a run of <c>options.Epochs</c> epochs
    /// (a warm start restarts the schedule, as it restarts the optimizer state).
    /// </summary>
    public static float At(NetworkTrainerOptions options, int epochIndex) =>
        At(options.LearningRateSchedule, options.LearningRate, options.LearningRateDecay, options.LearningRateStepEpochs,
            options.MinLearningRate, options.Epochs, epochIndex);

    private static float At(LearningRateSchedule schedule, double initial, double decay, int stepEpochs, double minimum, int epochs, int epochIndex)
    {
        double rate = schedule switch
        {
            LearningRateSchedule.Constant => initial,
            // StepLR: γ^⌊epoch / step_size⌋
            LearningRateSchedule.Step => initial * Math.Pow(decay, epochIndex / Math.Max(1, stepEpochs)),
            // ExponentialLR: γ^epoch
            LearningRateSchedule.Exponential => initial * Math.Pow(decay, epochIndex),
            // CosineAnnealingLR with T_max = Epochs: η_min + (η₀ − η_min)·(1 + cos(π·epoch / T_max)) / 2
            LearningRateSchedule.Cosine => minimum + (initial - minimum) * (1 + Math.Cos(Math.PI * epochIndex / Math.Max(1, epochs))) / 2,
            _ => throw new ArgumentOutOfRangeException(nameof(schedule), schedule, "Unknown learning-rate schedule."),
        };
        return (float)rate;
    }
}
