using System.Numerics.Tensors;

namespace MlNetMlp.Numerics;

/// <summary>
/// Gradient of the mean loss of one mini-batch (the task's head: <see cref="TaskHead"/>). The batch's rows are split into contiguous
/// parts, one per worker; each worker gathers its rows, runs forward and backward on its own buffers
/// and writes a partial gradient (already divided by the whole batch size). <see cref="ReduceGradients(int)"/>
/// then sums the partials in worker order, so results depend on the worker count but never on timing.
/// All buffers are allocated once, for the largest batch. The forward product of each wide layer reads a copy of
/// its weights transposed at the start of every step (<see cref="Gemm.ForwardPrefersTransposed"/>). For 784→128 on
/// 100-row shares the faster kernel saves about 60 µs per worker and step and the copy costs about 45 (measured);
/// the layers' inputs and the copies are cache-line aligned (<see cref="AlignedBuffer"/>).
/// </summary>
internal sealed class MlpBackpropagation
{
    private readonly MlpNetwork _network;
    private readonly WorkerPool _pool;
    private readonly WorkerBuffers[] _workers;
    private readonly float _dropoutRate;
    private readonly TaskHead _head;
    private readonly Action<int> _forwardBackwardJob;
    private readonly Action<int> _reduceJob;
    private readonly Action<int>? _transposeJob;
    private readonly AlignedBuffer?[] _transposedWeights; // [in × out] per layer (cache-line aligned), null where the dot-product kernel is used

    // The batch being processed, read by the workers.
    private TrainingSet? _data;
    private int[]? _rowOrder;
    private int _batchStart;
    private int _batchRows;
    private float _gradientScale;
    private int _dropoutSeed;
    private long _step;

    public MlpBackpropagation(MlpNetwork network, WorkerPool pool, int maxBatchRows, float dropoutRate, TaskHead? head = null)
    {
        head ??= new MulticlassHead(network.OutputCount); // softmax over the outputs unless a task says otherwise
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatchRows, 1);
        if (head.Outputs != network.OutputCount)
            throw new ArgumentException($"The head has {head.Outputs} outputs; the network has {network.OutputCount}.", nameof(head));
        _head = head;
        _network = network;
        _pool = pool;
        _dropoutRate = dropoutRate;
        Layout = new ParameterLayout(network);
        int maxWorkerRows = (maxBatchRows + pool.WorkerCount - 1) / pool.WorkerCount;
        _workers = new WorkerBuffers[pool.WorkerCount];
        for (int w = 0; w < _workers.Length; w++)
            _workers[w] = new WorkerBuffers(network, Layout, maxWorkerRows, dropoutRate > 0);
        _forwardBackwardJob = ForwardBackward;
        _reduceJob = ReduceGradients;
        _transposedWeights = new AlignedBuffer?[network.LinearLayerCount];
        for (int l = 0; l < network.LinearLayerCount; l++)
            if (Gemm.ForwardPrefersTransposed(network.LayerSizes[l + 1], Simd.Best))
                _transposedWeights[l] = new AlignedBuffer(network.Weights[l].Length);
        if (_transposedWeights.Any(t => t != null)) _transposeJob = TransposeWeights;
    }

    public ParameterLayout Layout { get; }

    /// <summary>The batch gradient in <see cref="Layout"/> order, once <see cref="ReduceGradients(int)"/> has run for every worker.</summary>
    public float[] Gradient => _workers[0].Gradient;

    /// <summary>
    /// Forward and backward pass over rows <c>rowOrder[start .. start + count)</c> of <paramref name="data"/>;
    /// returns the batch's mean loss (weighted by the example weights). Dropout masks depend on (<paramref name="dropoutSeed"/>,
    /// <paramref name="step"/>, layer, row position in the batch), not on the worker count.
    /// </summary>
    public double ComputeGradients(TrainingSet data, int[] rowOrder, int start, int count, int dropoutSeed, long step)
    {
        data.CheckBatch(_network.InputSize, rowOrder, start, count, _workers[0].MaxRows * _workers.Length);
        _data = data;
        _rowOrder = rowOrder;
        _batchStart = start;
        _batchRows = count;
        float batchWeight = data.BatchWeight(rowOrder, start, count);
        _gradientScale = 1f / batchWeight;
        _dropoutSeed = dropoutSeed;
        _step = step;
        if (_transposeJob != null) _pool.Run(_transposeJob);
        _pool.Run(_forwardBackwardJob);
        _data = null;
        _rowOrder = null;
        double lossSum = 0;
        foreach (WorkerBuffers worker in _workers)
            lossSum += worker.LossSum;
        return lossSum / batchWeight;
    }

    /// <summary>Sums all workers' partial gradients into <see cref="Gradient"/>.</summary>
    public void ReduceGradients() => _pool.Run(_reduceJob);

    /// <summary>Sums the partials over this worker's share of <see cref="Layout"/>; run it for every worker (usually inside a pool job).</summary>
    public void ReduceGradients(int worker) => SumPartials(worker, _workers.Length);

    /// <summary>
    /// Like <see cref="ReduceGradients(int)"/> but leaves out the last worker's partial and returns it (null when
    /// <see cref="Gradient"/> already is the whole sum): the update adds it on the fly, in the same order, so the
    /// step is bit for bit the same without writing the summed gradient back and reading it again.
    /// </summary>
    public float[]? ReduceGradientsButLast(int worker)
    {
        int last = _workers.Length - 1;
        while (last > 0 && _workers[last].Rows == 0) last--;
        SumPartials(worker, last == 0 ? 1 : last);
        return last == 0 ? null : _workers[last].Gradient;
    }

    /// <summary>Gradient (over this worker's share) = the sum of the partials of workers [0, count) that had rows, in worker order.</summary>
    private void SumPartials(int worker, int count)
    {
        (int start, int length) = Layout.WorkerRange(_workers.Length, worker);
        Span<float> total = _workers[0].Gradient.AsSpan(start, length);
        if (_workers[0].Rows == 0) total.Clear(); // a batch smaller than the pool leaves worker 0 idle
        for (int w = 1; w < count; w++)
        {
            if (_workers[w].Rows > 0)
                TensorPrimitives.Add(total, _workers[w].Gradient.AsSpan(start, length), total);
        }
    }

    /// <summary>Each worker transposes its share of the rows of every transposed copy (the layer's input units).</summary>
    private void TransposeWeights(int worker)
    {
        for (int l = 0; l < _transposedWeights.Length; l++)
        {
            if (_transposedWeights[l] is not { } transposed) continue;
            int inputs = _network.LayerSizes[l], outputs = _network.LayerSizes[l + 1];
            (int first, int count) = WorkerPool.Split(inputs, _workers.Length, worker);
            Gemm.Transpose(_network.Weights[l], outputs, inputs, transposed.Span, first, count);
        }
    }

    private void ForwardBackward(int worker)
    {
        WorkerBuffers buffers = _workers[worker];
        (int firstRow, int rows) = WorkerPool.Split(_batchRows, _workers.Length, worker);
        buffers.Rows = rows;
        buffers.LossSum = 0;
        if (rows == 0) return;

        TrainingSet data = _data!;
        MlpNetwork network = _network;
        int[] sizes = network.LayerSizes;
        int layers = network.LinearLayerCount;
        int inputSize = network.InputSize;

        ReadOnlySpan<int> batchRows = _rowOrder.AsSpan(_batchStart + firstRow, rows);
        // With transposed first-layer weights the forward reads the rows where they lie and fills Input as it goes
        // (Gemm.LinearForwardTransposedGathering); otherwise they are copied here.
        if (_transposedWeights[0] == null)
            for (int r = 0; r < rows; r++) data.Row(batchRows[r]).CopyTo(buffers.Input.Span.Slice(r * inputSize, inputSize));

        // Forward: z = x·Wᵀ + b; hidden: a = f(z), dropped out while training.
        ReadOnlySpan<float> input = buffers.Input.Span[..(rows * inputSize)];
        for (int l = 0; l < layers; l++)
        {
            int outputs = sizes[l + 1];
            Span<float> z = buffers.Linear[l].AsSpan(0, rows * outputs);
            if (l == 0 && _transposedWeights[0] is { } firstTransposed)
                Gemm.LinearForwardTransposedGathering(data.Features, batchRows, buffers.Input.Span[..(rows * inputSize)], firstTransposed.Span, network.Biases[0], z,
                    inputSize, outputs, Simd.Best, Simd.Registers);
            else if (_transposedWeights[l] is { } transposed)
                Gemm.LinearForwardTransposed(input, transposed.Span, network.Biases[l], z, rows, sizes[l], outputs, Simd.Best);
            else
                Gemm.LinearForward(input, network.Weights[l], network.Biases[l], z, rows, sizes[l], outputs);
            if (l == layers - 1) break;
            Span<float> activated = buffers.Activated[l].Span[..(rows * outputs)];
            Activations.Forward(network.Activation, network.LeakyReluSlope, network.EluAlpha, z, activated);
            if (_dropoutRate > 0)
            {
                Span<float> mask = buffers.DropoutMask[l].AsSpan(0, rows * outputs);
                Dropout.FillMask(mask, firstRow, rows, outputs, _dropoutRate, Dropout.Stream(_dropoutSeed, _step, l));
                Span<float> dropped = buffers.Dropped[l].Span[..(rows * outputs)];
                TensorPrimitives.Multiply(activated, mask, dropped);
                input = dropped;
            }
            else
            {
                input = activated;
            }
        }

        // Output: the outputs buffer becomes dLoss/dz, already divided by the whole batch's size (or weight).
        Span<float> delta = buffers.Linear[layers - 1].AsSpan(0, rows * network.OutputCount);
        buffers.LossSum = _head.LossAndGradient(delta, data, batchRows, _gradientScale, delta);

        // Backward: dW = δᵀ·x, db = Σ_rows δ, dx = δ·W, then through dropout and f′.
        for (int l = layers - 1; l >= 0; l--)
        {
            int inputs = sizes[l], outputs = sizes[l + 1];
            ReadOnlySpan<float> layerInput = (l == 0 ? buffers.Input : _dropoutRate > 0 ? buffers.Dropped[l - 1] : buffers.Activated[l - 1]).Span[..(rows * inputs)];
            Span<float> weightGradient = buffers.Gradient.AsSpan(Layout.WeightOffset(l), outputs * inputs);
            Span<float> biasGradient = buffers.Gradient.AsSpan(Layout.BiasOffset(l), outputs);
            Gemm.TransposeMultiply(delta, layerInput, weightGradient, outputs, rows, inputs);
            delta[..outputs].CopyTo(biasGradient);
            for (int r = 1; r < rows; r++)
                TensorPrimitives.Add(biasGradient, delta.Slice(r * outputs, outputs), biasGradient);
            if (l == 0) break;

            Span<float> inputDelta = buffers.InputDelta.AsSpan(0, rows * inputs);
            Gemm.Multiply(delta, network.Weights[l], inputDelta, rows, outputs, inputs);
            if (_dropoutRate > 0)
                TensorPrimitives.Multiply(inputDelta, buffers.DropoutMask[l - 1].AsSpan(0, rows * inputs), inputDelta);
            Span<float> previousDelta = buffers.LinearDelta.AsSpan(0, rows * inputs);
            Activations.Backward(network.Activation, network.LeakyReluSlope, network.EluAlpha,
                buffers.Linear[l - 1].AsSpan(0, rows * inputs), buffers.Activated[l - 1].Span[..(rows * inputs)], inputDelta, previousDelta);
            delta = previousDelta;
        }
    }

    private sealed class WorkerBuffers
    {
        public WorkerBuffers(MlpNetwork network, ParameterLayout layout, int maxRows, bool dropout)
        {
            MaxRows = maxRows;
            int layers = network.LinearLayerCount;
            Input = new AlignedBuffer(checked(maxRows * network.InputSize));
            Linear = new float[layers][];
            Activated = new AlignedBuffer[layers - 1];
            Dropped = new AlignedBuffer[dropout ? layers - 1 : 0];
            DropoutMask = new float[dropout ? layers - 1 : 0][];
            for (int l = 0; l < layers; l++)
            {
                int width = network.LayerSizes[l + 1];
                Linear[l] = new float[checked(maxRows * width)];
                if (l == layers - 1) break;
                Activated[l] = new AlignedBuffer(maxRows * width);
                if (!dropout) continue;
                Dropped[l] = new AlignedBuffer(maxRows * width);
                DropoutMask[l] = new float[maxRows * width];
            }
            InputDelta = new float[checked(maxRows * network.MaxHiddenWidth)];
            LinearDelta = new float[checked(maxRows * network.MaxHiddenWidth)];
            Gradient = new float[layout.Total];
        }

        public int MaxRows { get; }
        // Inputs of each layer are the B operand of its weight gradient (dW = δᵀ·X): cache-line aligned.
        public AlignedBuffer Input { get; }
        public float[][] Linear { get; }        // z per layer; the last becomes the output delta
        public AlignedBuffer[] Activated { get; }     // f(z) per hidden layer
        public AlignedBuffer[] Dropped { get; }       // f(z)·mask per hidden layer (dropout only)
        public float[][] DropoutMask { get; }
        public float[] InputDelta { get; }      // dLoss/d(layer input)
        public float[] LinearDelta { get; }     // dLoss/dz of a hidden layer
        public float[] Gradient { get; }        // this worker's partial gradient, ParameterLayout order
        public int Rows { get; set; }
        public double LossSum { get; set; }
    }
}
