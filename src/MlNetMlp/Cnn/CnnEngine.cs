using MlNetMlp.Numerics;

namespace MlNetMlp.Cnn;

/// <summary>
/// Trains a <see cref="CnnNetwork"/> in place, one mini-batch at a time, on a <see cref="WorkerPool"/>, with any update
/// rule (<see cref="ParameterUpdater"/>) and any task's output head (<see cref="TaskHead"/>).
/// <para>
/// One optimizer step is one pool job: each worker loads its contiguous share of the batch's rows, runs every layer
/// forward and backward on its own buffers (meeting the others at each batch-norm layer, which needs the whole
/// batch's statistics), then, after a last barrier, sums all workers' partial gradients over its share of the
/// parameter vector (in worker order) and applies the update rule to that share. Nothing is allocated per step.
/// Results depend on the worker count (the split of the sums) but never on timing.
/// </para>
/// </summary>
internal sealed class CnnEngine : ITrainingEngine
{
    internal const int EvaluationChunk = 32;

    private readonly CnnNetwork _network;
    private readonly WorkerPool _pool;
    private readonly bool _ownsPool;
    private readonly CnnWorkspace[] _workers;
    private readonly CnnPass _training;
    private readonly CnnPass _evaluation;
    private readonly TaskHead _head;
    private readonly Action<int> _stepJob;
    private readonly Action<int> _evaluateJob;

    // The batch being processed.
    private TrainingSet? _data;
    private int[]? _order;
    private int _start, _count;
    private float _learningRate, _gradientScale;
    private CancellationToken _evaluationCancellation;
    private readonly EvaluationSums _sums = new(EvaluationChunk);

    /// <summary>An engine for <paramref name="network"/>'s <paramref name="head"/> with the update rule of <paramref name="options"/>.</summary>
    /// <remarks>Without a head, softmax cross-entropy over the outputs; without options, Adam with its defaults.</remarks>
    public CnnEngine(CnnNetwork network, int threads, int maxBatchRows, TaskHead? head = null, NetworkTrainerOptions? options = null, WorkerPool? pool = null)
    {
        head ??= new MulticlassHead(network.ClassCount);
        options ??= new CnnTrainer.Options();
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatchRows, 1);
        _network = network;
        _ownsPool = pool is null;
        _pool = pool ?? new WorkerPool(Math.Max(1, threads));
        int workers = _pool.WorkerCount;
        int maxRows = Math.Max(EvaluationChunk, (maxBatchRows + workers - 1) / workers);
        _workers = new CnnWorkspace[workers];
        for (int w = 0; w < workers; w++)
            _workers[w] = new CnnWorkspace(network, maxRows, training: true) { Worker = w };
        _training = new CnnPass(network, training: true, workers);
        _evaluation = new CnnPass(network, training: false, workers);
        if (head.Outputs != network.ClassCount)
            throw new ArgumentException($"The head has {head.Outputs} outputs; the network has {network.ClassCount}.", nameof(head));
        _head = head;
        Optimizer = new ParameterUpdater(network.UpdaterTensors(), options);
        _stepJob = StepJob;
        _evaluateJob = EvaluateJob;
    }

    public CnnNetwork Network => _network;

    public int Workers => _workers.Length;

    /// <summary>The update rule and its state (checkpoints save it).</summary>
    public ParameterUpdater Optimizer { get; }

    /// <summary>The workspaces (tests look at activations and partial gradients).</summary>
    internal CnnWorkspace[] Workspaces => _workers;

    /// <summary>The batch gradient after the last step's reduction (worker 0's buffer holds the sum).</summary>
    internal float[] Gradient => _workers[0].ParameterGradient;

    /// <summary>How training rows are augmented as they are loaded (identity by default).</summary>
    public ImageAugmentation Augmentation { get; init; }

    /// <summary>When false, <see cref="Step"/> computes the gradient but does not update the parameters (tests).</summary>
    internal bool ApplyUpdates { get; set; } = true;

    /// <summary>
    /// One optimizer step on rows <c>order[start .. start + count)</c> of <paramref name="data"/>; returns the batch's
    /// mean loss (weighted by the example weights). <paramref name="dropoutSeed"/> and <paramref name="step"/> select the dropout masks.
    /// </summary>
    public double Step(TrainingSet data, int[] order, int start, int count, float learningRate, int dropoutSeed, long step)
    {
        data.CheckBatch(_network.InputShape.Size, order, start, count, _workers[0].MaxRows * _workers.Length);
        _data = data;
        _order = order;
        _start = start;
        _count = count;
        _learningRate = learningRate;
        float batchWeight = data.BatchWeight(order, start, count);
        _gradientScale = 1f / batchWeight;
        _training.BatchRows = count;
        _training.DropoutSeed = dropoutSeed;
        _training.Step = step;
        if (ApplyUpdates) Optimizer.BeginStep();
        _training.Barrier.Reset();
        try
        {
            _pool.Run(_stepJob);
        }
        finally
        {
            _data = null;
            _order = null;
        }
        if (ApplyUpdates) _network.Prepare();
        double loss = 0;
        foreach (var work in _workers) loss += work.LossSum;
        return loss / batchWeight;
    }

    private void StepJob(int worker)
    {
        try
        {
            var work = _workers[worker];
            (int first, int rows) = WorkerPool.Split(_count, _workers.Length, worker);
            work.Rows = rows;
            work.FirstRow = first;
            work.LossSum = 0;
            LoadRows(work, _data!, _order!, _start + first, rows);

            var layers = _network.Layers;
            var outputs = _network.Forward(_training, work);
            float[] gradient = work.GradientA, other = work.GradientB;
            if (rows > 0)
                work.LossSum = _head.LossAndGradient(outputs, _data!, _order.AsSpan(_start + first, rows), _gradientScale, gradient.AsSpan(0, rows * _head.Outputs));
            for (int i = layers.Length - 1; i >= 0; i--)
            {
                layers[i].Backward(_training, work, i, gradient, other, needInputGradient: i > 0);
                (gradient, other) = (other, gradient);
            }

            _training.Barrier.Wait();
            ReduceAndUpdate(worker);
        }
        catch
        {
            _training.Barrier.Break();
            throw;
        }
    }

    private void LoadRows(CnnWorkspace work, TrainingSet data, int[] order, int start, int rows)
    {
        int size = _network.InputShape.Size;
        float[] staging = work.Activations[0];
        // Gather the raw rows next to each other in the gradient buffer (free until backward), then scale and reorder.
        Span<float> raw = work.GradientA.AsSpan(0, rows * size);
        bool augment = !Augmentation.IsIdentity;
        for (int r = 0; r < rows; r++)
        {
            int row = order[start + r];
            if (augment)
                Augmentation.Apply(data.Row(row), raw.Slice(r * size, size), _network.InputShape, _training.Step, start - _start + r);
            else
                data.Row(row).CopyTo(raw.Slice(r * size, size));
        }
        _network.LoadInput(raw, rows, staging);
    }

    private void ReduceAndUpdate(int worker)
    {
        (int start, int length) = Optimizer.WorkerRange(_workers.Length, worker);
        Span<float> sum = _workers[0].ParameterGradient.AsSpan(start, length);
        if (_workers[0].Rows == 0) sum.Clear();
        for (int w = 1; w < _workers.Length; w++)
        {
            if (_workers[w].Rows > 0)
                System.Numerics.Tensors.TensorPrimitives.Add(sum, _workers[w].ParameterGradient.AsSpan(start, length), sum);
        }
        if (!ApplyUpdates) return;
        Optimizer.Apply(_workers.Length, worker, _workers[0].ParameterGradient, _learningRate);
    }

    /// <summary>
    /// Mean loss and accuracy (NaN for regression) in inference mode over <paramref name="rows"/> of <paramref name="data"/>
    /// (null = all), in fixed chunks summed in order, so the result does not depend on the worker count.
    /// <paramref name="cancellationToken"/> is checked before every chunk, so that a large monitoring set does not
    /// delay Ctrl+C (throws <see cref="OperationCanceledException"/>).
    /// </summary>
    public (double Loss, double Accuracy) Evaluate(TrainingSet data, int[]? rows, CancellationToken cancellationToken = default)
    {
        int count = rows?.Length ?? data.Rows;
        if (count == 0) return (double.NaN, double.NaN);
        _sums.Begin(count);
        _data = data;
        _order = rows;
        _count = count;
        _evaluationCancellation = cancellationToken;
        try
        {
            _pool.Run(_evaluateJob);
        }
        finally
        {
            _data = null;
            _order = null;
            _evaluationCancellation = default;
        }
        cancellationToken.ThrowIfCancellationRequested(); // the workers stopped early: the sums are incomplete
        return _sums.Mean(data, count);
    }

    private void EvaluateJob(int worker)
    {
        var work = _workers[worker];
        var data = _data!;
        int size = _network.InputShape.Size;
        for (int c = worker; c < _sums.Chunks; c += _workers.Length)
        {
            if (_evaluationCancellation.IsCancellationRequested) return;
            int first = c * EvaluationChunk, rows = Math.Min(EvaluationChunk, _count - first);
            Span<float> raw = work.GradientA.AsSpan(0, rows * size);
            Span<int> indices = work.RowIndices.AsSpan(0, rows);
            for (int r = 0; r < rows; r++)
            {
                int row = _order is null ? first + r : _order[first + r];
                data.Row(row).CopyTo(raw.Slice(r * size, size));
                indices[r] = row;
            }
            work.Rows = rows;
            work.FirstRow = 0;
            _network.LoadInput(raw, rows, work.Activations[0]);
            var outputs = _network.Forward(_evaluation, work);
            double loss = _head.Evaluate(outputs, data, indices, out double correct);
            _sums.Set(c, loss, correct, data, indices);
        }
    }

    public void Dispose()
    {
        if (_ownsPool) _pool.Dispose();
    }
}
