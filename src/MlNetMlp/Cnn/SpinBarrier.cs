namespace MlNetMlp.Cnn;

/// <summary>
/// A reusable barrier for the few workers of one training step: batch normalization needs the statistics of
/// the whole batch, so the workers meet there (a handful of times per mini-batch). Waiting spins, then yields.
/// If a worker fails it breaks the barrier, and the others stop waiting and throw instead of hanging.
/// </summary>
internal sealed class SpinBarrier
{
    private readonly int _participants;
    private int _arrived;
    private volatile int _phase;
    private volatile bool _broken;

    public SpinBarrier(int participants)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(participants, 1);
        _participants = participants;
    }

    public int Participants => _participants;

    /// <summary>Waits until every participant has called <see cref="Wait"/> for this phase.</summary>
    public void Wait()
    {
        if (_participants == 1) return;
        if (_broken) throw new OperationCanceledException("Another worker of the training step failed.");
        int phase = _phase;
        if (Interlocked.Increment(ref _arrived) == _participants)
        {
            _arrived = 0;
            _phase = phase + 1; // releases the others (volatile write after the reset)
            return;
        }
        var spinner = new SpinWait();
        while (_phase == phase)
        {
            if (_broken) throw new OperationCanceledException("Another worker of the training step failed.");
            spinner.SpinOnce(sleep1Threshold: -1);
        }
    }

    /// <summary>Marks the barrier broken (a participant failed): current and future waiters throw.</summary>
    public void Break() => _broken = true;

    /// <summary>Makes a broken barrier usable again; call only when no participant is inside <see cref="Wait"/>.</summary>
    public void Reset()
    {
        _arrived = 0;
        _broken = false;
    }
}
