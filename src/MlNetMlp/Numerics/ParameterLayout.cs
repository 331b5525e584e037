namespace MlNetMlp.Numerics;

/// <summary>
/// Where each parameter tensor of a network sits in a flat vector: W₀, b₀, W₁, b₁, …  Gradients and
/// optimizer state are kept flat in this layout so that summing worker gradients and updating
/// parameters are single elementwise sweeps that split evenly across threads.
/// </summary>
internal sealed class ParameterLayout
{
    private readonly int[] _offsets;
    private readonly int[] _lengths;

    public ParameterLayout(MlpNetwork network)
    {
        TensorCount = 2 * network.LinearLayerCount;
        _offsets = new int[TensorCount];
        _lengths = new int[TensorCount];
        int offset = 0;
        for (int t = 0; t < TensorCount; t++)
        {
            _offsets[t] = offset;
            _lengths[t] = IsWeight(t) ? network.Weights[t / 2].Length : network.Biases[t / 2].Length;
            offset = checked(offset + _lengths[t]);
        }
        Total = offset;
    }

    public int TensorCount { get; }
    public int Total { get; }
    public int Offset(int tensor) => _offsets[tensor];
    public int Length(int tensor) => _lengths[tensor];
    public static bool IsWeight(int tensor) => tensor % 2 == 0;
    public int WeightOffset(int layer) => _offsets[2 * layer];
    public int BiasOffset(int layer) => _offsets[2 * layer + 1];
    public static float[] Parameters(MlpNetwork network, int tensor) => IsWeight(tensor) ? network.Weights[tensor / 2] : network.Biases[tensor / 2];

    /// <summary>The worker's share of the flat vector, cut at multiples of 16 floats so vector loops run on full registers.</summary>
    public (int Start, int Length) WorkerRange(int workers, int worker) => ParameterUpdater.WorkerRange(Total, workers, worker);

    /// <summary>The network's tensors in this layout, for <see cref="ParameterUpdater"/>.</summary>
    public ParameterTensor[] Tensors(MlpNetwork network) =>
        [.. Enumerable.Range(0, TensorCount).Select(t => new ParameterTensor(Parameters(network, t), 0, _offsets[t], _lengths[t], IsWeight(t)))];
}
