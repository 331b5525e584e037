namespace MlNetMlp;

/// <summary>
/// The option rules every trainer shares (checkpoints, streaming), kept in one place so that
/// <see cref="MlpTrainer.Options"/> and <see cref="CnnTrainer.Options"/> accept and refuse alike. The options
/// carry the same names in every trainer.
/// </summary>
internal static class TrainerOptionRules
{
    /// <summary>Throws naming option <paramref name="name"/> (and its <paramref name="value"/>) unless <paramref name="ok"/>; <paramref name="rule"/> reads "must be …".</summary>
    public delegate void Require(bool ok, string name, object? value, string rule);

    public static void Streaming(Require require, int shuffleBufferSize, float validationFraction)
    {
        require(shuffleBufferSize >= 0, nameof(MlpTrainer.Options.ShuffleBufferSize), shuffleBufferSize, "must be zero (read all rows into memory) or positive");
        require(shuffleBufferSize == 0 || validationFraction == 0, nameof(MlpTrainer.Options.ValidationFraction), validationFraction,
            "must be 0 when streaming (ShuffleBufferSize > 0); pass a validation IDataView to Fit instead");
    }

    public static void Checkpoints(Require require, string? directory, int everyEpochs, bool resume)
    {
        require(directory is null || !string.IsNullOrWhiteSpace(directory), nameof(MlpTrainer.Options.CheckpointDirectory), directory,
            "must be null (no checkpoints) or name a directory");
        require(everyEpochs > 0, nameof(MlpTrainer.Options.CheckpointEveryEpochs), everyEpochs, "must be at least 1");
        require(!resume || directory is not null, nameof(MlpTrainer.Options.CheckpointDirectory), directory,
            "must name the directory to resume from when ResumeFromCheckpoint is true");
    }
}
