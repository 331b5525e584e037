using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace MlNetMlp.Cli;

/// <summary>
/// This machine's arithmetic ceiling for the benchmarks to be read against: independent fused multiply-adds at the
/// widest accelerated register width, on every core at once (no memory traffic, so no kernel can go faster).
/// </summary>
internal static class FmaPeak
{
    private const int Chains = 12; // enough independent FMAs in flight to cover the latency of two FMA units

    /// <summary>Best of three ~0.1 s runs of <paramref name="threads"/> threads, in GFLOP/s (an FMA counts 2).</summary>
    public static double Measure(int threads)
    {
        double best = 0;
        for (int attempt = 0; attempt < 3; attempt++)
        {
            const long iterations = 40_000_000;
            using var start = new Barrier(threads + 1);
            var workers = Enumerable.Range(0, threads).Select(_ => new Thread(() =>
            {
                start.SignalAndWait();
                Sink = Run(iterations);
            })).ToArray();
            foreach (var worker in workers) worker.Start();
            start.SignalAndWait();
            var stopwatch = Stopwatch.StartNew();
            foreach (var worker in workers) worker.Join();
            double flop = 2.0 * Chains * LaneCount * iterations * threads;
            best = Math.Max(best, flop / stopwatch.Elapsed.TotalSeconds / 1e9);
        }
        return best;
    }

    private static int LaneCount => Vector512.IsHardwareAccelerated ? 16 : Vector256.IsHardwareAccelerated ? 8 : 4;

    private static float Sink;

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Run(long iterations)
    {
        if (Vector512.IsHardwareAccelerated) return Run512(iterations);
        if (Vector256.IsHardwareAccelerated) return Run256(iterations);
        return Run128(iterations);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Run512(long iterations)
    {
        var a = Vector512.Create(0.5f);
        var b = Vector512.Create(0.999f);
        Vector512<float> c0 = a, c1 = a, c2 = a, c3 = a, c4 = a, c5 = a, c6 = a, c7 = a, c8 = a, c9 = a, c10 = a, c11 = a;
        for (long i = 0; i < iterations; i++)
        {
            c0 = Vector512.FusedMultiplyAdd(c0, b, a); c1 = Vector512.FusedMultiplyAdd(c1, b, a); c2 = Vector512.FusedMultiplyAdd(c2, b, a);
            c3 = Vector512.FusedMultiplyAdd(c3, b, a); c4 = Vector512.FusedMultiplyAdd(c4, b, a); c5 = Vector512.FusedMultiplyAdd(c5, b, a);
            c6 = Vector512.FusedMultiplyAdd(c6, b, a); c7 = Vector512.FusedMultiplyAdd(c7, b, a); c8 = Vector512.FusedMultiplyAdd(c8, b, a);
            c9 = Vector512.FusedMultiplyAdd(c9, b, a); c10 = Vector512.FusedMultiplyAdd(c10, b, a); c11 = Vector512.FusedMultiplyAdd(c11, b, a);
        }
        return Vector512.Sum(c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Run256(long iterations)
    {
        var a = Vector256.Create(0.5f);
        var b = Vector256.Create(0.999f);
        Vector256<float> c0 = a, c1 = a, c2 = a, c3 = a, c4 = a, c5 = a, c6 = a, c7 = a, c8 = a, c9 = a, c10 = a, c11 = a;
        for (long i = 0; i < iterations; i++)
        {
            c0 = Vector256.FusedMultiplyAdd(c0, b, a); c1 = Vector256.FusedMultiplyAdd(c1, b, a); c2 = Vector256.FusedMultiplyAdd(c2, b, a);
            c3 = Vector256.FusedMultiplyAdd(c3, b, a); c4 = Vector256.FusedMultiplyAdd(c4, b, a); c5 = Vector256.FusedMultiplyAdd(c5, b, a);
            c6 = Vector256.FusedMultiplyAdd(c6, b, a); c7 = Vector256.FusedMultiplyAdd(c7, b, a); c8 = Vector256.FusedMultiplyAdd(c8, b, a);
            c9 = Vector256.FusedMultiplyAdd(c9, b, a); c10 = Vector256.FusedMultiplyAdd(c10, b, a); c11 = Vector256.FusedMultiplyAdd(c11, b, a);
        }
        return Vector256.Sum(c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Run128(long iterations)
    {
        var a = Vector128.Create(0.5f);
        var b = Vector128.Create(0.999f);
        Vector128<float> c0 = a, c1 = a, c2 = a, c3 = a, c4 = a, c5 = a, c6 = a, c7 = a, c8 = a, c9 = a, c10 = a, c11 = a;
        for (long i = 0; i < iterations; i++)
        {
            c0 = Vector128.FusedMultiplyAdd(c0, b, a); c1 = Vector128.FusedMultiplyAdd(c1, b, a); c2 = Vector128.FusedMultiplyAdd(c2, b, a);
            c3 = Vector128.FusedMultiplyAdd(c3, b, a); c4 = Vector128.FusedMultiplyAdd(c4, b, a); c5 = Vector128.FusedMultiplyAdd(c5, b, a);
            c6 = Vector128.FusedMultiplyAdd(c6, b, a); c7 = Vector128.FusedMultiplyAdd(c7, b, a); c8 = Vector128.FusedMultiplyAdd(c8, b, a);
            c9 = Vector128.FusedMultiplyAdd(c9, b, a); c10 = Vector128.FusedMultiplyAdd(c10, b, a); c11 = Vector128.FusedMultiplyAdd(c11, b, a);
        }
        return Vector128.Sum(c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11);
    }
}
