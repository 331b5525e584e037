using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using MlNetMlp.Numerics;

namespace MlNetMlp.Cli;

/// <summary>
/// This machine's arithmetic ceiling for the benchmarks to be read against: independent fused multiply-adds at the
/// widest accelerated register width (the kernels' own <see cref="IVectorOps{TVector}"/>), on every core at once
/// (no memory traffic, so no kernel can go faster).
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

    private static int LaneCount => (int)Simd.Best;

    private static float Sink;

    private static float Run(long iterations) => Simd.Best switch
    {
        SimdWidth.Vector512 => Run<Vector512Ops, Vector512<float>>(iterations),
        SimdWidth.Vector256 => Run<Vector256Ops, Vector256<float>>(iterations),
        SimdWidth.Vector128 => Run<Vector128Ops, Vector128<float>>(iterations),
        _ => Run<ScalarOps, float>(iterations),
    };

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Run<TOps, TVector>(long iterations)
        where TOps : struct, IVectorOps<TVector>
        where TVector : struct
    {
        TVector a = TOps.Broadcast(0.5f), b = TOps.Broadcast(0.999f);
        TVector c0 = a, c1 = a, c2 = a, c3 = a, c4 = a, c5 = a, c6 = a, c7 = a, c8 = a, c9 = a, c10 = a, c11 = a;
        for (long i = 0; i < iterations; i++)
        {
            c0 = TOps.MultiplyAdd(c0, b, a); c1 = TOps.MultiplyAdd(c1, b, a); c2 = TOps.MultiplyAdd(c2, b, a);
            c3 = TOps.MultiplyAdd(c3, b, a); c4 = TOps.MultiplyAdd(c4, b, a); c5 = TOps.MultiplyAdd(c5, b, a);
            c6 = TOps.MultiplyAdd(c6, b, a); c7 = TOps.MultiplyAdd(c7, b, a); c8 = TOps.MultiplyAdd(c8, b, a);
            c9 = TOps.MultiplyAdd(c9, b, a); c10 = TOps.MultiplyAdd(c10, b, a); c11 = TOps.MultiplyAdd(c11, b, a);
        }
        TVector sum = TOps.Add(TOps.Add(TOps.Add(c0, c1), TOps.Add(c2, c3)), TOps.Add(TOps.Add(c4, c5), TOps.Add(c6, c7)));
        return TOps.Sum(TOps.Add(sum, TOps.Add(TOps.Add(c8, c9), TOps.Add(c10, c11))));
    }
}
