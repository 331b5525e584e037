using MlNetMlp.Numerics;

namespace MlNetMlp.Training;

/// <summary>
/// Where <see cref="TrainingLoop"/> takes each epoch's mini-batches from: rows held in memory
/// (<see cref="InMemoryBatches"/>) or rows streamed through a shuffle buffer. An epoch's order must be
/// a function of (seed, epoch) only, so a run resumed from a checkpoint sees the same batches.
/// </summary>
internal interface IBatchSource
{
    /// <summary>Rows per full batch (the backpropagation buffers are sized for it).</summary>
    int BatchSize { get; }

    /// <summary>Training rows when known up front (in memory), −1 when streamed.</summary>
    long KnownRows { get; }

    /// <summary>Starts 1-based <paramref name="epoch"/>.</summary>
    void BeginEpoch(int epoch);

    /// <summary>
    /// The next batch: rows <c>order[start .. start + count)</c> of <paramref name="data"/>. False at the end of the epoch.
    /// Must not allocate in the steady state.
    /// </summary>
    bool TryNextBatch(out TrainingSet data, out int[] order, out int start, out int count);
}

/// <summary>Batches over rows of a data set in memory, reshuffled every epoch from (seed, epoch).</summary>
internal sealed class InMemoryBatches : IBatchSource
{
    private readonly TrainingSet _data;
    private readonly int[] _rows;
    private readonly int[] _order;
    private readonly bool _shuffle;
    private readonly int _shuffleSeed;
    private int _next;

    public InMemoryBatches(TrainingSet data, int[] rows, int batchSize, bool shuffle, int seed)
    {
        _data = data;
        _rows = rows;
        _order = (int[])rows.Clone();
        _shuffle = shuffle;
        _shuffleSeed = RandomStreams.SubSeed(seed, RandomStreams.ShuffleStream);
        BatchSize = Math.Clamp(batchSize, 1, Math.Max(1, rows.Length));
    }

    public int BatchSize { get; }

    public long KnownRows => _rows.Length;

    public void BeginEpoch(int epoch)
    {
        _next = 0;
        if (!_shuffle) return;
        // Each epoch shuffles the same starting order with its own generator, so epoch k's order needs no earlier epoch.
        _rows.CopyTo(_order, 0);
        RandomStreams.Shuffle(_order, new Random(RandomStreams.EpochSeed(_shuffleSeed, epoch)));
    }

    public bool TryNextBatch(out TrainingSet data, out int[] order, out int start, out int count)
    {
        data = _data;
        order = _order;
        start = _next;
        count = Math.Min(BatchSize, _order.Length - _next);
        _next += count;
        return count > 0;
    }
}
