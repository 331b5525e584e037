namespace MlNetMlp.Numerics;

/// <summary>
/// Mean loss and accuracy (the task head's) of a network on a set of rows, in inference mode (no dropout),
/// spread over a worker pool. Rows are cut into fixed chunks and chunk results are summed in chunk
/// order, so the numbers do not depend on the worker count.
/// </summary>
internal sealed class MlpEvaluator
{
    private const int ChunkRows = 256;

    private readonly MlpNetwork _network;
    private readonly MlpScoringNetwork _scoring;
    private readonly WorkerPool _pool;
    private readonly WorkerBuffers[] _workers;
    private readonly Action<int> _job;
    private readonly TaskHead _head;
    private readonly EvaluationSums _sums = new(ChunkRows);

    private TrainingSet? _data;
    private int[]? _rows;
    private int _rowCount;

    public MlpEvaluator(MlpNetwork network, WorkerPool pool, TaskHead? head = null)
    {
        _head = head ?? new MulticlassHead(network.OutputCount);
        _network = network;
        _scoring = new MlpScoringNetwork(network);
        _pool = pool;
        _workers = new WorkerBuffers[pool.WorkerCount];
        for (int w = 0; w < _workers.Length; w++)
            _workers[w] = new WorkerBuffers(network, _scoring);
        _job = EvaluateChunks;
    }

    /// <summary>Loss and accuracy over <paramref name="rows"/> of <paramref name="data"/> (null = all rows).</summary>
    public (double Loss, double Accuracy) Evaluate(TrainingSet data, int[]? rows)
    {
        _rowCount = rows?.Length ?? data.Rows;
        if (_rowCount == 0) return (double.NaN, double.NaN);
        _sums.Begin(_rowCount);
        _scoring.CopyFrom(_network);
        _data = data;
        _rows = rows;
        try
        {
            _pool.Run(_job);
        }
        finally
        {
            _data = null;
            _rows = null;
        }
        return _sums.Mean(data, _rowCount);
    }

    private void EvaluateChunks(int worker)
    {
        WorkerBuffers buffers = _workers[worker];
        TrainingSet data = _data!;
        int inputSize = data.FeatureCount, outputs = _network.OutputCount;
        for (int c = worker; c < _sums.Chunks; c += _workers.Length)
        {
            int first = c * ChunkRows, count = Math.Min(ChunkRows, _rowCount - first);
            ReadOnlySpan<float> features;
            Span<int> rows = buffers.Rows.AsSpan(0, count); // the chunk's row indices, read by the head
            if (_rows is null)
            {
                features = data.Features.AsSpan(first * inputSize, count * inputSize);
                for (int r = 0; r < count; r++) rows[r] = first + r;
            }
            else
            {
                for (int r = 0; r < count; r++)
                {
                    int row = _rows[first + r];
                    data.Row(row).CopyTo(buffers.Features.AsSpan(r * inputSize, inputSize));
                    rows[r] = row;
                }
                features = buffers.Features.AsSpan(0, count * inputSize);
            }
            Span<float> logits = buffers.Logits.AsSpan(0, count * outputs);
            _scoring.ComputeLogits(features, count, logits, buffers.Workspace);
            double loss = _head.Evaluate(logits, data, rows, out double correct);
            _sums.Set(c, loss, correct, data, rows);
        }
    }

    private sealed class WorkerBuffers(MlpNetwork network, MlpScoringNetwork scoring)
    {
        public MlpInferenceWorkspace Workspace { get; } = scoring.CreateWorkspace(ChunkRows);
        public float[] Features { get; } = new float[ChunkRows * network.InputSize];
        public int[] Rows { get; } = new int[ChunkRows];
        public float[] Logits { get; } = new float[ChunkRows * network.ClassCount];
    }
}
