namespace MlNetMlp.Numerics;

/// <summary>
/// Where a training loop saves its checkpoints (<paramref name="FilePath"/>), every how many epochs, and the checkpoint
/// it resumes from (if any). One shape for every trainer; <typeparamref name="TCheckpoint"/> is that trainer's checkpoint.
/// </summary>
internal sealed record Checkpointing<TCheckpoint>(string FilePath, int EveryEpochs, TCheckpoint? ResumeFrom) where TCheckpoint : class
{
    /// <summary>
    /// The checkpointing a trainer's options ask for: none without a directory; otherwise the file
    /// <paramref name="pathIn"/>(directory), and the checkpoint there to resume from when <paramref name="resume"/> is set
    /// and it exists (<see cref="CheckpointFile.LoadForResume"/>: its seed must match <paramref name="requestedSeed"/>).
    /// </summary>
    public static Checkpointing<TCheckpoint>? Open(string? directory, Func<string, string> pathIn, int everyEpochs, bool resume, int? requestedSeed,
        Func<string, TCheckpoint> load, Func<TCheckpoint, int> seedOf)
    {
        if (directory is null) return null;
        string path = pathIn(directory);
        return new Checkpointing<TCheckpoint>(path, everyEpochs, CheckpointFile.LoadForResume(path, resume, requestedSeed, load, seedOf));
    }

    /// <summary>Whether to save after <paramref name="epochsDone"/> epochs: every <see cref="EveryEpochs"/>, and after the last.</summary>
    public bool IsDue(int epochsDone, bool last) => last || epochsDone % EveryEpochs == 0;
}
