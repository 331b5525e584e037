using MlNetMlp.Numerics;

namespace MlNetMlp.Tests.Numerics;

[TestClass]
public sealed class WorkerPoolTests
{
    [TestMethod]
    public void RunCallsEveryWorkerIndexOnceOnDistinctThreads()
    {
        using var pool = new WorkerPool(3);
        for (int repeat = 0; repeat < 50; repeat++)
        {
            var calls = new int[3];
            var threads = new int[3];
            pool.Run(worker =>
            {
                Interlocked.Increment(ref calls[worker]);
                threads[worker] = Environment.CurrentManagedThreadId;
            });
            CollectionAssert.AreEqual(new[] { 1, 1, 1 }, calls);
            Assert.AreEqual(Environment.CurrentManagedThreadId, threads[0], "worker 0 is the calling thread");
            Assert.AreEqual(3, threads.Distinct().Count());
        }
    }

    [TestMethod]
    public void JobsRunWhetherTheWorkersAreSpinningOrAsleep()
    {
        // Back-to-back jobs find the workers spinning; after a pause longer than the spin they are blocked and must be
        // woken; with more workers than cores nobody spins. Each job must run every worker once and finish before Run returns.
        foreach (int workers in new[] { 2, Environment.ProcessorCount + 2 })
        {
            using var pool = new WorkerPool(workers);
            long total = 0;
            for (int job = 0; job < 300; job++)
            {
                if (job % 50 == 49) Thread.Sleep(5);
                var calls = new int[workers];
                pool.Run(worker =>
                {
                    if (worker == workers - 1 && job % 7 == 0) Thread.Sleep(1); // the caller outlasts its spin waiting for a worker
                    Interlocked.Increment(ref calls[worker]);
                });
                CollectionAssert.AreEqual(Enumerable.Repeat(1, workers).ToArray(), calls, $"{workers} workers, job {job}");
                total += calls.Sum();
            }
            Assert.AreEqual(300L * workers, total);
        }
    }

    [TestMethod]
    public void FailuresInAnyWorkerReachTheCaller()
    {
        using var pool = new WorkerPool(2);
        var exception = Assert.ThrowsExactly<InvalidOperationException>(() => pool.Run(worker =>
        {
            if (worker == 1) throw new InvalidOperationException("worker 1 failed");
        }));
        Assert.AreEqual("worker 1 failed", exception.Message);
        int ran = 0;
        pool.Run(_ => Interlocked.Increment(ref ran)); // still usable
        Assert.AreEqual(2, ran);
    }

    [TestMethod]
    public void SplitCoversTheRangeInOrder()
    {
        foreach (int count in new[] { 0, 1, 7, 200 })
        {
            foreach (int workers in new[] { 1, 2, 3 })
            {
                int next = 0;
                for (int w = 0; w < workers; w++)
                {
                    (int start, int length) = WorkerPool.Split(count, workers, w);
                    Assert.AreEqual(next, start);
                    Assert.IsLessThanOrEqualTo(1, Math.Abs(length - count / workers));
                    next = start + length;
                }
                Assert.AreEqual(count, next);
            }
        }
    }
}
