using Microsoft.ML;
using MlNetMlp.Persistence;
using MlNetMlp.Scoring;

namespace MlNetMlp;

/// <summary>
/// Binary classification with a trained network of one output unit (the logit): appends <c>Score</c> (the logit),
/// <c>Probability</c> (its sigmoid) and <c>PredictedLabel</c> (Boolean, logit &gt; 0), annotated like ML.NET's
/// calibrated binary trainers' columns, so BinaryClassification.Evaluate and PredictionEngine work unchanged.
/// </summary>
/// <typeparam name="TModel">The trained network: <see cref="MlpModelParameters"/> or <see cref="CnnModelParameters"/>.</typeparam>
public sealed class BinaryNetworkTransformer<TModel> : NetworkTransformer<TModel>
    where TModel : NetworkModelParameters
{
    internal BinaryNetworkTransformer(TModel model, string featureColumnName)
        : this(model, featureColumnName, "Score", "Probability", "PredictedLabel")
    {
    }

    internal BinaryNetworkTransformer(TModel model, string featureColumnName, string scoreColumnName, string probabilityColumnName,
        string predictedLabelColumnName) : base(model, featureColumnName)
    {
        if (model.OutputCount != 1)
            throw new ArgumentException($"A binary classifier has one output unit; this network has {model.OutputCount}.", nameof(model));
        ScoreColumnName = scoreColumnName;
        ProbabilityColumnName = probabilityColumnName;
        PredictedLabelColumnName = predictedLabelColumnName;
        Task = new BinaryScoring(scoreColumnName, probabilityColumnName, predictedLabelColumnName);
    }

    /// <summary>Name of the appended logit column.</summary>
    public string ScoreColumnName { get; }

    /// <summary>Name of the appended probability column.</summary>
    public string ProbabilityColumnName { get; }

    /// <summary>Name of the appended Boolean prediction column.</summary>
    public string PredictedLabelColumnName { get; }

    private protected override ScoringTask Task { get; }

    private protected override void Save(ModelSaveContext ctx)
    {
        var writer = ModelFormat.BeginSave(ctx, BinaryNetworkTransformerLoader.Version);
        writer.Write(FeatureColumnName);
        writer.Write(ScoreColumnName);
        writer.Write(ProbabilityColumnName);
        writer.Write(PredictedLabelColumnName);
        Model.SaveWithKind(writer);
    }
}
