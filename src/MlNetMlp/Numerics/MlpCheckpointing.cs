namespace MlNetMlp.Numerics;

/// <summary>Where the training loop saves checkpoints, how often, and the checkpoint it resumes from (if any).</summary>
internal sealed record MlpCheckpointing(string Directory, int EveryEpochs, TrainingCheckpoint? ResumeFrom)
{
    public string FilePath => TrainingCheckpoint.PathIn(Directory);
}
