using MlNetMlp.Persistence;

namespace MlNetMlp.Training;

/// <summary>
/// Where a training loop saves its checkpoints (<paramref name="FilePath"/>), every how many epochs, and the checkpoint
/// it resumes from (if any). One shape for every trainer; <typeparamref name="TCheckpoint"/> is that trainer's checkpoint.
/// </summary>
internal sealed record Checkpointing<TCheckpoint>(string FilePath, int EveryEpochs, TCheckpoint? ResumeFrom) where TCheckpoint : class
{
    /// <summary>
    /// The checkpointing a trainer's options ask for: none without a directory; otherwise the file
    /// <paramref name="pathIn"/>(directory), and the checkpoint there to resume from when <paramref name="resume"/> is set
    /// and it exists (<paramref name="loadForResume"/>(directory): its seed must match the options' seed).
    /// Before any training it checks that the directory can hold the checkpoint (a directory or nothing yet, the file
    /// a regular one or nothing yet), and removes the temporary files a killed save left there.
    /// </summary>
    /// <exception cref="IOException">The directory is a file, or the checkpoint's path is a device, pipe, directory...</exception>
    public static Checkpointing<TCheckpoint>? Open(string? directory, Func<string, string> pathIn, int everyEpochs, bool resume,
        Func<string, TCheckpoint?> loadForResume)
    {
        if (directory is null) return null;
        var kind = RegularFile.KindOf(directory, followLinks: true);
        if (kind is not (FileKind.Missing or FileKind.Directory))
            throw new IOException($"{directory}: the checkpoint directory (CheckpointDirectory) is not a directory but {RegularFile.Describe(kind)}.");
        string path = pathIn(directory);
        RegularFile.ResolveForWriting(path);
        if (kind == FileKind.Directory) AtomicFile.RemoveStaleTemporaries(Path.GetDirectoryName(RegularFile.Canonical(path))!);
        return new Checkpointing<TCheckpoint>(path, everyEpochs, resume ? loadForResume(directory) : null);
    }

    /// <summary>Whether to save after <paramref name="epochsDone"/> epochs: every <see cref="EveryEpochs"/>, and after the last.</summary>
    public bool IsDue(int epochsDone, bool last) => last || epochsDone % EveryEpochs == 0;
}
