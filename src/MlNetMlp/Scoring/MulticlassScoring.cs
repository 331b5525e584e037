using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Model.OnnxConverter;
using MlNetMlp.Numerics;
using MlNetMlp.Onnx;
using MlNetMlp.Persistence;

namespace MlNetMlp.Scoring;

/// <summary>
/// Multiclass: Score = softmax of the logits (a vector, slot names = the label's key values) and PredictedLabel = the
/// first arg-max key, with the annotations ML.NET's multiclass Evaluate and PredictionEngine expect. The softmax is
/// <see cref="SoftmaxCrossEntropy.SoftmaxRows"/>, what the models' PredictProbabilities use, so scores are the same bits.
/// </summary>
internal sealed class MulticlassScoring : ScoringTask
{
    private readonly int _classes;

    public MulticlassScoring(int classes, LabelKeyValues? labelKeyValues, string scoreColumnName, string predictedLabelColumnName)
    {
        _classes = classes;
        var scoreAnnotations = new DataViewSchema.Annotations.Builder();
        if (labelKeyValues != null)
        {
            var names = labelKeyValues.AsText();
            scoreAnnotations.AddSlotNames(classes, (ref VBuffer<ReadOnlyMemory<char>> dst) => dst = new VBuffer<ReadOnlyMemory<char>>(names.Length, (ReadOnlyMemory<char>[])names.Clone()));
        }
        AddScoreKinds(scoreAnnotations, AnnotationUtils.Const.ScoreColumnKind.MulticlassClassification, AnnotationUtils.Const.ScoreValueKind.Score);

        var labelAnnotations = new DataViewSchema.Annotations.Builder();
        labelKeyValues?.AddTo(labelAnnotations);
        AddScoreKinds(labelAnnotations, AnnotationUtils.Const.ScoreColumnKind.MulticlassClassification, AnnotationUtils.Const.ScoreValueKind.PredictedLabel);

        Columns =
        [
            new DataViewSchema.DetachedColumn(scoreColumnName, new VectorDataViewType(NumberDataViewType.Single, classes), scoreAnnotations.ToAnnotations()),
            new DataViewSchema.DetachedColumn(predictedLabelColumnName, new KeyDataViewType(typeof(uint), classes), labelAnnotations.ToAnnotations()),
        ];
    }

    public override int OutputCount => _classes;

    public override int ValuesPerRow => _classes;

    public override IReadOnlyList<DataViewSchema.DetachedColumn> Columns { get; }

    public override void FromOutputs(Span<float> buffer, int rows) => SoftmaxCrossEntropy.SoftmaxRows(buffer[..(rows * _classes)], rows, _classes);

    public override Delegate?[] Getters(Func<ReadOnlyMemory<float>> valuesOfCurrentRow, Func<int, bool> isAddedActive)
    {
        var getters = new Delegate?[2];
        if (isAddedActive(0))
        {
            getters[0] = (ValueGetter<VBuffer<float>>)((ref VBuffer<float> dst) =>
            {
                var probabilities = valuesOfCurrentRow().Span;
                var editor = VBufferEditor.Create(ref dst, probabilities.Length);
                probabilities.CopyTo(editor.Values);
                dst = editor.Commit();
            });
        }
        if (isAddedActive(1))
            getters[1] = (ValueGetter<uint>)((ref uint dst) => dst = (uint)ArgMax(valuesOfCurrentRow().Span) + 1); // keys are 1-based; 0 means missing
        return getters;
    }

    /// <summary>Score = Softmax(logits), PredictedLabel = the first arg-max key.</summary>
    public override void SaveAsOnnx(OnnxContext ctx, string outputs)
    {
        string score = ctx.AddIntermediateVariable(Columns[0].Type, Columns[0].Name);
        OnnxNodes.Softmax(ctx, outputs, score);
        string predicted = ctx.AddIntermediateVariable(Columns[1].Type, Columns[1].Name);
        OnnxNodes.PredictedKey(ctx, score, predicted, "predicted");
    }

    private static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++)
            if (values[i] > values[best]) best = i;
        return best;
    }
}
