using System.Globalization;
using MlNetMlp.Transforms;

namespace MlNetMlp.Study;

/// <summary>
/// The values a sweep may try along each dimension. A configuration takes one value per dimension; hidden layers
/// are <c>depth</c> layers starting at <c>width</c>, each next one half as wide when <see cref="Taper"/> is set
/// (512, 256, …; never below 32) or all equal otherwise.
/// </summary>
public sealed class SweepSpace
{
    public int[] Depths { get; init; } = [2];
    public int[] Widths { get; init; } = [512];
    public bool Taper { get; init; } = true;
    public MlpActivation[] Activations { get; init; } = [MlpActivation.LeakyRelu];
    public float[] L2 { get; init; } = [0f];
    public float[] LearningRates { get; init; } = [1e-3f];
    public Optimizer[] Optimizers { get; init; } = [Optimizer.Adam];
    public int[] BatchSizes { get; init; } = [200];
    public int[] Epochs { get; init; } = [30];
    public float[] Dropouts { get; init; } = [0.3f];
    public LearningRateSchedule[] Schedules { get; init; } = [LearningRateSchedule.Cosine];
    public PixelNormalizationMode[] Normalizations { get; init; } = [PixelNormalizationMode.Standardize];

    /// <summary>
    /// The default space, around the project's best single configuration (784-512-256-10 LeakyReLU Adam, dropout
    /// 0.3, cosine, 30 epochs, standardized pixels: 0.905 test accuracy), looking for more.
    /// </summary>
    public static SweepSpace Default() => new()
    {
        Depths = [2, 3],
        Widths = [512, 1024],
        Activations = [MlpActivation.LeakyRelu, MlpActivation.Relu, MlpActivation.Gelu],
        L2 = [0f, 1e-5f, 1e-4f],
        LearningRates = [1e-3f, 5e-4f],
        Optimizers = [Optimizer.Adam],
        BatchSizes = [128, 200],
        Epochs = [30, 40],
        Dropouts = [0.3f, 0.4f, 0.5f],
    };

    /// <summary>A tiny space for smoke runs: every dimension varies, each run is seconds on a subset.</summary>
    public static SweepSpace Quick() => new()
    {
        Depths = [1, 2],
        Widths = [64, 128],
        Activations = [MlpActivation.Relu, MlpActivation.LeakyRelu, MlpActivation.Tanh],
        L2 = [0f, 1e-4f],
        LearningRates = [1e-3f, 3e-3f],
        Optimizers = [Optimizer.Adam, Optimizer.Momentum],
        BatchSizes = [100, 200],
        Epochs = [2, 3],
        Dropouts = [0f, 0.2f],
    };

    /// <summary>Number of distinct configurations.</summary>
    public long Size =>
        (long)Depths.Length * Widths.Length * Activations.Length * L2.Length * LearningRates.Length * Optimizers.Length *
        BatchSizes.Length * Epochs.Length * Dropouts.Length * Schedules.Length * Normalizations.Length;

    private int[] Dimensions =>
        [Depths.Length, Widths.Length, Activations.Length, L2.Length, LearningRates.Length, Optimizers.Length,
         BatchSizes.Length, Epochs.Length, Dropouts.Length, Schedules.Length, Normalizations.Length];

    /// <summary>Hidden layers for a depth and first width.</summary>
    public int[] Layers(int depth, int width)
    {
        var layers = new int[depth];
        for (int i = 0; i < depth; i++)
            layers[i] = Taper ? Math.Max(Math.Min(32, width), width >> i) : width;
        return layers;
    }

    private MlpTrialConfig At(int[] index) => new()
    {
        HiddenLayers = Layers(Depths[index[0]], Widths[index[1]]),
        Activation = Activations[index[2]],
        L2Regularization = L2[index[3]],
        LearningRate = LearningRates[index[4]],
        Optimizer = Optimizers[index[5]],
        BatchSize = BatchSizes[index[6]],
        Epochs = Epochs[index[7]],
        Dropout = Dropouts[index[8]],
        Schedule = Schedules[index[9]],
        Normalization = Normalizations[index[10]],
    };

    /// <summary>Every configuration (the full grid), in a fixed order; duplicates (e.g. depth 0 with several widths) removed.</summary>
    public IReadOnlyList<MlpTrialConfig> Grid()
    {
        Validate();
        if (Size > 1_000_000) throw new InvalidOperationException($"The grid has {Size:N0} configurations; use random search.");
        var dims = Dimensions;
        var index = new int[dims.Length];
        var result = new List<MlpTrialConfig>();
        var seen = new HashSet<string>();
        for (long n = 0; n < Size; n++)
        {
            long rest = n;
            for (int d = dims.Length - 1; d >= 0; d--)
            {
                index[d] = (int)(rest % dims[d]);
                rest /= dims[d];
            }
            var config = At(index);
            if (seen.Add(config.Key)) result.Add(config);
        }
        return result;
    }

    /// <summary>
    /// <paramref name="count"/> distinct configurations drawn uniformly from the grid with <paramref name="seed"/>
    /// (the same seed gives the same list, so a resumed random search retries exactly the unfinished ones).
    /// </summary>
    public IReadOnlyList<MlpTrialConfig> Random(int count, int seed)
    {
        Validate();
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var random = new Random(seed);
        var dims = Dimensions;
        var result = new List<MlpTrialConfig>();
        var seen = new HashSet<string>();
        long attempts = 0, maxAttempts = Math.Max(1000, (long)count * 100);
        while (result.Count < count && result.Count < Size && attempts++ < maxAttempts)
        {
            var index = dims.Select(d => random.Next(d)).ToArray();
            var config = At(index);
            if (seen.Add(config.Key)) result.Add(config);
        }
        return result;
    }

    private void Validate()
    {
        void NonEmpty<T>(T[] values, string name)
        {
            if (values is null || values.Length == 0) throw new ArgumentException($"The sweep dimension {name} has no values.", name);
        }
        NonEmpty(Depths, "depth"); NonEmpty(Widths, "width"); NonEmpty(Activations, "activation"); NonEmpty(L2, "l2");
        NonEmpty(LearningRates, "lr"); NonEmpty(Optimizers, "optimizer"); NonEmpty(BatchSizes, "batch-size"); NonEmpty(Epochs, "epochs");
        NonEmpty(Dropouts, "dropout"); NonEmpty(Schedules, "schedule"); NonEmpty(Normalizations, "normalization");
        if (Depths.Any(d => d < 0)) throw new ArgumentOutOfRangeException("depth", "Depths must be 0 or more.");
        if (Widths.Any(w => w < 1)) throw new ArgumentOutOfRangeException("width", "Widths must be positive.");
    }

    /// <summary>One line per dimension, for reports.</summary>
    public string Describe() => string.Join("; ", new[]
    {
        $"depth {{{string.Join(", ", Depths)}}}",
        $"width {{{string.Join(", ", Widths)}}}{(Taper ? " (halving per layer)" : "")}",
        $"activation {{{string.Join(", ", Activations)}}}",
        $"λ {{{string.Join(", ", L2.Select(F))}}}",
        $"lr {{{string.Join(", ", LearningRates.Select(F))}}}",
        $"optimizer {{{string.Join(", ", Optimizers)}}}",
        $"batch {{{string.Join(", ", BatchSizes)}}}",
        $"epochs {{{string.Join(", ", Epochs)}}}",
        $"dropout {{{string.Join(", ", Dropouts.Select(F))}}}",
        $"schedule {{{string.Join(", ", Schedules)}}}",
        $"pixels {{{string.Join(", ", Normalizations)}}}",
    });

    private static string F(float value) => value.ToString("G3", CultureInfo.InvariantCulture);
}
