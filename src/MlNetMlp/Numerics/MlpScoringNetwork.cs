using Microsoft.ML.Model.OnnxConverter;
using MlNetMlp.Onnx;

namespace MlNetMlp.Numerics;

/// <summary>
/// A read-only snapshot of a trained <see cref="MlpNetwork"/> laid out for scoring. Training keeps weights as
/// [out × in] (nn.Linear's layout, what backpropagation reads); here each wide layer is stored transposed,
/// [in × out], so the forward product is the broadcast-FMA kernel (<see cref="Gemm.ForwardPrefersTransposed"/>);
/// training does the same from a per-step transposed copy. Layers narrower than one register (the 10-class
/// output) keep the dot-product kernel. Every output is one fixed sequence of operations, so a row scores the same alone or in
/// a block of any size, on any thread.
/// </summary>
internal sealed class MlpScoringNetwork : INetworkOutputs<MlpInferenceWorkspace>, IOnnxOutputsModel
{
    private readonly AlignedBuffer[] _weights;   // [in × out] when _transposed[l], else [out × in]; cache-line aligned
    private readonly float[][] _biases;
    private readonly bool[] _transposed;
    private readonly SimdWidth _width;

    public MlpScoringNetwork(MlpNetwork network) : this(network, Simd.Best)
    {
    }

    /// <summary>A snapshot whose kernels run at <paramref name="width"/> (tests cover every width).</summary>
    public MlpScoringNetwork(MlpNetwork network, SimdWidth width)
    {
        ArgumentNullException.ThrowIfNull(network);
        LayerSizes = (int[])network.LayerSizes.Clone();
        Activation = network.Activation;
        LeakyReluSlope = network.LeakyReluSlope;
        EluAlpha = network.EluAlpha;
        MaxHiddenWidth = network.MaxHiddenWidth;
        _width = width;
        int layers = network.LinearLayerCount;
        _weights = new AlignedBuffer[layers];
        _biases = new float[layers][];
        _transposed = new bool[layers];
        for (int l = 0; l < layers; l++)
        {
            _weights[l] = new AlignedBuffer(network.Weights[l].Length);
            _biases[l] = new float[network.Biases[l].Length];
            _transposed[l] = Gemm.ForwardPrefersTransposed(LayerSizes[l + 1], width);
        }
        CopyFrom(network);
    }

    /// <summary>
    /// Takes the current weights of <paramref name="network"/> (same layer sizes) into this snapshot without
    /// allocating: how training keeps its evaluation snapshot in step with the weights it updates.
    /// </summary>
    public void CopyFrom(MlpNetwork network)
    {
        ArgumentNullException.ThrowIfNull(network);
        if (!LayerSizes.AsSpan().SequenceEqual(network.LayerSizes))
            throw new ArgumentException("The network has other layer sizes than this snapshot.", nameof(network));
        for (int l = 0; l < _weights.Length; l++)
        {
            int inputs = LayerSizes[l], outputs = LayerSizes[l + 1];
            network.Biases[l].CopyTo(_biases[l], 0);
            if (_transposed[l])
                Gemm.Transpose(network.Weights[l], outputs, inputs, _weights[l].Span, 0, inputs);
            else
                network.Weights[l].CopyTo(_weights[l].Span);
        }
    }

    public int[] LayerSizes { get; }
    public int InputSize => LayerSizes[0];
    public int ClassCount => LayerSizes[^1];
    public int OutputCount => LayerSizes[^1];
    public int MaxHiddenWidth { get; }
    public MlpActivation Activation { get; }
    public float LeakyReluSlope { get; }
    public float EluAlpha { get; }

    /// <summary>256 rows of 784-128-128-10 are about a millisecond of work.</summary>
    public int BlockRowsPerCore => 256;

    /// <summary>Scratch for <see cref="PredictProbabilities"/>; one per thread.</summary>
    public MlpInferenceWorkspace CreateWorkspace(int maxRows)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRows, 1);
        // Fewer rows for a huge hidden layer (ComputeLogits works through the rows a workspace-full at a time).
        return new MlpInferenceWorkspace(ScoringBlock.Rows(maxRows, MaxHiddenWidth), MaxHiddenWidth);
    }

    /// <summary>
    /// Softmax probabilities (rows × <see cref="ClassCount"/>) of <paramref name="features"/> (rows ×
    /// <see cref="InputSize"/>). Allocation-free; threads may call it concurrently, each with its own workspace.
    /// </summary>
    public void PredictProbabilities(ReadOnlySpan<float> features, int rows, Span<float> probabilities, MlpInferenceWorkspace workspace)
    {
        ComputeLogits(features, rows, probabilities, workspace);
        SoftmaxCrossEntropy.SoftmaxRows(probabilities[..(rows * ClassCount)], rows, ClassCount);
    }

    /// <summary>The output layer's pre-softmax values (rows × <see cref="ClassCount"/>); allocation-free and thread-safe like <see cref="PredictProbabilities"/>.</summary>
    public void ComputeLogits(ReadOnlySpan<float> features, int rows, Span<float> logits, MlpInferenceWorkspace workspace)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        if (features.Length < (long)rows * InputSize)
            throw new ArgumentException($"{rows} rows need {(long)rows * InputSize} feature values; got {features.Length}.", nameof(features));
        if (logits.Length < (long)rows * ClassCount)
            throw new ArgumentException($"{rows} rows need {(long)rows * ClassCount} output values; got {logits.Length}.", nameof(logits));
        if (workspace.MaxHiddenWidth < MaxHiddenWidth)
            throw new ArgumentException("The workspace was created for a smaller network.", nameof(workspace));

        int last = _weights.Length - 1;
        for (int first = 0; first < rows; first += workspace.MaxRows)
        {
            int count = Math.Min(workspace.MaxRows, rows - first);
            ReadOnlySpan<float> input = features.Slice(first * InputSize, count * InputSize);
            for (int l = 0; l <= last; l++)
            {
                int outputs = LayerSizes[l + 1];
                // z goes to one buffer, f(z) to the other; the next layer reads f(z) and overwrites z.
                Span<float> z = l == last
                    ? logits.Slice(first * outputs, count * outputs)
                    : workspace.Linear.AsSpan(0, count * outputs);
                Linear(l, input, z, count);
                if (l == last) break;
                Span<float> activated = workspace.Activated.AsSpan(0, count * outputs);
                Activations.Forward(Activation, LeakyReluSlope, EluAlpha, z, activated, _width);
                input = activated;
            }
        }
    }

    /// <summary>The output layer: <see cref="ComputeLogits"/>.</summary>
    public void ComputeOutputs(ReadOnlySpan<float> features, int rows, Span<float> outputs, MlpInferenceWorkspace workspace) =>
        ComputeLogits(features, rows, outputs, workspace);

    /// <summary>Exports exactly these scoring weights (ONNX export: <see cref="MlpOnnxGraph"/>).</summary>
    string IOnnxOutputsModel.SaveOutputsAsOnnx(OnnxContext ctx, string featuresVariable) =>
        MlpOnnxGraph.SaveLogits(ctx, featuresVariable, LayerSizes, WeightsInputByOutput, l => (float[])_biases[l].Clone(), Activation, LeakyReluSlope, EluAlpha);

    /// <summary>Layer <paramref name="layer"/>'s weights as [in × out] row-major, whichever layout this snapshot keeps.</summary>
    private float[] WeightsInputByOutput(int layer)
    {
        int inputs = LayerSizes[layer], outputs = LayerSizes[layer + 1];
        ReadOnlySpan<float> stored = _weights[layer].Span;
        if (_transposed[layer]) return stored.ToArray();
        var result = new float[stored.Length];
        for (int o = 0; o < outputs; o++)
            for (int i = 0; i < inputs; i++)
                result[i * outputs + o] = stored[o * inputs + i];
        return result;
    }

    private void Linear(int layer, ReadOnlySpan<float> input, Span<float> output, int rows)
    {
        int inputs = LayerSizes[layer], outputs = LayerSizes[layer + 1];
        if (!_transposed[layer])
        {
            Gemm.LinearForward(input, _weights[layer].Span, _biases[layer], output, rows, inputs, outputs, _width == SimdWidth.Vector512 ? Gemm.DotProductWidth : _width);
            return;
        }
        Gemm.LinearForwardTransposed(input, _weights[layer].Span, _biases[layer], output, rows, inputs, outputs, _width);
    }
}

/// <summary>Per-thread scratch of <see cref="MlpScoringNetwork.PredictProbabilities"/>: two row-blocks of hidden activations.</summary>
internal sealed class MlpInferenceWorkspace
{
    internal MlpInferenceWorkspace(int maxRows, int maxHiddenWidth)
    {
        MaxRows = maxRows;
        MaxHiddenWidth = maxHiddenWidth;
        Linear = new float[checked(maxRows * maxHiddenWidth)];
        Activated = new float[checked(maxRows * maxHiddenWidth)];
    }

    public int MaxRows { get; }
    public int MaxHiddenWidth { get; }
    internal float[] Linear { get; }
    internal float[] Activated { get; }
}
