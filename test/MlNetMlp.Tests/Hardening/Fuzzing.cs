using System.Buffers.Binary;
using System.Diagnostics;

namespace MlNetMlp.Tests.Hardening;

/// <summary>
/// Seeded byte-level mutations for fuzz tests. Every choice comes from the one <see cref="Random"/>, so a
/// failure reported with its seed and iteration number replays exactly.
/// </summary>
internal sealed class Mutator(Random random)
{
    /// <summary>Header values that break size arithmetic: zero, one, negatives, int limits, Array.MaxLength and neighbors.</summary>
    public static readonly int[] ExtremeInts =
    [
        0, 1, 2, -1, -2, int.MinValue, int.MaxValue, int.MaxValue - 1, 0x7FFFFFC7, 0x7FFFFFC8, 0x40000000, 0x20000000,
        0x01000000, 0x00010000, 0x8000, 16384, 16385, 255, 256, 65535, 28, 27, 29, 5, 4, 3, 6, 0x00000801, 0x00000803,
    ];

    public Random Random { get; } = random;

    public int Extreme() => Random.Next(4) == 0 ? Random.Next(int.MinValue, int.MaxValue) : ExtremeInts[Random.Next(ExtremeInts.Length)];

    /// <summary>One generic mutation anywhere in <paramref name="data"/> (never returns the input array itself).</summary>
    public byte[] Generic(byte[] data) => Random.Next(7) switch
    {
        0 => FlipBits(data),
        1 => SetBytes(data),
        2 => Truncate(data),
        3 => Insert(data),
        4 => Delete(data),
        5 => AppendGarbage(data),
        _ => SetInt32(data, data.Length < 4 ? 0 : Random.Next(data.Length - 3)),
    };

    public byte[] FlipBits(byte[] data)
    {
        var result = (byte[])data.Clone();
        if (result.Length == 0) return result;
        for (int n = Random.Next(1, 5); n > 0; n--)
            result[Random.Next(result.Length)] ^= (byte)(1 << Random.Next(8));
        return result;
    }

    public byte[] SetBytes(byte[] data)
    {
        var result = (byte[])data.Clone();
        if (result.Length == 0) return result;
        ReadOnlySpan<byte> interesting = [0x00, 0xFF, 0x7F, 0x80, 0x01, 0xFE];
        for (int n = Random.Next(1, 5); n > 0; n--)
            result[Random.Next(result.Length)] = Random.Next(2) == 0 ? interesting[Random.Next(interesting.Length)] : (byte)Random.Next(256);
        return result;
    }

    public byte[] Truncate(byte[] data) => data.Length == 0 ? data : data[..Random.Next(data.Length)];

    public byte[] Insert(byte[] data)
    {
        int at = Random.Next(data.Length + 1);
        var bytes = new byte[Random.Next(1, 9)];
        Random.NextBytes(bytes);
        return [.. data.AsSpan(0, at), .. bytes, .. data.AsSpan(at)];
    }

    public byte[] Delete(byte[] data)
    {
        if (data.Length == 0) return data;
        int at = Random.Next(data.Length);
        int count = Math.Min(data.Length - at, Random.Next(1, 9));
        return [.. data.AsSpan(0, at), .. data.AsSpan(at + count)];
    }

    public byte[] AppendGarbage(byte[] data)
    {
        var bytes = new byte[Random.Next(1, 65)];
        if (Random.Next(3) != 0) Random.NextBytes(bytes);
        return [.. data, .. bytes];
    }

    /// <summary>Writes an extreme big-endian int at <paramref name="offset"/> (as far as the data reaches).</summary>
    public byte[] SetInt32(byte[] data, int offset) => SetInt32(data, offset, Extreme());

    public static byte[] SetInt32(byte[] data, int offset, int value)
    {
        var result = (byte[])data.Clone();
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, value);
        for (int i = 0; i < 4 && offset + i < result.Length; i++)
            if (offset + i >= 0) result[offset + i] = word[i];
        return result;
    }
}

internal static class Fuzzing
{
    /// <summary>Environment variable that raises the iterations per seed for a longer fuzzing campaign (default: the test's own count).</summary>
    public const string IterationsVariable = "MLNETMLP_FUZZ_ITERATIONS";

    public static int Iterations(int defaultCount) =>
        int.TryParse(Environment.GetEnvironmentVariable(IterationsVariable), out int n) && n > 0 ? n : defaultCount;

    /// <summary>Environment variable whose integer value is added to every fuzz seed, to explore new inputs in a campaign.</summary>
    public const string SeedOffsetVariable = "MLNETMLP_FUZZ_SEED_OFFSET";

    /// <summary>The seed actually used for a test's <paramref name="seed"/> (the one to report for a replay).</summary>
    public static int Seed(int seed) =>
        int.TryParse(Environment.GetEnvironmentVariable(SeedOffsetVariable), out int offset) ? unchecked(seed + offset) : seed;

    /// <summary>The watchdog limit for <paramref name="iterations"/> iterations: generous, since a hang is unbounded anyway.</summary>
    public static TimeSpan Limit(int iterations) => TimeSpan.FromSeconds(Math.Max(60, iterations / 100));

    /// <summary>
    /// Runs <paramref name="body"/> on a worker thread and fails the test, naming where the fuzzer was, when it
    /// does not finish in time (a hang in the code under test).
    /// </summary>
    public static void RunWithWatchdog(TimeSpan limit, Func<string> where, Action body)
    {
        var task = Task.Factory.StartNew(body, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        if (!task.Wait(limit))
            Assert.Fail($"The fuzz loop did not finish within {limit.TotalSeconds} s (hang?); it was at {where()}.");
        task.GetAwaiter().GetResult();
    }

    /// <summary>Bytes allocated on this thread while <paramref name="action"/> runs, and what it threw (null when nothing).</summary>
    public static (long Bytes, Exception? Thrown, TimeSpan Elapsed) MeasureAllocation(Action action)
    {
        var watch = Stopwatch.StartNew();
        long before = GC.GetAllocatedBytesForCurrentThread();
        Exception? thrown = null;
        try
        {
            action();
        }
        catch (Exception e)
        {
            thrown = e;
        }
        long after = GC.GetAllocatedBytesForCurrentThread();
        return (after - before, thrown, watch.Elapsed);
    }
}
