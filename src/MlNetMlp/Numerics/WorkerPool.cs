using System.Runtime.ExceptionServices;

namespace MlNetMlp.Numerics;

/// <summary>
/// A small set of persistent threads that run one job at a time, each call receiving its worker index.
/// The calling thread is worker 0, so a pool of one runs everything inline. Starting the workers costs a
/// few microseconds, which is why the training loop hands them whole phases (a half-batch forward and
/// backward pass) rather than single kernels.
/// </summary>
internal sealed class WorkerPool : IDisposable
{
    private readonly Thread[] _threads;
    private readonly ManualResetEventSlim[] _start;
    private readonly CountdownEvent _finished;
    private Action<int>? _job;
    private ExceptionDispatchInfo? _failure;
    private volatile bool _disposed;

    public WorkerPool(int workerCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(workerCount, 1);
        WorkerCount = workerCount;
        _threads = new Thread[workerCount - 1];
        _start = new ManualResetEventSlim[workerCount - 1];
        _finished = new CountdownEvent(1);
        for (int i = 0; i < _threads.Length; i++)
        {
            _start[i] = new ManualResetEventSlim(false);
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
        _finished.Reset(WorkerCount - 1);
        foreach (ManualResetEventSlim start in _start)
            start.Set();
        try
        {
            job(0);
        }
        finally
        {
            _finished.Wait(); // never leave workers running on buffers the caller may reuse
            _job = null;
        }
        _failure?.Throw();
    }

    private void WorkerLoop(object? state)
    {
        int index = (int)state!;
        ManualResetEventSlim start = _start[index - 1];
        while (true)
        {
            start.Wait();
            start.Reset();
            if (_disposed) return;
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
                _finished.Signal();
            }
        }
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (ManualResetEventSlim start in _start)
            start.Set();
        foreach (Thread thread in _threads)
            thread.Join();
        foreach (ManualResetEventSlim start in _start)
            start.Dispose();
        _finished.Dispose();
    }

    /// <summary>The <paramref name="worker"/>-th of <paramref name="workers"/> near-equal contiguous parts of [0, <paramref name="count"/>).</summary>
    public static (int Start, int Length) Split(int count, int workers, int worker)
    {
        int start = (int)((long)count * worker / workers);
        int end = (int)((long)count * (worker + 1) / workers);
        return (start, end - start);
    }
}
