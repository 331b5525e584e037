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
    /// Scores blocks of <see cref="IProbabilityModel{TWorkspace}.BlockRowsPerCore"/> rows read ahead. Blocks are
    /// shared out as they come, not dealt in turn: every lane (one per core, each with its own lookahead cursor, which
    /// skips the rows of blocks it does not take) claims the next unclaimed block. The reader's own lane works on the
    /// reader's thread: it scores the block the reader needs when nobody has claimed it, and scores the next unclaimed
    /// block instead of waiting when a helper is still on the one it needs. Helper lanes run on pool threads up to
    /// <see cref="_ring"/>'s length in blocks ahead of the reader; a helper with no room gives its thread back, and
    /// the reader restarts it as it moves on, so no thread ever waits for the reader and few hand-offs happen. Every
    /// row's id is checked against the main cursor's, and any mismatch (a source that does not repeat its order)
    /// switches to row-by-row scoring.
    /// </summary>
    private sealed class BlockScorer : IDisposable
    {
        private readonly object _gate = new();
        private readonly IProbabilityModel<TWorkspace> _model;
        private readonly int _blockRows;
        private readonly DataViewRowCursor _input;
        private readonly ValueGetter<DataViewRowId> _inputId;
        private readonly Lane _own;
        private readonly Lane[] _helpers;
        private readonly RowScorer _fallback;
        // Block i lives in _ring[i % length] from its claim until the reader has left it.
        private readonly Block[] _ring;
        // Guarded by _gate: the first block nobody has claimed, the block the reader is on, and whether to stop.
        private long _unclaimed;
        private long _reading = -1;
        private bool _stopped;
        private Block? _current;
        private bool _aligned = true;

        public BlockScorer(IProbabilityModel<TWorkspace> model, DataViewSchema.Column featureColumn, DataViewRowCursor input, Func<DataViewRowCursor> openLookahead)
        {
            _model = model;
            // Fewer rows for models with huge rows, so the features and probabilities of a block stay one modest array each.
            _blockRows = ScoringBlock.Rows(model.BlockRowsPerCore, Math.Max(model.InputSize, model.ClassCount));
            _input = input;
            _inputId = input.GetIdGetter();
            _fallback = new RowScorer(model, input.GetGetter<VBuffer<float>>(featureColumn));
            int lanes = Math.Clamp(Environment.ProcessorCount, 1, 16);
            _ring = new Block[4 * lanes];
            for (int i = 0; i < _ring.Length; i++) _ring[i] = new Block(_blockRows, model.ClassCount);
            _helpers = new Lane[lanes - 1];
            try
            {
                _own = new Lane(model, featureColumn, openLookahead(), _blockRows);
                for (int k = 0; k < _helpers.Length; k++)
                    _helpers[k] = new Lane(model, featureColumn, openLookahead(), _blockRows);
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
                long index = position / _blockRows;
                if (_current?.Index != index) _current = Acquire(index);
                int row = (int)(position - index * _blockRows);
                if (_current != null && row < _current.Count)
                {
                    DataViewRowId id = default;
                    _inputId(ref id);
                    if (id.Equals(_current.Ids[row]))
                        return _current.Probabilities.AsMemory(row * _model.ClassCount, _model.ClassCount);
                }
                _aligned = false;
                _current = null;
                lock (_gate) _stopped = true;
            }
            return _fallback.Score(position);
        }

        /// <summary>Block <paramref name="index"/>, scored; null when the lookahead cannot deliver it. Rethrows what producing it threw.</summary>
        private Block? Acquire(long index)
        {
            bool waited = false;
            while (true)
            {
                Block slot = _ring[index % _ring.Length];
                Block claimed;
                long claimedIndex;
                lock (_gate)
                {
                    _reading = index;
                    if (slot.Index == index && slot.Ready)
                    {
                        StartHelpers();
                        return slot.Error is { } error ? Rethrow(error) : slot.Missing ? null : slot;
                    }
                    if (index >= _unclaimed && !slot.InProgress)
                    {
                        // Nobody has it (the reader caught up, or skipped ahead past blocks nobody will score).
                        claimedIndex = index;
                        _unclaimed = index + 1;
                    }
                    else if (index < _unclaimed && slot.Index != index)
                    {
                        return null; // not kept for the reader: cannot happen while positions only grow, but never wait for it
                    }
                    else if (index < _unclaimed && HasRoom() && !_own.Ended)
                    {
                        // A helper is on it: score the next free block here instead of waiting.
                        claimedIndex = _unclaimed++;
                    }
                    else
                    {
                        StartHelpers();
                        if (!waited) SpinUntilReady(slot);
                        else Monitor.Wait(_gate);
                        waited = true;
                        continue;
                    }
                    claimed = Claim(claimedIndex);
                    StartHelpers();
                }
                _own.Fill(claimed);
                lock (_gate)
                {
                    claimed.Ready = true;
                    Monitor.PulseAll(_gate);
                }
            }
        }

        /// <summary>
        /// Under the gate: lets it go and watches <paramref name="slot"/> for up to 100 µs (a helper is on it) before the
        /// reader blocks; waking a blocked thread costs tens of microseconds on a virtual machine whose idle core has halted.
        /// </summary>
        private void SpinUntilReady(Block slot)
        {
            Monitor.Exit(_gate);
            try
            {
                long start = System.Diagnostics.Stopwatch.GetTimestamp();
                while (!Volatile.Read(ref slot.Ready) && System.Diagnostics.Stopwatch.GetElapsedTime(start).Ticks < TimeSpan.TicksPerMillisecond / 10)
                    Thread.SpinWait(20);
            }
            finally
            {
                Monitor.Enter(_gate);
            }
        }

        private static Block? Rethrow(System.Runtime.ExceptionServices.ExceptionDispatchInfo error)
        {
            error.Throw();
            return null;
        }

        /// <summary>Under the gate: whether block <see cref="_unclaimed"/> may be claimed (its slot is free and the reader is near enough).</summary>
        private bool HasRoom() => _unclaimed < _reading + _ring.Length && !_ring[_unclaimed % _ring.Length].InProgress;

        /// <summary>Under the gate: marks block <paramref name="index"/>'s slot as being produced.</summary>
        private Block Claim(long index)
        {
            Block slot = _ring[index % _ring.Length];
            slot.Index = index;
            slot.Ready = false;
            slot.InProgress = true;
            return slot;
        }

        /// <summary>Under the gate: puts every idle helper with work ahead of it on a pool thread.</summary>
        private void StartHelpers()
        {
            if (_stopped || !HasRoom()) return;
            foreach (Lane helper in _helpers)
            {
                if (helper.Running || helper.Ended) continue;
                helper.Running = true;
                ThreadPool.UnsafeQueueUserWorkItem(static state => state.scorer.RunHelper(state.helper), (scorer: this, helper), preferLocal: false);
            }
        }

        /// <summary>A helper's turn on a pool thread: claims and scores blocks while there is room, then returns the thread.</summary>
        private void RunHelper(Lane helper)
        {
            while (true)
            {
                Block claimed;
                lock (_gate)
                {
                    if (_stopped || helper.Ended || !HasRoom())
                    {
                        helper.Running = false;
                        Monitor.PulseAll(_gate);
                        return;
                    }
                    claimed = Claim(_unclaimed++);
                    helper.Filling = true;
                }
                helper.Fill(claimed);
                lock (_gate)
                {
                    helper.Filling = false;
                    claimed.Ready = true;
                    Monitor.PulseAll(_gate);
                }
            }
        }

        public void Dispose()
        {
            lock (_gate)
            {
                _stopped = true;
                // Helpers finish the block in hand and stop; their cursors are disposed below, not under them. A turn
                // still queued sees _stopped before it touches its cursor.
                while (_helpers.Any(helper => helper is { Filling: true }))
                    Monitor.Wait(_gate);
            }
            _own?.Cursor.Dispose();
            foreach (Lane helper in _helpers)
                helper?.Cursor.Dispose();
        }
    }

    /// <summary>One block's scores and row ids, or why it has none (its lane's rows ran out, or reading them threw).</summary>
    private sealed class Block(int rows, int classes)
    {
        public long Index = -1;
        public int Count;
        public bool InProgress;
        public bool Ready;
        public bool Missing;
        public System.Runtime.ExceptionServices.ExceptionDispatchInfo? Error;
        public readonly float[] Probabilities = new float[rows * classes];
        public readonly DataViewRowId[] Ids = new DataViewRowId[rows];
    }

    /// <summary>One lookahead cursor with its feature block and workspace: reads and scores the blocks its lane claims, in increasing order.</summary>
    private sealed class Lane
    {
        private readonly IProbabilityModel<TWorkspace> _model;
        private readonly ValueGetter<VBuffer<float>> _features;
        private readonly ValueGetter<DataViewRowId> _id;
        private readonly TWorkspace _workspace;
        private readonly float[] _block;
        private readonly int _blockRows;
        private VBuffer<float> _buffer;

        public Lane(IProbabilityModel<TWorkspace> model, DataViewSchema.Column featureColumn, DataViewRowCursor cursor, int blockRows)
        {
            _model = model;
            Cursor = cursor;
            _blockRows = blockRows;
            _features = cursor.GetGetter<VBuffer<float>>(cursor.Schema[featureColumn.Index]);
            _id = cursor.GetIdGetter();
            _workspace = model.CreateWorkspace(blockRows);
            _block = new float[blockRows * model.InputSize];
        }

        public DataViewRowCursor Cursor { get; }

        /// <summary>Guarded by the scorer's gate: a helper's turn is queued or running.</summary>
        public bool Running;

        /// <summary>Guarded by the scorer's gate: a helper is reading or scoring a block with <see cref="Cursor"/>.</summary>
        public bool Filling;

        /// <summary>The cursor ran out of rows, or reading it threw: this lane takes no more blocks.</summary>
        public bool Ended { get; private set; }

        /// <summary>Reads and scores <paramref name="target"/>'s block; a failure is kept in the block for the reader, who may never need it.</summary>
        public void Fill(Block target)
        {
            target.Error = null;
            target.Missing = false;
            target.Count = 0;
            try
            {
                if (!TryFill(target)) target.Missing = true;
            }
            catch (Exception error)
            {
                Ended = true;
                target.Error = System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(error);
            }
            target.InProgress = false;
        }

        private bool TryFill(Block target)
        {
            if (Ended) return false;
            long first = target.Index * _blockRows;
            // The cursor only moves forward: skip the rows of the blocks other lanes took.
            while (Cursor.Position < first - 1)
                if (!Cursor.MoveNext()) { Ended = true; return false; }
            if (Cursor.Position != first - 1) return false;

            int count = 0, width = _model.InputSize;
            while (count < _blockRows && Cursor.MoveNext())
            {
                _features(ref _buffer);
                _buffer.CopyTo(_block.AsSpan(count * width, width));
                _id(ref target.Ids[count]);
                count++;
            }
            if (count < _blockRows) Ended = true;
            if (count == 0) return false;
            _model.PredictProbabilities(_block.AsSpan(0, count * width), count,
                target.Probabilities.AsSpan(0, count * _model.ClassCount), _workspace);
            target.Count = count;
            return true;
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
