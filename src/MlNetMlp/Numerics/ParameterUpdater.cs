namespace MlNetMlp.Numerics;

/// <summary>
/// Applies the configured update rule (<see cref="Optimizers"/>) to a network's parameter tensors from a flat gradient,
/// and owns the rule's state (velocity, Adam moments), which starts at zero. L2 goes to weights only. Every network
/// trains through it (the MLP's per-layer arrays and the CNN's one parameter vector are both lists of
/// <see cref="ParameterTensor"/>). Work is split by <see cref="WorkerRange(int, int)"/>; elementwise rules give identical results
/// however the range is cut.
/// </summary>
internal sealed class ParameterUpdater
{
    private readonly ParameterTensor[] _tensors;
    private readonly Optimizer _rule;
    private readonly float _momentum, _beta1, _beta2, _epsilon, _l2;
    private readonly bool _nesterov;
    private readonly float[] _state1; // velocity, or Adam's first moment
    private readonly float[] _state2; // Adam's second moment

    public ParameterUpdater(IReadOnlyList<ParameterTensor> tensors, NetworkTrainerOptions options)
    {
        _tensors = [.. tensors];
        Total = _tensors.Length == 0 ? 0 : _tensors[^1].FlatOffset + _tensors[^1].Length;
        _rule = options.Optimizer;
        _momentum = options.Momentum;
        _nesterov = options.Nesterov;
        _beta1 = options.Beta1;
        _beta2 = options.Beta2;
        _epsilon = options.Epsilon;
        _l2 = options.L2Regularization;
        _state1 = _rule == Optimizer.Sgd ? [] : new float[Total];
        _state2 = _rule == Optimizer.Adam ? new float[Total] : [];
    }

    /// <summary>Length of the flat parameter (and gradient) vector.</summary>
    public int Total { get; }

    public Optimizer Rule => _rule;

    /// <summary>The worker's share of the flat vector, cut at multiples of 16 floats so vector loops run on full registers.</summary>
    public (int Start, int Length) WorkerRange(int workers, int worker) => WorkerRange(Total, workers, worker);

    /// <summary>The worker's share of a flat vector of <paramref name="total"/> floats, cut at multiples of 16.</summary>
    public static (int Start, int Length) WorkerRange(int total, int workers, int worker)
    {
        const int Align = 16;
        int blocks = (total + Align - 1) / Align;
        (int startBlock, int blockCount) = WorkerPool.Split(blocks, workers, worker);
        int start = Math.Min(total, startBlock * Align);
        int end = Math.Min(total, (startBlock + blockCount) * Align);
        return (start, end - start);
    }

    /// <summary>Number of updates applied so far; Adam's bias correction uses it (t = Step after <see cref="BeginStep"/>).</summary>
    public int Step { get; private set; }

    /// <summary>Velocity or Adam's first moment (empty for SGD), layout order; read for checkpoints.</summary>
    public float[] State1 => _state1;

    /// <summary>Adam's second moment (empty otherwise), layout order.</summary>
    public float[] State2 => _state2;

    /// <summary>Puts back the state saved in a checkpoint, so the next step continues the saved run exactly.</summary>
    public void Restore(int step, ReadOnlySpan<float> state1, ReadOnlySpan<float> state2)
    {
        if (step < 0 || state1.Length != _state1.Length || state2.Length != _state2.Length)
            throw new ArgumentException("The optimizer state does not fit this network and update rule.");
        Step = step;
        state1.CopyTo(_state1);
        state2.CopyTo(_state2);
    }

    /// <summary>Call once per optimizer step, before the workers call <see cref="Apply(int, int, float[], float[], float)"/>.</summary>
    public void BeginStep() => Step++;

    /// <summary>Updates the worker's share of the parameters from <paramref name="gradient"/> (layout order).</summary>
    public void Apply(int workers, int worker, float[] gradient, float learningRate) => Apply(workers, worker, gradient, null, learningRate);

    /// <summary>
    /// Updates the worker's share of the parameters from <c>gradient + gradientAddend</c> (layout order; a null addend
    /// is zero), summed as the step reads them (<see cref="MlpBackpropagation.ReduceGradientsButLast"/>).
    /// </summary>
    public void Apply(int workers, int worker, float[] gradient, float[]? gradientAddend, float learningRate)
    {
        (int start, int length) = WorkerRange(workers, worker);
        int end = start + length;
        foreach (ParameterTensor tensor in _tensors)
        {
            int tensorStart = tensor.FlatOffset, tensorEnd = tensorStart + tensor.Length;
            int from = Math.Max(start, tensorStart), to = Math.Min(end, tensorEnd);
            if (from >= to) continue;
            Span<float> parameters = tensor.Array.AsSpan(tensor.ArrayOffset + from - tensorStart, to - from);
            ReadOnlySpan<float> g = gradient.AsSpan(from, to - from);
            ReadOnlySpan<float> addend = gradientAddend is null ? [] : gradientAddend.AsSpan(from, to - from);
            float l2 = tensor.IsWeight ? _l2 : 0f;
            switch (_rule)
            {
                case Optimizer.Sgd:
                    Optimizers.Sgd(parameters, g, addend, learningRate, l2, Simd.Best);
                    break;
                case Optimizer.Momentum:
                    Optimizers.Momentum(parameters, g, addend, _state1.AsSpan(from, to - from), learningRate, _momentum, _nesterov, l2, Simd.Best);
                    break;
                case Optimizer.Adam:
                    Optimizers.Adam(parameters, g, addend, _state1.AsSpan(from, to - from), _state2.AsSpan(from, to - from),
                        learningRate, _beta1, _beta2, _epsilon, Step, l2, Simd.Best);
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(_rule), _rule, null);
            }
        }
    }
}

/// <summary>
/// One parameter tensor: <see cref="Length"/> floats of <see cref="Array"/> from <see cref="ArrayOffset"/>, at
/// <see cref="FlatOffset"/> in the flat gradient and optimizer-state vectors; weights take L2, biases and batch-norm γ/β do not.
/// </summary>
internal readonly record struct ParameterTensor(float[] Array, int ArrayOffset, int FlatOffset, int Length, bool IsWeight);
