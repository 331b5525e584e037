namespace MlNetMlp.Numerics;

/// <summary>The learning rate of each epoch, as PyTorch's schedulers stepped once per epoch.</summary>
internal static class LearningRateSchedule
{
    /// <summary>
    /// Rate for the 0-based <paramref name="epochIndex"/> of a run of <c>options.Epochs</c> epochs
    /// (a warm start restarts the schedule, as it restarts the optimizer state).
    /// </summary>
    public static float At(MlpTrainer.Options options, int epochIndex)
    {
        double initial = options.LearningRate;
        double rate = options.LearningRateSchedule switch
        {
            MlpLearningRateSchedule.Constant => initial,
            // StepLR: γ^⌊epoch / step_size⌋
            MlpLearningRateSchedule.Step => initial * Math.Pow(options.LearningRateDecay, epochIndex / Math.Max(1, options.LearningRateStepEpochs)),
            // ExponentialLR: γ^epoch
            MlpLearningRateSchedule.Exponential => initial * Math.Pow(options.LearningRateDecay, epochIndex),
            // CosineAnnealingLR with T_max = Epochs: η_min + (η₀ − η_min)·(1 + cos(π·epoch / T_max)) / 2
            MlpLearningRateSchedule.Cosine => options.MinLearningRate
                + (initial - options.MinLearningRate) * (1 + Math.Cos(Math.PI * epochIndex / Math.Max(1, options.Epochs))) / 2,
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.LearningRateSchedule, "Unknown learning-rate schedule."),
        };
        return (float)rate;
    }
}
