using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetMlp.Mapping;
using MlNetMlp.Persistence;

namespace MlNetMlp.Cnn;

/// <summary>
/// Per-row CNN scoring: image → Score (probabilities) and PredictedLabel (arg-max key), with the same columns,
/// annotations and block scoring (a lookahead cursor scores 64 rows at a time) as the MLP's <see cref="MlpScoringMapping"/>.
/// </summary>
internal sealed class CnnScoringMapping : ILookaheadRowMapping
{
    private readonly CnnNetwork _network;
    private readonly DataViewSchema.Column _imageColumn;

    public CnnScoringMapping(CnnPredictionTransformer transformer, DataViewSchema inputSchema, LabelKeyValues? labelKeyValues)
    {
        InputSchema = inputSchema;
        _network = transformer.Model.Network;
        _imageColumn = SchemaChecks.FeatureVector(inputSchema, transformer.FeatureColumnName, transformer.Model.InputSize, nameof(inputSchema));
        int classes = _network.ClassCount;

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
            new DataViewSchema.DetachedColumn(transformer.ScoreColumnName, new VectorDataViewType(NumberDataViewType.Single, classes), scoreAnnotations.ToAnnotations()),
            new DataViewSchema.DetachedColumn(transformer.PredictedLabelColumnName, new KeyDataViewType(typeof(uint), classes), labelAnnotations.ToAnnotations()),
        ];
    }

    public DataViewSchema InputSchema { get; }

    public IReadOnlyList<DataViewSchema.DetachedColumn> AddedColumns { get; }

    public IEnumerable<DataViewSchema.Column> GetDependencies(Func<int, bool> isAddedActive) =>
        isAddedActive(0) || isAddedActive(1) ? [_imageColumn] : [];

    public Delegate?[] CreateGetters(DataViewRow input, Func<int, bool> isAddedActive)
    {
        if (!isAddedActive(0) && !isAddedActive(1)) return new Delegate?[2];
        var scorer = new RowScorer(_network, input.GetGetter<VBuffer<float>>(_imageColumn));
        return Getters(() => scorer.Score(input.Position), isAddedActive);
    }

    public IEnumerable<DataViewSchema.Column> LookaheadColumns => [_imageColumn];

    public Delegate?[] CreateLookaheadGetters(DataViewRowCursor input, DataViewRowCursor lookahead, Func<int, bool> isAddedActive)
    {
        if (!isAddedActive(0) && !isAddedActive(1)) return new Delegate?[2];
        var scorer = new BlockScorer(_network, _imageColumn, input, lookahead);
        return Getters(scorer.Score, isAddedActive);
    }

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
            getters[1] = (ValueGetter<uint>)((ref uint dst) => dst = (uint)ArgMax(probabilitiesOfCurrentRow().Span) + 1); // keys are 1-based
        return getters;
    }

    /// <summary>Scores one row at a time (PredictionEngine, and the fallback of <see cref="BlockScorer"/>).</summary>
    private sealed class RowScorer(CnnNetwork network, ValueGetter<VBuffer<float>> imageGetter)
    {
        private readonly float[] _dense = new float[network.InputShape.Size];
        private readonly float[] _probabilities = new float[network.ClassCount];
        private readonly CnnWorkspace _workspace = new(network, 1, training: false);
        private VBuffer<float> _image;
        private long _scoredPosition = -1;

        public ReadOnlyMemory<float> Score(long position)
        {
            if (position != _scoredPosition)
            {
                imageGetter(ref _image);
                _image.CopyTo(_dense);
                network.PredictProbabilities(_dense, 1, _probabilities, _workspace);
                _scoredPosition = position;
            }
            return _probabilities;
        }
    }

    /// <summary>Scores blocks of rows read ahead by a second cursor; any row-id mismatch switches to row-by-row scoring.</summary>
    private sealed class BlockScorer
    {
        private const int BlockRows = 64;
        private readonly CnnNetwork _network;
        private readonly DataViewRowCursor _input;
        private readonly DataViewRowCursor _lookahead;
        private readonly ValueGetter<VBuffer<float>> _lookaheadImages;
        private readonly ValueGetter<DataViewRowId> _lookaheadId;
        private readonly ValueGetter<DataViewRowId> _inputId;
        private readonly float[] _images;
        private readonly float[] _probabilities;
        private readonly DataViewRowId[] _ids = new DataViewRowId[BlockRows];
        private readonly CnnWorkspace _workspace;
        private readonly RowScorer _fallback;
        private VBuffer<float> _buffer;
        private long _blockStart = -1;
        private int _blockCount;
        private bool _aligned = true;

        public BlockScorer(CnnNetwork network, DataViewSchema.Column imageColumn, DataViewRowCursor input, DataViewRowCursor lookahead)
        {
            _network = network;
            _input = input;
            _lookahead = lookahead;
            _lookaheadImages = lookahead.GetGetter<VBuffer<float>>(lookahead.Schema[imageColumn.Index]);
            _lookaheadId = lookahead.GetIdGetter();
            _inputId = input.GetIdGetter();
            _images = new float[BlockRows * network.InputShape.Size];
            _probabilities = new float[BlockRows * network.ClassCount];
            _workspace = new CnnWorkspace(network, BlockRows, training: false);
            _fallback = new RowScorer(network, input.GetGetter<VBuffer<float>>(imageColumn));
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
                    return _probabilities.AsMemory(row * _network.ClassCount, _network.ClassCount);
                _aligned = false;
            }
            return _fallback.Score(position);
        }

        private void Fill(long position)
        {
            while (_lookahead.Position < position - 1)
                if (!_lookahead.MoveNext()) { _aligned = false; return; }
            if (_lookahead.Position != position - 1) { _aligned = false; return; }

            int count = 0, size = _network.InputShape.Size;
            while (count < BlockRows && _lookahead.MoveNext())
            {
                _lookaheadImages(ref _buffer);
                _buffer.CopyTo(_images.AsSpan(count * size, size));
                _lookaheadId(ref _ids[count]);
                count++;
            }
            if (count == 0) { _aligned = false; return; }
            _network.PredictProbabilities(_images.AsSpan(0, count * size), count, _probabilities.AsSpan(0, count * _network.ClassCount), _workspace);
            _blockStart = position;
            _blockCount = count;
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
