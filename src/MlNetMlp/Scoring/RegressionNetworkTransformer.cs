using Microsoft.ML;
using MlNetMlp.Persistence;
using MlNetMlp.Scoring;

namespace MlNetMlp;

/// <summary>
/// Regression with a trained network of one output unit: appends <c>Score</c> (Single), the prediction in the target's
/// own units. The network is trained on the standardized target ((label − <see cref="TargetMean"/>) /
/// <see cref="TargetScale"/>), so targets of any scale train well with default options; this transformer undoes it:
/// Score = output · <see cref="TargetScale"/> + <see cref="TargetMean"/>. Regression.Evaluate works on its output.
/// </summary>
/// <typeparam name="TModel">The trained network: <see cref="MlpModelParameters"/> or <see cref="CnnModelParameters"/>.</typeparam>
public sealed class RegressionNetworkTransformer<TModel> : NetworkTransformer<TModel>
    where TModel : NetworkModelParameters
{
    private readonly RegressionScoring _task;

    internal RegressionNetworkTransformer(TModel model, string featureColumnName, float targetMean, float targetScale)
        : this(model, featureColumnName, targetMean, targetScale, "Score")
    {
    }

    internal RegressionNetworkTransformer(TModel model, string featureColumnName, float targetMean, float targetScale, string scoreColumnName)
        : base(model, featureColumnName)
    {
        if (model.OutputCount != 1)
            throw new ArgumentException($"A regression network has one output unit; this one has {model.OutputCount}.", nameof(model));
        if (!float.IsFinite(targetMean)) throw new ArgumentOutOfRangeException(nameof(targetMean), targetMean, "The target mean must be a finite number.");
        if (!float.IsFinite(targetScale) || targetScale <= 0)
            throw new ArgumentOutOfRangeException(nameof(targetScale), targetScale, "The target scale must be a positive finite number.");
        ScoreColumnName = scoreColumnName;
        _task = new RegressionScoring(targetMean, targetScale, scoreColumnName);
    }

    /// <summary>Name of the appended prediction column.</summary>
    public string ScoreColumnName { get; }

    /// <summary>The training target's mean, added back to every prediction.</summary>
    public float TargetMean => _task.TargetMean;

    /// <summary>The training target's scale (its standard deviation), multiplying every network output.</summary>
    public float TargetScale => _task.TargetScale;

    private protected override ScoringTask Task => _task;

    private protected override void Save(ModelSaveContext ctx)
    {
        var writer = ModelFormat.BeginSave(ctx, RegressionNetworkTransformerLoader.Version);
        writer.Write(FeatureColumnName);
        writer.Write(ScoreColumnName);
        writer.Write(TargetMean);
        writer.Write(TargetScale);
        Model.SaveWithKind(writer);
    }
}
