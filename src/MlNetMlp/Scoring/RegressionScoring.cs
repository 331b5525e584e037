using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Model.OnnxConverter;
using MlNetMlp.Onnx;

namespace MlNetMlp.Scoring;

/// <summary>
/// Regression from one output unit trained on the standardized target: Score = output · <see cref="TargetScale"/> +
/// <see cref="TargetMean"/> (the target's own units), annotated ScoreColumnKind Regression for Regression.Evaluate.
/// </summary>
internal sealed class RegressionScoring(float targetMean, float targetScale, string scoreColumnName) : ScoringTask
{
    public float TargetMean { get; } = targetMean;

    public float TargetScale { get; } = targetScale;

    public override int OutputCount => 1;

    public override int ValuesPerRow => 1;

    public override IReadOnlyList<DataViewSchema.DetachedColumn> Columns { get; } =
    [
        new DataViewSchema.DetachedColumn(scoreColumnName, NumberDataViewType.Single,
            AddScoreKinds(new DataViewSchema.Annotations.Builder(), AnnotationUtils.Const.ScoreColumnKind.Regression, AnnotationUtils.Const.ScoreValueKind.Score).ToAnnotations()),
    ];

    /// <summary>One multiply, then one add (not a fused multiply-add), as the ONNX graph's Mul and Add round.</summary>
    public override void FromOutputs(Span<float> buffer, int rows)
    {
        for (int r = 0; r < rows; r++)
        {
            float scaled = buffer[r] * TargetScale;
            buffer[r] = scaled + TargetMean;
        }
    }

    public override Delegate?[] Getters(Func<ReadOnlyMemory<float>> valuesOfCurrentRow, Func<int, bool> isAddedActive) =>
        [isAddedActive(0) ? ValueGetter(valuesOfCurrentRow, 0) : null];

    /// <summary>Score = output · scale + mean.</summary>
    public override void SaveAsOnnx(OnnxContext ctx, string outputs)
    {
        string scaled = OnnxNodes.Node(ctx, "Mul", [outputs, ctx.AddInitializer(TargetScale, "regression_target_scale")], "regression_scaled");
        string score = ctx.AddIntermediateVariable(Columns[0].Type, Columns[0].Name);
        ctx.CreateNode("Add", [scaled, ctx.AddInitializer(TargetMean, "regression_target_mean")], [score], ctx.GetNodeName("Add"), "");
    }
}
