using Microsoft.ML;
using MlNetMlp.Numerics;

namespace MlNetMlp.Mapping;

/// <summary>
/// Mini-batches streamed from an IDataView with a bounded shuffle buffer, as <c>tf.data</c>'s
/// <c>shuffle(buffer_size)</c>: the buffer is filled with the first rows; each batch row is drawn from a
/// random buffer slot, which the next row of the stream then takes (at the end of the stream, the last
/// buffered row). Memory is the buffer plus one batch, whatever the number of rows. Each epoch reopens
/// the cursor and draws from a generator seeded by (seed, epoch), so epochs are reproducible one by one.
/// </summary>
internal sealed class StreamingBatches : IBatchSource, IDisposable
{
    private readonly IDataView _data;
    private readonly Microsoft.ML.DataViewSchema.Column _features, _label;
    private readonly int _featureCount;
    private readonly float[] _bufferFeatures;
    private readonly RowLabel[] _bufferLabels;
    private readonly Microsoft.ML.DataViewSchema.Column? _weight;
    private readonly TrainingSet _batch;
    private readonly int[] _batchOrder;
    private readonly bool _shuffle;
    private readonly int _shuffleSeed;
    private LabeledRowReader? _reader;
    private Random? _random;
    private int _filled;
    private bool _exhausted;

    public StreamingBatches(IDataView data, Microsoft.ML.DataViewSchema.Column features, Microsoft.ML.DataViewSchema.Column label,
        int bufferRows, int batchSize, bool shuffle, int seed, Microsoft.ML.DataViewSchema.Column? weight = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bufferRows, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        _data = data;
        _features = features;
        _label = label;
        _weight = weight;
        _featureCount = ((Microsoft.ML.Data.VectorDataViewType)features.Type).Size;
        _shuffle = shuffle;
        _shuffleSeed = RandomStreams.SubSeed(seed, RandomStreams.ShuffleStream);
        int buffer = shuffle ? bufferRows : 0; // without shuffling, rows go straight from the cursor into the batch
        _bufferFeatures = new float[checked(buffer * _featureCount)];
        _bufferLabels = new RowLabel[buffer];
        BatchSize = batchSize;
        float[] batchFeatures = new float[checked(batchSize * _featureCount)];
        float[]? batchWeights = weight is null ? null : new float[batchSize];
        _batch = label.Type == Microsoft.ML.Data.NumberDataViewType.Single
            ? new TrainingSet(batchFeatures, new float[batchSize], _featureCount, batchWeights)
            : new TrainingSet(batchFeatures, new int[batchSize], _featureCount, batchWeights);
        _batchOrder = Enumerable.Range(0, batchSize).ToArray();
    }

    public int BatchSize { get; }

    /// <summary>
    /// Regression: the mean and scale the trainer standardized its in-memory targets with, applied to every streamed target
    /// as it is batched (the defaults leave targets as read).
    /// </summary>
    public (float Mean, float Scale) TargetStandardization { get; set; } = (0, 1);

    public long KnownRows => -1;

    /// <summary>Labelled rows read from the source in the current epoch.</summary>
    public long RowsRead { get; private set; }

    public void BeginEpoch(int epoch)
    {
        _reader?.Dispose();
        _reader = new LabeledRowReader(_data, _features, _label, "training data", _weight);
        _random = new Random(RandomStreams.EpochSeed(_shuffleSeed, epoch));
        _filled = 0;
        _exhausted = false;
        RowsRead = 0;
        if (!_shuffle) return;
        while (_filled < _bufferLabels.Length && Read(_filled)) _filled++;
    }

    public bool TryNextBatch(out TrainingSet data, out int[] order, out int start, out int count)
    {
        data = _batch;
        order = _batchOrder;
        start = 0;
        count = 0;
        if (_reader is null) return false;
        Span<float> batchFeatures = _batch.Features;
        while (count < BatchSize)
        {
            Span<float> destination = batchFeatures.Slice(count * _featureCount, _featureCount);
            if (!_shuffle)
            {
                if (_exhausted || !_reader.TryRead(destination, out RowLabel label)) { _exhausted = true; break; }
                _batch.SetLabel(count++, Standardized(label));
                RowsRead++;
                continue;
            }
            if (_filled == 0) break;
            int slot = _random!.Next(_filled);
            _bufferFeatures.AsSpan(slot * _featureCount, _featureCount).CopyTo(destination);
            _batch.SetLabel(count++, Standardized(_bufferLabels[slot]));
            if (!Read(slot))
            {
                // The stream is done: the last buffered row fills the hole, and the buffer drains.
                int last = --_filled;
                if (last != slot)
                {
                    _bufferFeatures.AsSpan(last * _featureCount, _featureCount).CopyTo(_bufferFeatures.AsSpan(slot * _featureCount, _featureCount));
                    _bufferLabels[slot] = _bufferLabels[last];
                }
            }
        }
        return count > 0;
    }

    /// <summary>Reads the next source row into buffer slot <paramref name="slot"/>; false (and no more reads) at the end.</summary>
    private bool Read(int slot)
    {
        if (_exhausted) return false;
        if (!_reader!.TryRead(_bufferFeatures.AsSpan(slot * _featureCount, _featureCount), out RowLabel label))
        {
            _exhausted = true;
            return false;
        }
        _bufferLabels[slot] = label;
        RowsRead++;
        return true;
    }

    private RowLabel Standardized(RowLabel label) => TargetStandardization == (0, 1)
        ? label
        : label with { Target = (float)((label.Target - (double)TargetStandardization.Mean) / TargetStandardization.Scale) };

    public void Dispose()
    {
        _reader?.Dispose();
        _reader = null;
    }
}
