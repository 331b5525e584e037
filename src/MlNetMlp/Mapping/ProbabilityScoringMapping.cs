using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetMlp.Numerics;
using MlNetMlp.Persistence;

namespace MlNetMlp.Mapping;

/// <summary>
/// Per-row classifier scoring: a feature vector → Score (probabilities, slot names = the label's key values) and
/// PredictedLabel (arg-max key), with the annotations ML.NET's multiclass Evaluate and PredictionEngine expect.
/// </summary>
internal sealed class ProbabilityScoringMapping<TWorkspace> : ILookaheadRowMapping
{
    private readonly IProbabilityModel<TWorkspace> _model;
    private readonly DataViewSchema.Column _featureColumn;

    public ProbabilityScoringMapping(IProbabilityModel<TWorkspace> model, DataViewSchema inputSchema, string featureColumnName,
        string scoreColumnName, string predictedLabelColumnName, LabelKeyValues? labelKeyValues)
    {
        InputSchema = inputSchema;
        _model = model;
        _featureColumn = SchemaChecks.FeatureVector(inputSchema, featureColumnName, model.InputSize, nameof(inputSchema));
        int classes = _model.ClassCount;

        var scoreAnnotations = new DataViewSchema.Annotations.Builder();
        if (labelKeyValues != null)
        {
            var names = labelKeyValues.AsText();
            scoreAnnotations.AddSlotNames(classes, (ref VBuffer<ReadOnlyMemory<char>> dst) => dst = new VBuffer<ReadOnlyMemory<char>>(names.Length, (ReadOnlyMemory<char>[])names.Clone()));
        }
        AddScoreKinds(scoreAnnotations, AnnotationUtils.Const.ScoreValueKind.Score);

        var labelAnnotations = new DataViewSchema.Annotations.Builder();
        labelKeyValues?.AddTo(labelAnnotations);
        AddScoreKinds(labelAnnotations, AnnotationUtils.Const.ScoreValueKind.PredictedLabel);

        AddedColumns =
        [
            new DataViewSchema.DetachedColumn(scoreColumnName, new VectorDataViewType(NumberDataViewType.Single, classes), scoreAnnotations.ToAnnotations()),
            new DataViewSchema.DetachedColumn(predictedLabelColumnName, new KeyDataViewType(typeof(uint), classes), labelAnnotations.ToAnnotations()),
        ];
    }

    public DataViewSchema InputSchema { get; }

    public IReadOnlyList<DataViewSchema.DetachedColumn> AddedColumns { get; }

    public IEnumerable<DataViewSchema.Column> GetDependencies(Func<int, bool> isAddedActive) =>
        isAddedActive(0) || isAddedActive(1) ? [_featureColumn] : [];

    public Delegate?[] CreateGetters(DataViewRow input, Func<int, bool> isAddedActive)
    {
        if (!isAddedActive(0) && !isAddedActive(1)) return new Delegate?[2];
        var scorer = new RowScorer(_model, input.GetGetter<VBuffer<float>>(_featureColumn));
        return Getters(() => scorer.Score(input.Position), isAddedActive);
    }

    public IEnumerable<DataViewSchema.Column> LookaheadColumns => [_featureColumn];

    public Delegate?[] CreateLookaheadGetters(DataViewRowCursor input, Func<DataViewRowCursor> openLookahead, Func<int, bool> isAddedActive,
        out IDisposable resources)
    {
        if (!isAddedActive(0) && !isAddedActive(1))
        {
            resources = NothingToDispose.Instance;
            return new Delegate?[2];
        }
        var scorer = new BlockScorer(_model, _featureColumn, input, openLookahead);
        resources = scorer;
        return Getters(scorer.Score, isAddedActive);
    }

    /// <summary>Score and PredictedLabel getters over a function returning the current row's probabilities.</summary>
    private static Delegate?[] Getters(Func<ReadOnlyMemory<float>> probabilitiesOfCurrentRow, Func<int, bool> isAddedActive)
    {
        var getters = new Delegate?[2];
        if (isAddedActive(0))
        {
            getters[0] = (ValueGetter<VBuffer<float>>)((ref VBuffer<float> dst) =>
            {
                var probabilities = probabilitiesOfCurrentRow().Span;
                var editor = VBufferEditor.Create(ref dst, probabilities.Length);
                probabilities.CopyTo(editor.Values);
                dst = editor.Commit();
            });
        }
        if (isAddedActive(1))
            getters[1] = (ValueGetter<uint>)((ref uint dst) => dst = (uint)ArgMax(probabilitiesOfCurrentRow().Span) + 1); // keys are 1-based; 0 means missing
        return getters;
    }

    /// <summary>Scores one row at a time (PredictionEngine, and the fallback of <see cref="BlockScorer"/>).</summary>
    private sealed class RowScorer(IProbabilityModel<TWorkspace> model, ValueGetter<VBuffer<float>> featureGetter)
    {
        private readonly float[] _dense = new float[model.InputSize];
        private readonly float[] _probabilities = new float[model.ClassCount];
        private readonly TWorkspace _workspace = model.CreateWorkspace(1);
        private VBuffer<float> _features;
        private long _scoredPosition = -1;

        public ReadOnlyMemory<float> Score(long position)
        {
            if (position != _scoredPosition)
            {
                featureGetter(ref _features);
                ReadOnlySpan<float> features = _features.GetValues();
                if (!_features.IsDense)
                {
                    _features.CopyTo(_dense);
                    features = _dense;
                }
                model.PredictProbabilities(features, 1, _probabilities, _workspace);
                _scoredPosition = position;
            }
            return _probabilities;
        }
    }

    /// <summary>
    /// Scores blocks of <see cref="IProbabilityModel{TWorkspace}.BlockRowsPerCore"/> rows read ahead, one lane per
    /// core: lane k owns blocks k, k + lanes, k + 2·lanes, … and has its own lookahead cursor, which skips the other
    /// lanes' rows. Lane 0 reads and scores its blocks on the consumer's thread when they are needed; every other lane
    /// works one block ahead on a pool thread, so reading rows (serial within a cursor) and scoring run on every core
    /// at once. Each lane has two block slots: the one being consumed and the one being filled. Every row's id is checked against the main cursor's,
    /// and any mismatch (a source that does not repeat its order) switches to row-by-row scoring.
    /// </summary>
    private sealed class BlockScorer : IDisposable
    {
        private readonly IProbabilityModel<TWorkspace> _model;
        private readonly int _blockRows;
        private readonly DataViewRowCursor _input;
        private readonly ValueGetter<DataViewRowId> _inputId;
        private readonly Lane[] _lanes;
        private readonly RowScorer _fallback;
        private Block? _current;
        private bool _aligned = true;

        public BlockScorer(IProbabilityModel<TWorkspace> model, DataViewSchema.Column featureColumn, DataViewRowCursor input, Func<DataViewRowCursor> openLookahead)
        {
            _model = model;
            _blockRows = Math.Max(1, model.BlockRowsPerCore);
            _input = input;
            _inputId = input.GetIdGetter();
            _fallback = new RowScorer(model, input.GetGetter<VBuffer<float>>(featureColumn));
            int lanes = Math.Clamp(Environment.ProcessorCount, 1, 16);
            _lanes = new Lane[lanes];
            try
            {
                for (int k = 0; k < lanes; k++)
                    _lanes[k] = new Lane(model, featureColumn, openLookahead(), _blockRows);
            }
            catch
            {
                Dispose();
                throw;
            }
        }

        public ReadOnlyMemory<float> Score()
        {
            long position = _input.Position;
            if (_aligned)
            {
                long block = position / _blockRows;
                if (_current?.Index != block) _current = Request(block);
                int row = (int)(position - block * _blockRows);
                if (_current != null && row < _current.Count)
                {
                    DataViewRowId id = default;
                    _inputId(ref id);
                    if (id.Equals(_current.Ids[row]))
                        return _current.Probabilities.AsMemory(row * _model.ClassCount, _model.ClassCount);
                }
                _aligned = false;
                WaitForLanes();
            }
            return _fallback.Score(position);
        }

        /// <summary>Block <paramref name="index"/>, scored; null when the lookahead cannot deliver it.</summary>
        private Block? Request(long index)
        {
            int laneNumber = (int)(index % _lanes.Length);
            Lane lane = _lanes[laneNumber];
            if (laneNumber == 0)
            {
                // Lane 0 runs on this thread, the others on pool threads: one thread per core, none waiting for a core.
                for (long next = index + 1; next < index + _lanes.Length; next++)
                    _lanes[next % _lanes.Length].Start(next);
                return lane.ProduceNow(index);
            }
            Block? block = lane.Scheduled == index && lane.InFlight ? lane.Finish() : lane.ProduceNow(index);
            // Its next block goes to the lane's other slot while this one is consumed.
            if (block is { Count: var count } && count == _blockRows) lane.Start(index + _lanes.Length);
            return block;
        }

        private void WaitForLanes()
        {
            foreach (Lane lane in _lanes)
                lane?.Wait();
        }

        public void Dispose()
        {
            WaitForLanes();
            foreach (Lane lane in _lanes)
                lane?.Cursor.Dispose();
        }
    }

    /// <summary>Scored rows of one block: features in, probabilities and row ids out.</summary>
    private sealed class Block(int rows, int inputSize, int classes)
    {
        public long Index = -1;
        public int Count;
        public readonly float[] Features = new float[rows * inputSize];
        public readonly float[] Probabilities = new float[rows * classes];
        public readonly DataViewRowId[] Ids = new DataViewRowId[rows];
    }

    /// <summary>One lookahead cursor with its two block slots and workspace; reads and scores one block at a time.</summary>
    private sealed class Lane
    {
        private readonly IProbabilityModel<TWorkspace> _model;
        private readonly ValueGetter<VBuffer<float>> _features;
        private readonly ValueGetter<DataViewRowId> _id;
        private readonly TWorkspace _workspace;
        private readonly Block[] _slots;
        private readonly int _blockRows;
        private VBuffer<float> _buffer;
        private Task<Block?>? _task;
        private int _nextSlot;

        public Lane(IProbabilityModel<TWorkspace> model, DataViewSchema.Column featureColumn, DataViewRowCursor cursor, int blockRows)
        {
            _model = model;
            Cursor = cursor;
            _blockRows = blockRows;
            _features = cursor.GetGetter<VBuffer<float>>(cursor.Schema[featureColumn.Index]);
            _id = cursor.GetIdGetter();
            _workspace = model.CreateWorkspace(blockRows);
            _slots = [new Block(blockRows, model.InputSize, model.ClassCount), new Block(blockRows, model.InputSize, model.ClassCount)];
        }

        public DataViewRowCursor Cursor { get; }

        /// <summary>The block this lane was last asked to produce (in flight or done), or −1.</summary>
        public long Scheduled { get; private set; } = -1;

        /// <summary>A block was started and not yet taken or discarded.</summary>
        public bool InFlight => _task != null;

        /// <summary>The cursor ran out of rows.</summary>
        public bool Ended { get; private set; }

        /// <summary>Starts producing block <paramref name="index"/> on a pool thread, unless it is already started or done.</summary>
        public void Start(long index)
        {
            if (Scheduled >= index || Ended) return;
            Wait();
            Scheduled = index;
            _task = Task.Run(() => Produce(index));
        }

        /// <summary>The block started last, once it is done; rethrows what reading or scoring it threw.</summary>
        public Block? Finish()
        {
            Task<Block?> task = _task!;
            _task = null;
            return task.GetAwaiter().GetResult();
        }

        /// <summary>Produces block <paramref name="index"/> on this thread (the first block, or one the consumer skipped to).</summary>
        public Block? ProduceNow(long index)
        {
            Wait();
            Scheduled = index;
            return Produce(index);
        }

        /// <summary>Waits for the block in flight, if any, ignoring its outcome (it is no longer wanted).</summary>
        public void Wait()
        {
            Task? task = _task;
            _task = null;
            if (task == null) return;
            try
            {
                task.Wait();
            }
            catch (AggregateException)
            {
                // Unwanted block: its error would have been the reader's only if the reader had asked for it.
            }
        }

        private Block? Produce(long index)
        {
            long first = index * _blockRows;
            // The cursor only moves forward: skip the rows of the other lanes' blocks.
            while (Cursor.Position < first - 1)
                if (!Cursor.MoveNext()) { Ended = true; return null; }
            if (Cursor.Position != first - 1) return null;

            // Alternate slots: the consumer may still be reading the block this lane produced last.
            Block block = _slots[_nextSlot];
            _nextSlot ^= 1;
            int count = 0, width = _model.InputSize;
            while (count < _blockRows && Cursor.MoveNext())
            {
                _features(ref _buffer);
                _buffer.CopyTo(block.Features.AsSpan(count * width, width));
                _id(ref block.Ids[count]);
                count++;
            }
            if (count < _blockRows) Ended = true;
            if (count == 0) return null;
            _model.PredictProbabilities(block.Features.AsSpan(0, count * width), count,
                block.Probabilities.AsSpan(0, count * _model.ClassCount), _workspace);
            block.Index = index;
            block.Count = count;
            return block;
        }
    }

    private sealed class NothingToDispose : IDisposable
    {
        public static readonly NothingToDispose Instance = new();
        public void Dispose() { }
    }

    private static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++)
            if (values[i] > values[best]) best = i;
        return best;
    }

    private static void AddScoreKinds(DataViewSchema.Annotations.Builder builder, string valueKind)
    {
        ReadOnlyMemory<char> columnKind = AnnotationUtils.Const.ScoreColumnKind.MulticlassClassification.AsMemory();
        ReadOnlyMemory<char> value = valueKind.AsMemory();
        builder.Add(AnnotationUtils.Kinds.ScoreColumnKind, TextDataViewType.Instance, (ref ReadOnlyMemory<char> dst) => dst = columnKind);
        builder.Add(AnnotationUtils.Kinds.ScoreValueKind, TextDataViewType.Instance, (ref ReadOnlyMemory<char> dst) => dst = value);
    }
}
