using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Model.OnnxConverter;
using MlNetMlp.Numerics;
using MlNetMlp.Onnx;
using MlNetMlp.Persistence;

namespace MlNetMlp.Mapping;

/// <summary>
/// Per-row classifier scoring: a feature vector → Score (probabilities, slot names = the label's key values) and
/// PredictedLabel (arg-max key), with the annotations ML.NET's multiclass Evaluate and PredictionEngine expect.
/// </summary>
internal sealed partial class ProbabilityScoringMapping<TWorkspace> : ILookaheadRowMapping, IOnnxExportableMapping
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

    /// <summary>Exportable when the model has an ONNX form (the MLP has; a model without one makes ConvertToOnnx fail naming its transformer).</summary>
    public bool CanSaveOnnx => _model is IOnnxLogitsModel;

    /// <summary>Score = Softmax(logits), PredictedLabel = the first arg-max key, as <see cref="Getters"/> computes them.</summary>
    public void SaveAsOnnx(OnnxContext ctx)
    {
        var model = _model as IOnnxLogitsModel ?? throw new NotSupportedException($"{_model.GetType().Name} has no ONNX form.");
        string features = ctx.GetVariableName(_featureColumn.Name);
        // A column of several dimensions (a 28×28 image) is an [N, 28, 28] graph input; the model reads rows of its values.
        if (_featureColumn.Type is VectorDataViewType { Dimensions.Length: > 1 })
            features = OnnxNodes.Node(ctx, "Flatten", [features], "features_flat", n => n.AddAttribute("axis", 1L));
        string logits = model.SaveLogitsAsOnnx(ctx, features);
        string score = ctx.AddIntermediateVariable(AddedColumns[0].Type, AddedColumns[0].Name);
        OnnxNodes.Softmax(ctx, logits, score);
        string predicted = ctx.AddIntermediateVariable(AddedColumns[1].Type, AddedColumns[1].Name);
        OnnxNodes.PredictedKey(ctx, score, predicted, "predicted");
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
