namespace MlNetMlp.Numerics;

/// <summary>
/// Where a training loop saves its checkpoints (<paramref name="FilePath"/>), every how many epochs, and the checkpoint
/// it resumes from (if any). One shape for every trainer; <typeparamref name="TCheckpoint"/> is that trainer's checkpoint.
/// </summary>
internal sealed record Checkpointing<TCheckpoint>(string FilePath, int EveryEpochs, TCheckpoint? ResumeFrom) where TCheckpoint : class
{
    /// <summary>Whether to save after <paramref name="epochsDone"/> epochs: every <see cref="EveryEpochs"/>, and after the last.</summary>
    public bool IsDue(int epochsDone, bool last) => last || epochsDone % EveryEpochs == 0;
}
