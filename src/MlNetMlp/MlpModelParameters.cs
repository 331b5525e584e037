using Microsoft.ML;
using MlNetMlp.Mapping;
using MlNetMlp.Numerics;
using MlNetMlp.Persistence;
using MlNetMlp.Scoring;

namespace MlNetMlp;

/// <summary>
/// A trained multilayer perceptron: layer sizes, activation, weights and biases, and the
/// per-epoch training history. Produced by <see cref="MlpTrainer"/>; pass it back to
/// the Fit(trainData, initialModel) of an MLP trainer to continue training.
/// </summary>
public sealed class MlpModelParameters : NetworkModelParameters
{
    private const int MaxLayerWidth = 1 << 24;

    internal MlpModelParameters(MlpNetwork network, IReadOnlyList<EpochRecord> history) : base(history)
    {
        Network = network;
    }

    internal MlpNetwork Network { get; }

    /// <summary>The network laid out for scoring, built on first use (the network never changes once a model exists).</summary>
    internal MlpScoringNetwork ScoringNetwork => LazyInitializer.EnsureInitialized(ref _scoringNetwork, () => new MlpScoringNetwork(Network));

    private MlpScoringNetwork? _scoringNetwork;

    /// <summary>Length of the feature vector the network reads.</summary>
    public override int InputSize => Network.InputSize;

    /// <summary>Units of the output layer (<see cref="ClassCount"/>).</summary>
    public override int OutputCount => Network.ClassCount;

    /// <summary>Number of classes (softmax outputs) of a multiclass model; the output layer's width whatever the task.</summary>
    public int ClassCount => Network.ClassCount;

    /// <summary>Hidden layer widths, input side first; empty for softmax regression.</summary>
    public IReadOnlyList<int> HiddenLayers => Network.LayerSizes[1..^1];

    /// <summary>Nonlinearity of the hidden layers.</summary>
    public MlpActivation Activation => Network.Activation;

    /// <summary>Negative slope used by <see cref="MlpActivation.LeakyRelu"/>.</summary>
    public float LeakyReluSlope => Network.LeakyReluSlope;

    /// <summary>Alpha used by <see cref="MlpActivation.Elu"/>.</summary>
    public float EluAlpha => Network.EluAlpha;

    /// <summary>Number of linear layers (hidden layers + the output layer).</summary>
    public int LinearLayerCount => Network.LinearLayerCount;

    /// <summary>Total number of trainable weights and biases.</summary>
    public override long ParameterCount => Network.ParameterCount;

    internal override NetworkKind Kind => NetworkKind.Mlp;

    internal override IRowMapping BindScoring(ScoringTask task, DataViewSchema inputSchema, string featureColumnName) =>
        new NetworkScoringMapping<MlpInferenceWorkspace>(ScoringNetwork, task, inputSchema, featureColumnName);

    /// <summary>A copy of layer <paramref name="layer"/>'s weights, shaped [out, in] row-major like PyTorch's <c>nn.Linear.weight</c>.</summary>
    public float[] GetWeights(int layer)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(layer);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(layer, LinearLayerCount);
        return (float[])Network.Weights[layer].Clone();
    }

    /// <summary>A copy of layer <paramref name="layer"/>'s biases.</summary>
    public float[] GetBiases(int layer)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(layer);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(layer, LinearLayerCount);
        return (float[])Network.Biases[layer].Clone();
    }

    /// <summary>Class probabilities for one feature vector (convenience; pipelines score through the transformer).</summary>
    public float[] PredictProbabilities(ReadOnlySpan<float> features)
    {
        if (features.Length != InputSize)
            throw new ArgumentOutOfRangeException(nameof(features), features.Length, $"Expected {InputSize} features.");
        var probabilities = new float[ClassCount];
        ScoringNetwork.PredictProbabilities(features, 1, probabilities, ScoringNetwork.CreateWorkspace(1));
        return probabilities;
    }

    internal override void Save(BinaryWriter writer)
    {
        var sizes = Network.LayerSizes;
        writer.Write(sizes.Length);
        foreach (var size in sizes) writer.Write(size);
        writer.Write((int)Network.Activation);
        writer.Write(Network.LeakyReluSlope);
        writer.Write(Network.EluAlpha);
        for (int layer = 0; layer < Network.LinearLayerCount; layer++)
        {
            writer.WriteFloats(Network.Weights[layer]);
            writer.WriteFloats(Network.Biases[layer]);
        }
        // Wall time is not persisted: it would make equal models differ byte for byte.
        Persistence.EpochHistoryFormat.Write(writer, History, withElapsed: false);
    }

    internal static MlpModelParameters Load(BinaryReader reader)
    {
        int sizeCount = reader.ReadCount(1024, "layer count");
        if (sizeCount < 2) throw ModelFormat.Corrupt($"{sizeCount} layer sizes (need at least input and output)");
        var sizes = new int[sizeCount];
        for (int i = 0; i < sizeCount; i++)
        {
            sizes[i] = reader.ReadInt32();
            if (sizes[i] <= 0 || sizes[i] > MaxLayerWidth) throw ModelFormat.Corrupt($"layer size {sizes[i]}");
        }
        // Refuse sizes the file cannot hold before allocating anything (a corrupt header must not cost gigabytes).
        long parameterBytes = 0;
        for (int i = 0; i + 1 < sizeCount; i++)
        {
            long weights = (long)sizes[i] * sizes[i + 1];
            if (weights > Array.MaxLength) throw ModelFormat.Corrupt($"layer sizes {sizes[i]} × {sizes[i + 1]} make {weights:N0} weights, more than one array can hold");
            parameterBytes += 4L * (weights + sizes[i + 1]);
        }
        if (parameterBytes / sizeof(float) > Array.MaxLength)
            throw ModelFormat.Corrupt($"layer sizes [{string.Join(", ", sizes)}] make {parameterBytes / sizeof(float):N0} parameters, more than one array can hold");
        if (!reader.BaseStream.CanSeek && parameterBytes > TrainingMemory.AvailableBytes)
            throw ModelFormat.Corrupt($"layer sizes [{string.Join(", ", sizes)}] need {parameterBytes:N0} bytes of weights, more than the memory available");
        if (reader.BaseStream.CanSeek && parameterBytes > reader.BaseStream.Length - reader.BaseStream.Position)
            throw ModelFormat.Corrupt($"layer sizes [{string.Join(", ", sizes)}] need {parameterBytes:N0} bytes of weights, but only {reader.BaseStream.Length - reader.BaseStream.Position:N0} remain");
        int activation = reader.ReadInt32();
        if (!Enum.IsDefined(typeof(MlpActivation), activation)) throw ModelFormat.Corrupt($"unknown activation {activation}");
        float leakyReluSlope = reader.ReadSingle(), eluAlpha = reader.ReadSingle();
        if (!float.IsFinite(leakyReluSlope) || !float.IsFinite(eluAlpha))
            throw ModelFormat.Corrupt(FormattableString.Invariant($"activation parameters {leakyReluSlope} and {eluAlpha} (they must be finite numbers)"));
        var network = new MlpNetwork(sizes, (MlpActivation)activation, leakyReluSlope, eluAlpha);
        for (int layer = 0; layer < network.LinearLayerCount; layer++)
        {
            reader.ReadFloats(network.Weights[layer].Length, $"layer {layer} weights").CopyTo(network.Weights[layer], 0);
            reader.ReadFloats(sizes[layer + 1], $"layer {layer} biases").CopyTo(network.Biases[layer], 0);
        }
        var history = Persistence.EpochHistoryFormat.Read(reader, reader.ReadCount(10_000_000, "history length"), withElapsed: false);
        return new MlpModelParameters(network, history);
    }
}
