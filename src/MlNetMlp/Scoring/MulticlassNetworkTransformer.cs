using Microsoft.ML;
using MlNetMlp.Persistence;
using MlNetMlp.Scoring;

namespace MlNetMlp;

/// <summary>
/// Multiclass classification with a trained network: appends <c>Score</c> (class probabilities, the softmax of the
/// output layer; slot names = the label's key values) and <c>PredictedLabel</c> (key of the label's key type), the
/// columns ML.NET's multiclass Evaluate and PredictionEngine expect.
/// </summary>
/// <typeparam name="TModel">The trained network: <see cref="MlpModelParameters"/> or <see cref="CnnModelParameters"/>.</typeparam>
public sealed class MulticlassNetworkTransformer<TModel> : NetworkTransformer<TModel>
    where TModel : NetworkModelParameters
{
    private readonly LabelKeyValues? _labelKeyValues;

    internal MulticlassNetworkTransformer(TModel model, string featureColumnName, LabelKeyValues? labelKeyValues)
        : this(model, featureColumnName, labelKeyValues, "Score", "PredictedLabel")
    {
    }

    internal MulticlassNetworkTransformer(TModel model, string featureColumnName, LabelKeyValues? labelKeyValues,
        string scoreColumnName, string predictedLabelColumnName) : base(model, featureColumnName)
    {
        if (labelKeyValues != null && labelKeyValues.Count != model.OutputCount)
            throw new ArgumentException($"{labelKeyValues.Count} class names for {model.OutputCount} outputs.", nameof(labelKeyValues));
        _labelKeyValues = labelKeyValues;
        ScoreColumnName = scoreColumnName;
        PredictedLabelColumnName = predictedLabelColumnName;
        Task = new MulticlassScoring(model.OutputCount, labelKeyValues, scoreColumnName, predictedLabelColumnName);
    }

    /// <summary>Name of the appended probabilities column.</summary>
    public string ScoreColumnName { get; }

    /// <summary>Name of the appended predicted-key column.</summary>
    public string PredictedLabelColumnName { get; }

    /// <summary>The label's key values (class names) the model was trained with, as text; null when the label had none.</summary>
    public IReadOnlyList<string>? ClassNames => _labelKeyValues?.AsText().Select(m => m.ToString()).ToArray();

    private protected override ScoringTask Task { get; }

    /// <summary>Today's formats, byte for byte: the MLP's and the CNN's differ only in their version header.</summary>
    private protected override void Save(ModelSaveContext ctx)
    {
        var writer = ModelFormat.BeginSave(ctx, MulticlassTransformerFormat.VersionOf(Model.Kind));
        writer.Write(FeatureColumnName);
        writer.Write(ScoreColumnName);
        writer.Write(PredictedLabelColumnName);
        writer.Write(Model.OutputCount);
        writer.Write(_labelKeyValues != null);
        _labelKeyValues?.Save(writer);
        Model.Save(writer);
    }

    internal static MulticlassNetworkTransformer<TModel> Load(ModelLoadContext ctx, NetworkKind kind)
    {
        var reader = ModelFormat.BeginLoad(ctx, MulticlassTransformerFormat.VersionOf(kind));
        string featureColumn = reader.ReadString(), scoreColumn = reader.ReadString(), predictedColumn = reader.ReadString();
        int classCount = reader.ReadCount(1 << 24, "class count");
        var keyValues = reader.ReadBoolean() ? LabelKeyValues.Load(reader, classCount) : null;
        var model = (TModel)NetworkModelParameters.Load(reader, kind);
        if (model.OutputCount != classCount) throw ModelFormat.Corrupt($"network has {model.OutputCount} outputs for {classCount} classes");
        return new MulticlassNetworkTransformer<TModel>(model, featureColumn, keyValues, scoreColumn, predictedColumn);
    }
}
