using MlNetMlp.Numerics;

namespace MlNetMlp.Cnn;

/// <summary>
/// Trains a <see cref="CnnNetwork"/> in place with Adam, one mini-batch at a time, on a <see cref="WorkerPool"/>.
/// <para>
/// One optimizer step is one pool job: each worker loads its contiguous share of the batch's rows, runs every layer
/// forward and backward on its own buffers (meeting the others at each batch-norm layer, which needs the whole
/// batch's statistics), then, after a last barrier, sums all workers' partial gradients over its share of the
/// parameter vector (in worker order) and applies Adam to that share. Nothing is allocated per step.
/// Results depend on the worker count (the split of the sums) but never on timing.
/// </para>
/// </summary>
internal sealed class CnnEngine : IDisposable
{
    internal const int EvaluationChunk = 32;

    private readonly CnnNetwork _network;
    private readonly WorkerPool _pool;
    private readonly bool _ownsPool;
    private readonly CnnWorkspace[] _workers;
    private readonly CnnPass _training;
    private readonly CnnPass _evaluation;
    private readonly float[] _firstMoment;
    private readonly float[] _secondMoment;
    private readonly float _beta1, _beta2, _epsilon, _l2;
    private readonly Action<int> _stepJob;
    private readonly Action<int> _evaluateJob;
    private readonly (int Start, int End, bool IsWeight)[] _tensors;

    // The batch being processed.
    private MlpDataSet? _data;
    private int[]? _order;
    private int _start, _count;
    private float _learningRate;
    private CancellationToken _evaluationCancellation;
    private double[] _chunkLoss = [];
    private int[] _chunkCorrect = [];

    public CnnEngine(CnnNetwork network, int threads, int maxBatchRows, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-8f, float l2 = 0f, WorkerPool? pool = null)
    {
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
        _firstMoment = new float[network.Parameters.Length];
        _secondMoment = new float[network.Parameters.Length];
        _beta1 = beta1;
        _beta2 = beta2;
        _epsilon = epsilon;
        _l2 = l2;
        _tensors = network.ParameterTensors.Select(t => (t.Offset, t.Offset + t.Length, t.IsWeight)).ToArray();
        _stepJob = StepJob;
        _evaluateJob = EvaluateJob;
    }

    public CnnNetwork Network => _network;

    public int Workers => _workers.Length;

    /// <summary>Adam steps taken so far (t of the bias correction).</summary>
    public int AdamStep { get; private set; }

    /// <summary>Adam's first moment per parameter (checkpoints save it).</summary>
    public float[] AdamFirstMoment => _firstMoment;

    /// <summary>Adam's second moment per parameter.</summary>
    public float[] AdamSecondMoment => _secondMoment;

    /// <summary>Puts Adam back where a checkpoint left it.</summary>
    public void RestoreAdam(int step, ReadOnlySpan<float> firstMoment, ReadOnlySpan<float> secondMoment)
    {
        if (firstMoment.Length != _firstMoment.Length || secondMoment.Length != _secondMoment.Length)
            throw new ArgumentException($"Adam's state has {_firstMoment.Length} values per moment; got {firstMoment.Length} and {secondMoment.Length}.");
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        AdamStep = step;
        firstMoment.CopyTo(_firstMoment);
        secondMoment.CopyTo(_secondMoment);
    }

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
    /// mean cross-entropy. <paramref name="dropoutSeed"/> and <paramref name="step"/> select the dropout masks.
    /// </summary>
    public double Step(MlpDataSet data, int[] order, int start, int count, float learningRate, int dropoutSeed, long step)
    {
        if (data.FeatureCount != _network.InputShape.Size)
            throw new ArgumentException($"The data has {data.FeatureCount} values per row; the network reads {_network.InputShape.Size}.", nameof(data));
        if (count < 1 || count > _workers[0].MaxRows * _workers.Length || start < 0 || start + count > order.Length)
            throw new ArgumentOutOfRangeException(nameof(count));
        _data = data;
        _order = order;
        _start = start;
        _count = count;
        _learningRate = learningRate;
        _training.BatchRows = count;
        _training.DropoutSeed = dropoutSeed;
        _training.Step = step;
        if (ApplyUpdates) AdamStep++;
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
        return loss / count;
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
            var logits = _network.Forward(_training, work);
            int classes = _network.ClassCount;
            float[] gradient = work.GradientA, other = work.GradientB;
            if (rows > 0)
                work.LossSum = SoftmaxCrossEntropy.LossAndGradient(logits, work.Labels, rows, classes, 1f / _count, gradient.AsSpan(0, rows * classes));
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

    private void LoadRows(CnnWorkspace work, MlpDataSet data, int[] order, int start, int rows)
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
            work.Labels[r] = data.Labels[row];
        }
        _network.LoadInput(raw, rows, staging);
    }

    private void ReduceAndUpdate(int worker)
    {
        int total = _network.Parameters.Length;
        (int start, int length) = WorkerPool.Split(total, _workers.Length, worker);
        int end = start + length;
        Span<float> sum = _workers[0].ParameterGradient.AsSpan(start, length);
        if (_workers[0].Rows == 0) sum.Clear();
        for (int w = 1; w < _workers.Length; w++)
        {
            if (_workers[w].Rows > 0)
                System.Numerics.Tensors.TensorPrimitives.Add(sum, _workers[w].ParameterGradient.AsSpan(start, length), sum);
        }
        if (!ApplyUpdates) return;
        foreach (var (tensorStart, tensorEnd, isWeight) in _tensors)
        {
            int from = Math.Max(start, tensorStart), to = Math.Min(end, tensorEnd);
            if (from >= to) continue;
            Optimizers.Adam(_network.Parameters.AsSpan(from, to - from), _workers[0].ParameterGradient.AsSpan(from, to - from),
                _firstMoment.AsSpan(from, to - from), _secondMoment.AsSpan(from, to - from),
                _learningRate, _beta1, _beta2, _epsilon, AdamStep, isWeight ? _l2 : 0f, Simd.Best);
        }
    }

    /// <summary>
    /// Mean cross-entropy and accuracy in inference mode over <paramref name="rows"/> of <paramref name="data"/>
    /// (null = all), in fixed chunks summed in order, so the result does not depend on the worker count.
    /// <paramref name="cancellationToken"/> is checked before every chunk, so that a large monitoring set does not
    /// delay Ctrl+C (throws <see cref="OperationCanceledException"/>).
    /// </summary>
    public (double Loss, double Accuracy) Evaluate(MlpDataSet data, int[]? rows, CancellationToken cancellationToken = default)
    {
        int count = rows?.Length ?? data.Rows;
        if (count == 0) return (double.NaN, double.NaN);
        int chunks = (count + EvaluationChunk - 1) / EvaluationChunk;
        if (_chunkLoss.Length < chunks)
        {
            _chunkLoss = new double[chunks];
            _chunkCorrect = new int[chunks];
        }
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
        double loss = 0;
        long correct = 0;
        for (int c = 0; c < chunks; c++)
        {
            loss += _chunkLoss[c];
            correct += _chunkCorrect[c];
        }
        return (loss / count, (double)correct / count);
    }

    private void EvaluateJob(int worker)
    {
        var work = _workers[worker];
        var data = _data!;
        int size = _network.InputShape.Size, classes = _network.ClassCount;
        int chunks = (_count + EvaluationChunk - 1) / EvaluationChunk;
        for (int c = worker; c < chunks; c += _workers.Length)
        {
            if (_evaluationCancellation.IsCancellationRequested) return;
            int first = c * EvaluationChunk, rows = Math.Min(EvaluationChunk, _count - first);
            Span<float> raw = work.GradientA.AsSpan(0, rows * size);
            for (int r = 0; r < rows; r++)
            {
                int row = _order is null ? first + r : _order[first + r];
                data.Row(row).CopyTo(raw.Slice(r * size, size));
                work.Labels[r] = data.Labels[row];
            }
            work.Rows = rows;
            work.FirstRow = 0;
            _network.LoadInput(raw, rows, work.Activations[0]);
            var logits = _network.Forward(_evaluation, work);
            _chunkLoss[c] = SoftmaxCrossEntropy.LossAndCorrectCount(logits, work.Labels.AsSpan(0, rows), rows, classes, out int correct);
            _chunkCorrect[c] = correct;
        }
    }

    public void Dispose()
    {
        if (_ownsPool) _pool.Dispose();
    }
}
