using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Model.OnnxConverter;
using MlNetMlp.Onnx;

namespace MlNetMlp.Scoring;

/// <summary>
/// Binary classification from one output unit, the logit: Score = the logit, Probability = sigmoid(logit) and
/// PredictedLabel = logit &gt; 0 (⇔ Probability &gt; 0.5), annotated as ML.NET's calibrated binary trainers annotate
/// them (ScoreColumnKind BinaryClassification; Probability IsNormalized), so BinaryClassification.Evaluate (AUC, F1,
/// log-loss) and PredictionEngine work unchanged. The threshold is on the logit, as ML.NET's binary scorer's default
/// (Score &gt; 0), so no rounding of the sigmoid near 0.5 can move a prediction.
/// </summary>
internal sealed class BinaryScoring : ScoringTask
{
    public BinaryScoring(string scoreColumnName, string probabilityColumnName, string predictedLabelColumnName)
    {
        string kind = AnnotationUtils.Const.ScoreColumnKind.BinaryClassification;
        var probability = AddScoreKinds(new DataViewSchema.Annotations.Builder(), kind, AnnotationUtils.Const.ScoreValueKind.Probability);
        probability.Add(AnnotationUtils.Kinds.IsNormalized, BooleanDataViewType.Instance, (ref bool dst) => dst = true);
        Columns =
        [
            new DataViewSchema.DetachedColumn(scoreColumnName, NumberDataViewType.Single,
                AddScoreKinds(new DataViewSchema.Annotations.Builder(), kind, AnnotationUtils.Const.ScoreValueKind.Score).ToAnnotations()),
            new DataViewSchema.DetachedColumn(probabilityColumnName, NumberDataViewType.Single, probability.ToAnnotations()),
            new DataViewSchema.DetachedColumn(predictedLabelColumnName, BooleanDataViewType.Instance,
                AddScoreKinds(new DataViewSchema.Annotations.Builder(), kind, AnnotationUtils.Const.ScoreValueKind.PredictedLabel).ToAnnotations()),
        ];
    }

    public override int OutputCount => 1;

    /// <summary>The logit and its probability.</summary>
    public override int ValuesPerRow => 2;

    public override IReadOnlyList<DataViewSchema.DetachedColumn> Columns { get; }

    /// <summary>The logistic function, as the binary head defines it (ONNX's Sigmoid computes the same function).</summary>
    public static float Sigmoid(float logit) => 1f / (1f + MathF.Exp(-logit));

    /// <summary>Row r's logit sits at r and goes to 2r, its probability to 2r + 1: last row first, so nothing is overwritten before it is read.</summary>
    public override void FromOutputs(Span<float> buffer, int rows)
    {
        for (int r = rows - 1; r >= 0; r--)
        {
            float logit = buffer[r];
            buffer[2 * r] = logit;
            buffer[2 * r + 1] = Sigmoid(logit);
        }
    }

    public override Delegate?[] Getters(Func<ReadOnlyMemory<float>> valuesOfCurrentRow, Func<int, bool> isAddedActive)
    {
        var getters = new Delegate?[3];
        if (isAddedActive(0)) getters[0] = ValueGetter(valuesOfCurrentRow, 0);
        if (isAddedActive(1)) getters[1] = ValueGetter(valuesOfCurrentRow, 1);
        if (isAddedActive(2)) getters[2] = (ValueGetter<bool>)((ref bool dst) => dst = valuesOfCurrentRow().Span[0] > 0);
        return getters;
    }

    /// <summary>Score = the logit, Probability = Sigmoid(logit), PredictedLabel = Greater(logit, 0).</summary>
    public override void SaveAsOnnx(OnnxContext ctx, string outputs)
    {
        string score = ctx.AddIntermediateVariable(Columns[0].Type, Columns[0].Name);
        ctx.CreateNode("Identity", outputs, score, ctx.GetNodeName("Identity"), "");
        string probability = ctx.AddIntermediateVariable(Columns[1].Type, Columns[1].Name);
        ctx.CreateNode("Sigmoid", outputs, probability, ctx.GetNodeName("Sigmoid"), "");
        string predicted = ctx.AddIntermediateVariable(Columns[2].Type, Columns[2].Name);
        ctx.CreateNode("Greater", [outputs, ctx.AddInitializer(0f, "binary_threshold")], [predicted], ctx.GetNodeName("Greater"), "");
    }
}
