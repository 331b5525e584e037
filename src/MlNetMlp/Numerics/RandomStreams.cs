namespace MlNetMlp.Numerics;

/// <summary>Independent, reproducible random streams derived from one user seed.</summary>
internal static class RandomStreams
{
    public const int SplitStream = 1, TrainMonitoringStream = 2, ValidationMonitoringStream = 3, ShuffleStream = 4, DropoutStream = 5, AugmentationStream = 6;

    /// <summary>A seed for one purpose, so that e.g. turning dropout on does not change the shuffling.</summary>
    public static int SubSeed(int seed, int purpose) => (int)Mix(((ulong)(uint)seed << 8) | (uint)purpose);

    /// <summary>A seed for one epoch of a stream: each epoch's randomness is independent of how many epochs ran before.</summary>
    public static int EpochSeed(int streamSeed, int epoch) => (int)Mix(((ulong)(uint)streamSeed << 32) | (uint)epoch);

    /// <summary>SplitMix64's finalizer: a cheap bijective hash with good avalanche.</summary>
    public static ulong Mix(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }

    /// <summary>Fisher–Yates shuffle in place.</summary>
    public static void Shuffle(Span<int> values, Random random)
    {
        for (int i = values.Length - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (values[i], values[j]) = (values[j], values[i]);
        }
    }
}
