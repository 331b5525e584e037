namespace MlNetMlp.Cli;

/// <summary>What <c>train</c> checks and says about checkpoints before training, the same for the MLP and the CNN.</summary>
internal static class CheckpointNotice
{
    /// <summary>Refuses <c>--resume</c> without <c>--checkpoint-dir</c>, naming both.</summary>
    public static void RequireDirectoryToResume(bool resume, string? directory)
    {
        if (resume && directory is null)
            throw new ArgumentOutOfRangeException("--resume", "--resume needs --checkpoint-dir DIR (the directory a previous run saved its checkpoint in).");
    }

    /// <summary>
    /// Prints where checkpoints go, or which checkpoint training resumes from and how far it got; returns the
    /// epochs already done (0 without one), where the progress bar starts.
    /// </summary>
    public static int Announce(string? directory, bool resume, int everyEpochs, int epochs, Func<string, string> pathIn, Func<string, int> epochsDoneIn)
    {
        if (directory is null) return 0;
        string checkpoint = pathIn(directory);
        if (resume && File.Exists(checkpoint))
        {
            int epochsDone = epochsDoneIn(checkpoint);
            Terminal.Line($"resuming from {checkpoint}: {epochsDone} of {epochs} epochs done");
            return epochsDone;
        }
        Terminal.Line($"checkpoints every {everyEpochs} epoch(s) to {checkpoint}" + (resume ? " (none to resume from yet)" : ""));
        return 0;
    }
}
