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
