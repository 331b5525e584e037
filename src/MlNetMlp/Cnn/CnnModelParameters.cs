using Microsoft.ML;
using MlNetMlp.Cnn;
using MlNetMlp.Mapping;
using MlNetMlp.Persistence;
using MlNetMlp.Scoring;

namespace MlNetMlp;

/// <summary>
/// A trained convolutional network: input shape, layers, parameters, batch-norm running statistics, pixel scale and
/// the per-epoch training history. Produced by <see cref="CnnTrainer"/>; pass it back to
/// the Fit(trainData, initialModel) of a CNN trainer to continue training.
/// </summary>
public sealed class CnnModelParameters : NetworkModelParameters
{
    // Version 1 stored each epoch's wall time; version 2 leaves it out, so equal models save to equal bytes.
    private const int FormatVersion = 2, WallTimeFormatVersion = 1;

    internal CnnModelParameters(CnnNetwork network, IReadOnlyList<EpochRecord> history) : base(history)
    {
        Network = network;
    }

    internal CnnNetwork Network { get; }

    /// <summary>The network as scoring runs it (inference mode).</summary>
    internal CnnScoringNetwork ScoringNetwork => LazyInitializer.EnsureInitialized(ref _scoringNetwork, () => new CnnScoringNetwork(Network));

    private CnnScoringNetwork? _scoringNetwork;

    /// <summary>Channels of the input images.</summary>
    public int ImageChannels => Network.InputShape.Channels;

    /// <summary>Height of the input images in pixels.</summary>
    public int ImageHeight => Network.InputShape.Height;

    /// <summary>Width of the input images in pixels.</summary>
    public int ImageWidth => Network.InputShape.Width;

    /// <summary>Values per input row, channels × height × width.</summary>
    public override int InputSize => Network.InputShape.Size;

    /// <summary>Units of the output layer (<see cref="ClassCount"/>).</summary>
    public override int OutputCount => Network.ClassCount;

    /// <summary>Number of classes (softmax outputs) of a multiclass model; the output layer's width whatever the task.</summary>
    public int ClassCount => Network.ClassCount;

    /// <summary>Multiplier applied to each pixel before the first layer.</summary>
    public float PixelScale => Network.PixelScale;

    /// <summary>The hidden layers as configured (the output layer, dense with <see cref="ClassCount"/> units, follows them).</summary>
    public IReadOnlyList<CnnLayerSpec> Layers => Network.Specs;

    /// <summary>The hidden layers in <see cref="CnnLayerSpec"/>'s text form.</summary>
    public string LayersText => CnnLayerSpec.Format(Network.Specs);

    /// <summary>Total number of trainable parameters.</summary>
    public override long ParameterCount => Network.Parameters.Length;

    /// <summary>
    /// Names of the parameter tensors, in order: "conv1.weight", "conv1.bias", "bn1.weight", "bn1.bias", …,
    /// the last dense layer being the output layer.
    /// </summary>
    public IReadOnlyList<string> ParameterNames => Network.ParameterTensors.Select(t => t.Name).ToArray();

    /// <summary>Names of the batch-norm running statistics: "bn1.running_mean", "bn1.running_var", ….</summary>
    public IReadOnlyList<string> BufferNames => Network.BufferTensors.Select(t => t.Name).ToArray();

    internal override NetworkKind Kind => NetworkKind.Cnn;

    internal override IRowMapping BindScoring(ScoringTask task, DataViewSchema inputSchema, string featureColumnName) =>
        new NetworkScoringMapping<CnnWorkspace>(ScoringNetwork, task, inputSchema, featureColumnName);

    /// <summary>
    /// A copy of a parameter or running-statistic tensor in PyTorch's layout (convolution weights
    /// [out, in, k, k], dense weights [out, in]), so it can be compared with or loaded into the equivalent
    /// <c>nn.Module</c>'s state_dict.
    /// </summary>
    public float[] GetTensor(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (Network.FindBuffer(name) is { } buffer) return Network.Buffers.AsSpan(buffer.Offset, buffer.Length).ToArray();
        var tensor = Network.FindParameter(name)
            ?? throw new ArgumentOutOfRangeException(nameof(name), name, $"No tensor '{name}'. Tensors: {string.Join(", ", ParameterNames.Concat(BufferNames))}.");
        var values = Network.Parameters.AsSpan(tensor.Offset, tensor.Length);
        return tensor.Shape.Length == 4
            ? TensorLayout.HwioToOihw(values, tensor.Shape[0], tensor.Shape[1], tensor.Shape[2])
            : values.ToArray();
    }

    /// <summary>The PyTorch shape of tensor <paramref name="name"/>.</summary>
    public IReadOnlyList<int> GetTensorShape(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return (Network.FindParameter(name) ?? Network.FindBuffer(name)
            ?? throw new ArgumentOutOfRangeException(nameof(name), name, $"No tensor '{name}'.")).Shape.ToArray();
    }

    /// <summary>Class probabilities for one image (raw pixels, <see cref="PixelScale"/> is applied); pipelines score through the transformer.</summary>
    public float[] PredictProbabilities(ReadOnlySpan<float> image)
    {
        if (image.Length != InputSize)
            throw new ArgumentOutOfRangeException(nameof(image), image.Length, $"Expected {InputSize} pixel values.");
        var probabilities = new float[ClassCount];
        Network.PredictProbabilities(image, 1, probabilities, new CnnWorkspace(Network, 1, training: false));
        return probabilities;
    }

    internal override void Save(BinaryWriter writer)
    {
        writer.Write(FormatVersion);
        writer.Write(Network.InputShape.Channels);
        writer.Write(Network.InputShape.Height);
        writer.Write(Network.InputShape.Width);
        writer.Write(Network.ClassCount);
        writer.Write(Network.PixelScale);
        writer.Write(LayersText);
        writer.WriteFloats(Network.Parameters);
        writer.WriteFloats(Network.Buffers);
        Persistence.EpochHistoryFormat.Write(writer, History, withElapsed: false);
    }

    internal static CnnModelParameters Load(BinaryReader reader)
    {
        int version = reader.ReadInt32();
        if (version != FormatVersion && version != WallTimeFormatVersion)
            throw ModelFormat.Corrupt($"CNN payload version {version} (this build reads {WallTimeFormatVersion} and {FormatVersion})");
        const int MaxSide = 1 << 16;
        int channels = reader.ReadCount(MaxSide, "image channels"), height = reader.ReadCount(MaxSide, "image height"), width = reader.ReadCount(MaxSide, "image width");
        int classes = reader.ReadCount(1 << 24, "class count");
        if (channels == 0 || height == 0 || width == 0 || classes == 0) throw ModelFormat.Corrupt("an empty image shape or no classes");
        float pixelScale = reader.ReadSingle();
        if (!float.IsFinite(pixelScale) || pixelScale <= 0) throw ModelFormat.Corrupt($"pixel scale {pixelScale}");
        string layers = reader.ReadString();
        CnnNetwork network;
        try
        {
            // No more parameters than the rest of the payload holds, checked before they are allocated.
            long maxParameters = reader.BaseStream.CanSeek ? (reader.BaseStream.Length - reader.BaseStream.Position) / sizeof(float) : int.MaxValue;
            network = new CnnNetwork(new TensorShape(channels, height, width), CnnLayerSpec.ParseList(layers), classes, pixelScale, maxParameters);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or OverflowException)
        {
            throw ModelFormat.Corrupt($"layers \"{layers}\" ({e.Message})");
        }
        reader.ReadFloats(network.Parameters.Length, "parameters").CopyTo(network.Parameters, 0);
        reader.ReadFloats(network.Buffers.Length, "running statistics").CopyTo(network.Buffers, 0);
        network.Prepare();
        var history = Persistence.EpochHistoryFormat.Read(reader, reader.ReadCount(10_000_000, "history length"), withElapsed: version == WallTimeFormatVersion);
        return new CnnModelParameters(network, history);
    }
}
