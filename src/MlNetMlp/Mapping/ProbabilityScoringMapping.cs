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

    public Delegate?[] CreateLookaheadGetters(DataViewRowCursor input, DataViewRowCursor lookahead, Func<int, bool> isAddedActive)
    {
        if (!isAddedActive(0) && !isAddedActive(1)) return new Delegate?[2];
        var scorer = new BlockScorer(_model, _featureColumn, input, lookahead);
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
    /// Scores blocks of rows read ahead by a second cursor; each row's id is checked against the
    /// main cursor's, and any mismatch (a source that does not repeat its order) switches to row-by-row scoring.
    /// A block is split across the cores: its rows are read on the cursor's thread, then each core scores
    /// <see cref="IProbabilityModel{TWorkspace}.BlockRowsPerCore"/> of them (a few hundred microseconds of work or
    /// more, so handing parts to the thread pool costs little).
    /// </summary>
    private sealed class BlockScorer
    {
        private static readonly int Cores = Math.Clamp(Environment.ProcessorCount, 1, 16);
        private readonly int _rowsPerCore;
        private readonly int _blockRows;
        private readonly IProbabilityModel<TWorkspace> _model;
        private readonly DataViewRowCursor _input;
        private readonly DataViewRowCursor _lookahead;
        private readonly ValueGetter<VBuffer<float>> _lookaheadFeatures;
        private readonly ValueGetter<DataViewRowId> _lookaheadId;
        private readonly ValueGetter<DataViewRowId> _inputId;
        private readonly float[] _features;
        private readonly float[] _probabilities;
        private readonly DataViewRowId[] _ids;
        private readonly TWorkspace[] _workspaces;
        private readonly RowScorer _fallback;
        private VBuffer<float> _buffer;
        private long _blockStart = -1;
        private int _blockCount;
        private bool _aligned = true;

        public BlockScorer(IProbabilityModel<TWorkspace> model, DataViewSchema.Column featureColumn, DataViewRowCursor input, DataViewRowCursor lookahead)
        {
            _model = model;
            _rowsPerCore = Math.Max(1, model.BlockRowsPerCore);
            _blockRows = _rowsPerCore * Cores;
            _ids = new DataViewRowId[_blockRows];
            _input = input;
            _lookahead = lookahead;
            _lookaheadFeatures = lookahead.GetGetter<VBuffer<float>>(lookahead.Schema[featureColumn.Index]);
            _lookaheadId = lookahead.GetIdGetter();
            _inputId = input.GetIdGetter();
            _features = new float[_blockRows * model.InputSize];
            _probabilities = new float[_blockRows * model.ClassCount];
            _workspaces = Enumerable.Range(0, Cores).Select(_ => model.CreateWorkspace(_rowsPerCore)).ToArray();
            _fallback = new RowScorer(model, input.GetGetter<VBuffer<float>>(featureColumn));
        }

        public ReadOnlyMemory<float> Score()
        {
            long position = _input.Position;
            if (_aligned && (position < _blockStart || position >= _blockStart + _blockCount))
                Fill(position);
            if (_aligned)
            {
                int row = (int)(position - _blockStart);
                DataViewRowId id = default;
                _inputId(ref id);
                if (id.Equals(_ids[row]))
                    return _probabilities.AsMemory(row * _model.ClassCount, _model.ClassCount);
                _aligned = false;
            }
            return _fallback.Score(position);
        }

        private void Fill(long position)
        {
            // The lookahead only moves forward: skip rows the consumer did not score.
            while (_lookahead.Position < position - 1)
                if (!_lookahead.MoveNext()) { _aligned = false; return; }
            if (_lookahead.Position != position - 1) { _aligned = false; return; }

            int count = 0, width = _model.InputSize;
            while (count < _blockRows && _lookahead.MoveNext())
            {
                _lookaheadFeatures(ref _buffer);
                _buffer.CopyTo(_features.AsSpan(count * width, width));
                _lookaheadId(ref _ids[count]);
                count++;
            }
            if (count == 0) { _aligned = false; return; }
            int parts = (count + _rowsPerCore - 1) / _rowsPerCore;
            if (parts == 1)
                ScorePart(count, 1, 0);
            else
                Parallel.For(0, parts, part => ScorePart(count, parts, part));
            _blockStart = position;
            _blockCount = count;
        }

        private void ScorePart(int count, int parts, int part)
        {
            (int first, int rows) = WorkerPool.Split(count, parts, part);
            int width = _model.InputSize, classes = _model.ClassCount;
            _model.PredictProbabilities(_features.AsSpan(first * width, rows * width), rows,
                _probabilities.AsSpan(first * classes, rows * classes), _workspaces[part]);
        }
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
