using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MlNetMlp;
using MlNetMlp.Mapping;
using MlNetMlp.Numerics;
using MlNetMlp.Persistence;

[assembly: LoadableClass(typeof(MlpPredictionTransformer), null, typeof(SignatureLoadModel),
    "MLP Multiclass Prediction Transformer", MlpPredictionTransformer.LoaderSignature)]

namespace MlNetMlp;

/// <summary>
/// Scores a feature column with a trained <see cref="MlpModelParameters"/>: appends <c>Score</c>
/// (class probabilities, slot names = the label's key values) and <c>PredictedLabel</c> (key of the
/// label's key type), the columns ML.NET's multiclass Evaluate and PredictionEngine expect.
/// </summary>
public sealed class MlpPredictionTransformer : ISingleFeaturePredictionTransformer<MlpModelParameters>
{
    internal const string LoaderSignature = "MlNetMlpPredictionXf";
    private static readonly VersionInfo Version = ModelFormat.Version("MLPPREDX", 0x00010001, LoaderSignature);

    private readonly LabelKeyValues? _labelKeyValues;

    internal MlpPredictionTransformer(MlpModelParameters model, string featureColumnName, LabelKeyValues? labelKeyValues,
        string scoreColumnName = "Score", string predictedLabelColumnName = "PredictedLabel")
    {
        Model = model;
        FeatureColumnName = featureColumnName;
        ScoreColumnName = scoreColumnName;
        PredictedLabelColumnName = predictedLabelColumnName;
        _labelKeyValues = labelKeyValues;
        FeatureColumnType = new VectorDataViewType(NumberDataViewType.Single, model.InputSize);
    }

    /// <summary>The trained network.</summary>
    public MlpModelParameters Model { get; }

    /// <summary>Name of the feature column read at scoring time.</summary>
    public string FeatureColumnName { get; }

    /// <summary>Vector of <see cref="MlpModelParameters.InputSize"/> floats.</summary>
    public DataViewType FeatureColumnType { get; }

    /// <summary>Name of the appended probabilities column.</summary>
    public string ScoreColumnName { get; }

    /// <summary>Name of the appended predicted-key column.</summary>
    public string PredictedLabelColumnName { get; }

    /// <summary>The label's key values (class names) the model was trained with, as text; null when the label had none.</summary>
    public IReadOnlyList<string>? ClassNames => _labelKeyValues?.AsText().Select(m => m.ToString()).ToArray();

    public bool IsRowToRowMapper => true;

    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => new MappedSchema(Bind(inputSchema)).Output;

    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new MappedDataView(input, Bind(input.Schema), nameof(MlpPredictionTransformer));
    }

    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => new MappedRowToRowMapper(Bind(inputSchema));

    private ProbabilityScoringMapping<MlpInferenceWorkspace> Bind(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        return new(Model.ScoringNetwork, inputSchema, FeatureColumnName, ScoreColumnName, PredictedLabelColumnName, _labelKeyValues);
    }

    void ICanSaveModel.Save(ModelSaveContext ctx)
    {
        var writer = ModelFormat.BeginSave(ctx, Version);
        writer.Write(FeatureColumnName);
        writer.Write(ScoreColumnName);
        writer.Write(PredictedLabelColumnName);
        writer.Write(Model.ClassCount);
        writer.Write(_labelKeyValues != null);
        _labelKeyValues?.Save(writer);
        Model.Save(writer);
    }

    // Called by ML.NET's loader through the LoadableClass registration above.
    internal static MlpPredictionTransformer Create(IHostEnvironment env, ModelLoadContext ctx)
    {
        var reader = ModelFormat.BeginLoad(ctx, Version);
        string featureColumn = reader.ReadString(), scoreColumn = reader.ReadString(), predictedColumn = reader.ReadString();
        int classCount = reader.ReadCount(1 << 24, "class count");
        var keyValues = reader.ReadBoolean() ? LabelKeyValues.Load(reader, classCount) : null;
        var model = MlpModelParameters.Load(reader);
        if (model.ClassCount != classCount) throw ModelFormat.Corrupt($"network has {model.ClassCount} outputs for {classCount} classes");
        return new MlpPredictionTransformer(model, featureColumn, keyValues, scoreColumn, predictedColumn);
    }
}
