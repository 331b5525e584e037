using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace MlNetMlp.Numerics;

/// <summary>
/// A small set of persistent threads that run one job at a time, each call receiving its worker index.
/// The calling thread is worker 0, so a pool of one runs everything inline. A training step hands the workers
/// three jobs a few hundred microseconds apart, so both hand-offs (start and finish) first spin for up to
/// <see cref="SpinLimit"/> and only then block: waking a blocked thread costs tens of microseconds on a virtual
/// machine whose idle core has halted (measured: 2 workers on 2 cores, the update job took 45 µs per step with
/// blocking hand-offs against 16 µs for one thread doing all of it). Spinning is skipped when there are more workers
/// than cores, where a spinning thread would take the core another needs.
/// </summary>
internal sealed class WorkerPool : IDisposable
{
    /// <summary>How long a hand-off spins before it blocks: longer than the gaps inside a step, short against an epoch.</summary>
    private static readonly long SpinLimit = Stopwatch.Frequency / 5_000; // 200 µs

    private readonly Thread[] _threads;
    private readonly object _gate = new();
    private readonly bool _spin;
    private Action<int>? _job;
    private ExceptionDispatchInfo? _failure;
    private int _generation;      // incremented (interlocked) to start each job
    private int _remaining;       // workers other than 0 still running the current job
    private int _sleepingWorkers; // workers blocked on _gate waiting for a job (or about to check and block)
    private int _callerSleeping;  // 1 while the caller is blocked on _gate waiting for _remaining to reach 0
    private volatile bool _disposed;

    public WorkerPool(int workerCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(workerCount, 1);
        WorkerCount = workerCount;
        _spin = workerCount <= Environment.ProcessorCount;
        _threads = new Thread[workerCount - 1];
        for (int i = 0; i < _threads.Length; i++)
        {
            _threads[i] = new Thread(WorkerLoop) { IsBackground = true, Name = $"MlNetMlp worker {i + 1}" };
            _threads[i].Start(i + 1);
        }
    }

    public int WorkerCount { get; }

    /// <summary>Runs <paramref name="job"/>(0 .. WorkerCount−1) concurrently and waits for all; rethrows the first failure.</summary>
    public void Run(Action<int> job)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (WorkerCount == 1)
        {
            job(0);
            return;
        }
        _job = job;
        _failure = null;
        Volatile.Write(ref _remaining, WorkerCount - 1);
        Interlocked.Increment(ref _generation); // publishes the job; a full fence before reading _sleepingWorkers
        if (Volatile.Read(ref _sleepingWorkers) > 0)
            lock (_gate) Monitor.PulseAll(_gate);
        try
        {
            job(0);
        }
        finally
        {
            WaitForWorkers(); // never leave workers running on buffers the caller may reuse
            _job = null;
        }
        _failure?.Throw();
    }

    private void WaitForWorkers()
    {
        if (Volatile.Read(ref _remaining) == 0) return;
        long spinStart = Stopwatch.GetTimestamp();
        while (_spin && Stopwatch.GetTimestamp() - spinStart < SpinLimit)
        {
            Thread.SpinWait(20);
            if (Volatile.Read(ref _remaining) == 0) return;
        }
        lock (_gate)
        {
            Interlocked.Exchange(ref _callerSleeping, 1); // before the check: a worker finishing after it will pulse
            while (Volatile.Read(ref _remaining) != 0)
                Monitor.Wait(_gate);
            _callerSleeping = 0;
        }
    }

    private void WorkerLoop(object? state)
    {
        int index = (int)state!;
        int seen = 0;
        while (true)
        {
            if (!SpinForJob(seen))
            {
                lock (_gate)
                {
                    Interlocked.Increment(ref _sleepingWorkers); // before the check: a job started after it will pulse
                    while (Volatile.Read(ref _generation) == seen && !_disposed)
                        Monitor.Wait(_gate);
                    Interlocked.Decrement(ref _sleepingWorkers);
                }
            }
            if (_disposed) return;
            seen = Volatile.Read(ref _generation);
            try
            {
                _job!(index);
            }
            catch (Exception exception)
            {
                Interlocked.CompareExchange(ref _failure, ExceptionDispatchInfo.Capture(exception), null);
            }
            finally
            {
                if (Interlocked.Decrement(ref _remaining) == 0 && Volatile.Read(ref _callerSleeping) == 1)
                    lock (_gate) Monitor.PulseAll(_gate);
            }
        }
    }

    /// <summary>Spins until a job after generation <paramref name="seen"/> starts or the pool closes, for at most <see cref="SpinLimit"/> (not at all when spinning is off).</summary>
    private bool SpinForJob(int seen)
    {
        long spinStart = Stopwatch.GetTimestamp();
        while (true)
        {
            if (Volatile.Read(ref _generation) != seen || _disposed) return true;
            if (!_spin || Stopwatch.GetTimestamp() - spinStart >= SpinLimit) return false;
            Thread.SpinWait(20);
        }
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        lock (_gate) Monitor.PulseAll(_gate);
        foreach (Thread thread in _threads)
            thread.Join();
    }

    /// <summary>The <paramref name="worker"/>-th of <paramref name="workers"/> near-equal contiguous parts of [0, <paramref name="count"/>).</summary>
    public static (int Start, int Length) Split(int count, int workers, int worker)
    {
        int start = (int)((long)count * worker / workers);
        int end = (int)((long)count * (worker + 1) / workers);
        return (start, end - start);
    }
}
