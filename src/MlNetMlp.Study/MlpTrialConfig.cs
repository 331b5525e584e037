using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;
using MlNetMlp.Transforms;

namespace MlNetMlp.Study;

/// <summary>
/// One point of a hyperparameter search: everything that defines how an MLP is trained on Fashion-MNIST pixels.
/// Two configs with the same <see cref="Key"/> are the same trial; <see cref="Hash"/> names it in result files.
/// </summary>
public sealed class MlpTrialConfig : IEquatable<MlpTrialConfig>
{
    /// <summary>Hidden layer widths, input side first (empty = softmax regression).</summary>
    public int[] HiddenLayers { get; init; } = [256, 128];

    [JsonConverter(typeof(JsonStringEnumConverter<MlpActivation>))]
    public MlpActivation Activation { get; init; } = MlpActivation.LeakyRelu;

    [JsonConverter(typeof(JsonStringEnumConverter<Optimizer>))]
    public Optimizer Optimizer { get; init; } = Optimizer.Adam;

    public float LearningRate { get; init; } = 1e-3f;

    /// <summary>λ of the L2 penalty (MlpTrainer's convention, PyTorch's weight_decay).</summary>
    public float L2Regularization { get; init; }

    public int BatchSize { get; init; } = 200;

    public int Epochs { get; init; } = 20;

    public float Dropout { get; init; }

    [JsonConverter(typeof(JsonStringEnumConverter<LearningRateSchedule>))]
    public LearningRateSchedule Schedule { get; init; } = LearningRateSchedule.Constant;

    [JsonConverter(typeof(JsonStringEnumConverter<PixelNormalizationMode>))]
    public PixelNormalizationMode Normalization { get; init; } = PixelNormalizationMode.Standardize;

    /// <summary>A canonical, culture-independent description; equal keys mean equal configurations.</summary>
    [JsonIgnore]
    public string Key => string.Create(CultureInfo.InvariantCulture,
        $"hidden={(HiddenLayers.Length == 0 ? "0" : string.Join('x', HiddenLayers))};act={Activation};opt={Optimizer};lr={LearningRate:R};" +
        $"l2={L2Regularization:R};batch={BatchSize};epochs={Epochs};dropout={Dropout:R};schedule={Schedule};norm={Normalization}");

    /// <summary>First 16 hex digits of the SHA-256 of <see cref="Key"/>.</summary>
    [JsonIgnore]
    public string Hash => HashOf(Key);

    /// <summary>A short human-readable description, e.g. "784-512-256-10 LeakyRelu Adam lr=0.001 …".</summary>
    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"784-{string.Concat(HiddenLayers.Select(h => $"{h}-"))}10 {Activation} {Optimizer} lr={LearningRate:G4} batch={BatchSize} epochs={Epochs} " +
        $"l2={L2Regularization:G3} dropout={Dropout:G3} {Schedule} {Normalization}");

    /// <summary>MlpTrainer options for this configuration (columns "Label" and "Features").</summary>
    public MlpTrainer.Options ToOptions(int seed, int? threads) => new()
    {
        HiddenLayers = (int[])HiddenLayers.Clone(),
        Activation = Activation,
        Optimizer = Optimizer,
        LearningRate = LearningRate,
        L2Regularization = L2Regularization,
        BatchSize = BatchSize,
        Epochs = Epochs,
        Dropout = Dropout,
        LearningRateSchedule = Schedule,
        Seed = seed,
        NumberOfThreads = threads,
        // Per-epoch history on a small subset keeps monitoring out of the timing.
        MonitoringSubsetSize = 500,
    };

    /// <summary>First 16 hex digits of the SHA-256 of <paramref name="text"/> (UTF-8).</summary>
    public static string HashOf(string text) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16];

    public bool Equals(MlpTrialConfig? other) => other is not null && Key == other.Key;

    public override bool Equals(object? obj) => Equals(obj as MlpTrialConfig);

    public override int GetHashCode() => Key.GetHashCode(StringComparison.Ordinal);

    public override string ToString() => Describe();
}
