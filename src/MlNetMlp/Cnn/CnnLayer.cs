namespace MlNetMlp.Cnn;

/// <summary>
/// One layer of a <see cref="CnnNetwork"/>. A layer object holds its shapes and offsets into the network's flat
/// parameter and buffer vectors (and, for convolutions, the repacked weights); activations and scratch live in each
/// worker's <see cref="CnnWorkspace"/>, and step-wide state in the <see cref="CnnPass"/>.
/// <para>
/// Forward reads <c>work.Activations[index]</c> (<c>work.Rows</c> rows of <see cref="Input"/>, NHWC) and writes
/// <c>work.Activations[index + 1]</c>. Backward reads the gradient of the output and writes the gradient of the
/// input (when asked) and this worker's partial parameter gradient, which it overwrites (rows or not).
/// </para>
/// </summary>
internal abstract class CnnLayer
{
    protected CnnLayer(TensorShape input, TensorShape output)
    {
        Input = input;
        Output = output;
    }

    public TensorShape Input { get; }

    public TensorShape Output { get; }

    /// <summary>Offset of this layer's parameters in <see cref="CnnNetwork.Parameters"/>.</summary>
    public int ParameterOffset { get; set; }

    /// <summary>Offset of this layer's buffers (running statistics) in <see cref="CnnNetwork.Buffers"/>.</summary>
    public int BufferOffset { get; set; }

    public virtual int ParameterLength => 0;

    public virtual int BufferLength => 0;

    /// <summary>True when inference leaves the input unchanged, so the inference workspace can alias the buffers.</summary>
    public virtual bool IdentityAtInference => false;

    /// <summary>Floats a gradient buffer needs past its rows for this layer's kernels.</summary>
    public virtual int GradientSlack => 0;

    /// <summary>Named views of the parameters: (name suffix, offset within the layer, length, is a weight for L2, PyTorch shape).</summary>
    public virtual IEnumerable<(string Suffix, int Offset, int Length, bool IsWeight, int[] Shape)> ParameterTensors => [];

    public virtual IEnumerable<(string Suffix, int Offset, int Length, int[] Shape)> BufferTensors => [];

    /// <summary>PyTorch's default initialization for the layer type.</summary>
    public virtual void Initialize(Span<float> parameters, Span<float> buffers, Random random)
    {
    }

    /// <summary>Refreshes derived state (packed weights) after the parameters changed.</summary>
    public virtual void Prepare(ReadOnlySpan<float> parameters)
    {
    }

    /// <summary>Per-worker scratch (kept from forward to backward).</summary>
    public virtual object? CreateScratch(int maxRows, bool training) => null;

    /// <summary>State shared by the workers of a pass (batch-norm partial sums).</summary>
    public virtual object? CreateShared(int workers) => null;

    public abstract void Forward(CnnPass pass, CnnWorkspace work, int index);

    public abstract void Backward(CnnPass pass, CnnWorkspace work, int index, float[] outputGradient, float[] inputGradient, bool needInputGradient);

    /// <summary>The layer's parameters (empty span when it has none).</summary>
    protected Span<float> Parameters(CnnPass pass) => pass.Network.Parameters.AsSpan(ParameterOffset, ParameterLength);

    protected Span<float> ParameterGradient(CnnWorkspace work) => work.ParameterGradient.AsSpan(ParameterOffset, ParameterLength);

    protected ReadOnlySpan<float> InputOf(CnnWorkspace work, int index) => work.Activations[index].AsSpan(0, work.Rows * Input.Size);

    protected Span<float> OutputOf(CnnWorkspace work, int index) => work.Activations[index + 1].AsSpan(0, work.Rows * Output.Size);

    public override string ToString() => $"{GetType().Name} {Input} → {Output}";
}

/// <summary>
/// What every worker of one pass shares: the network, training or inference, the whole batch's size (loss scale and
/// batch-norm statistics), the barrier and the per-layer shared state, and what makes dropout masks reproducible.
/// </summary>
internal sealed class CnnPass
{
    public CnnPass(CnnNetwork network, bool training, int workers)
    {
        Network = network;
        Training = training;
        Workers = workers;
        Barrier = new SpinBarrier(workers);
        Shared = network.Layers.Select(l => l.CreateShared(workers)).ToArray();
    }

    public CnnNetwork Network { get; }

    public bool Training { get; }

    public int Workers { get; }

    public SpinBarrier Barrier { get; }

    public object?[] Shared { get; }

    /// <summary>Rows of the whole batch (all workers).</summary>
    public int BatchRows { get; set; }

    /// <summary>Batch-norm layers update their running statistics (training only).</summary>
    public bool UpdateRunningStatistics { get; set; } = true;

    public int DropoutSeed { get; set; }

    /// <summary>Identifies the optimizer step, so every step draws fresh dropout masks.</summary>
    public long Step { get; set; }
}

/// <summary>One worker's buffers, sized for <see cref="MaxRows"/> rows and allocated once.</summary>
internal sealed class CnnWorkspace
{
    public CnnWorkspace(CnnNetwork network, int maxRows, bool training)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRows, 1);
        MaxRows = maxRows;
        Training = training;
        var layers = network.Layers;
        Activations = new float[layers.Length + 1][];
        Activations[0] = new float[checked(maxRows * network.InputShape.Size)];
        for (int i = 0; i < layers.Length; i++)
            Activations[i + 1] = !training && layers[i].IdentityAtInference ? Activations[i] : new float[checked(maxRows * layers[i].Output.Size)];
        Scratch = layers.Select(l => l.CreateScratch(maxRows, training)).ToArray();
        RowIndices = new int[maxRows];
        if (training)
        {
            int largest = Math.Max(network.InputShape.Size, layers.Max(l => l.Output.Size));
            int slack = layers.Max(l => l.GradientSlack) + 64;
            GradientA = new float[checked(maxRows * largest + slack)];
            GradientB = new float[GradientA.Length];
            ParameterGradient = new float[network.Parameters.Length];
        }
        else
        {
            GradientA = GradientB = ParameterGradient = [];
        }
    }

    public int MaxRows { get; }

    public bool Training { get; }

    /// <summary>Activations[0] is the input, Activations[i + 1] the output of layer i (NHWC rows).</summary>
    public float[][] Activations { get; }

    public object?[] Scratch { get; }

    /// <summary>The indices of the rows in the work, for the task head to read their labels and weights.</summary>
    public int[] RowIndices { get; }

    public float[] GradientA { get; }

    public float[] GradientB { get; }

    /// <summary>This worker's partial gradient of the batch's mean loss, in the network's parameter layout.</summary>
    public float[] ParameterGradient { get; }

    /// <summary>Rows this worker holds in the current pass.</summary>
    public int Rows { get; set; }

    /// <summary>Position of this worker's first row within the batch (dropout masks depend on it).</summary>
    public int FirstRow { get; set; }

    public int Worker { get; set; }

    public double LossSum { get; set; }

    public int Correct { get; set; }
}
