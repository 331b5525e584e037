using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MlNetMlp;
using MlNetMlp.Persistence;
using MlNetMlp.Scoring;

// One loader for both networks: the payload names the network, and Create builds the transformer of that network,
// which is why the registered type is the covariant interface both are.
[assembly: LoadableClass(typeof(ISingleFeaturePredictionTransformer<NetworkModelParameters>), typeof(BinaryNetworkTransformerLoader), null,
    typeof(SignatureLoadModel), "Network Binary Prediction Transformer", BinaryNetworkTransformerLoader.LoaderSignature)]

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

/// <summary>ML.NET's loader for binary transformers of either network.</summary>
internal static class BinaryNetworkTransformerLoader
{
    public const string LoaderSignature = "MlNetMlpBinaryXf";

    public static readonly VersionInfo Version = ModelFormat.Version("NETBINXF", 0x00010001, LoaderSignature);

    internal static ISingleFeaturePredictionTransformer<NetworkModelParameters> Create(IHostEnvironment env, ModelLoadContext ctx)
    {
        var reader = ModelFormat.BeginLoad(ctx, Version);
        string featureColumn = reader.ReadString(), scoreColumn = reader.ReadString(), probabilityColumn = reader.ReadString(),
            predictedColumn = reader.ReadString();
        var model = NetworkModelParameters.LoadWithKind(reader);
        if (model.OutputCount != 1) throw ModelFormat.Corrupt($"a binary classifier's network has {model.OutputCount} outputs");
        return model switch
        {
            MlpModelParameters mlp => new BinaryNetworkTransformer<MlpModelParameters>(mlp, featureColumn, scoreColumn, probabilityColumn, predictedColumn),
            CnnModelParameters cnn => new BinaryNetworkTransformer<CnnModelParameters>(cnn, featureColumn, scoreColumn, probabilityColumn, predictedColumn),
            _ => throw ModelFormat.Corrupt($"network {model.GetType().Name}"),
        };
    }
}
