using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MlNetMlp;
using MlNetMlp.Cnn;
using MlNetMlp.Mapping;
using MlNetMlp.Persistence;

[assembly: LoadableClass(typeof(CnnPredictionTransformer), null, typeof(SignatureLoadModel),
    "CNN Multiclass Prediction Transformer", CnnPredictionTransformer.LoaderSignature)]

namespace MlNetMlp;

/// <summary>
/// Scores an image column with a trained <see cref="CnnModelParameters"/>: appends <c>Score</c> (class
/// probabilities, slot names = the label's key values) and <c>PredictedLabel</c> (key of the label's key type),
/// exactly as <see cref="MlpPredictionTransformer"/> does, so ML.NET's Evaluate and PredictionEngine work unchanged.
/// Saved and loaded with <c>mlContext.Model.Save/Load</c>.
/// </summary>
public sealed class CnnPredictionTransformer : ISingleFeaturePredictionTransformer<CnnModelParameters>
{
    internal const string LoaderSignature = "MlNetMlpCnnPredictionXf";
    private static readonly VersionInfo Version = ModelFormat.Version("CNNPREDX", 0x00010001, LoaderSignature);

    private readonly LabelKeyValues? _labelKeyValues;

    internal CnnPredictionTransformer(CnnModelParameters model, string imageColumnName, LabelKeyValues? labelKeyValues,
        string scoreColumnName = "Score", string predictedLabelColumnName = "PredictedLabel")
    {
        Model = model;
        FeatureColumnName = imageColumnName;
        ScoreColumnName = scoreColumnName;
        PredictedLabelColumnName = predictedLabelColumnName;
        _labelKeyValues = labelKeyValues;
        FeatureColumnType = new VectorDataViewType(NumberDataViewType.Single, model.InputSize);
    }

    /// <summary>The trained network.</summary>
    public CnnModelParameters Model { get; }

    /// <summary>Name of the image column read at scoring time.</summary>
    public string FeatureColumnName { get; }

    /// <summary>Vector of <see cref="CnnModelParameters.InputSize"/> floats (any dimensions).</summary>
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
        return new MappedDataView(input, Bind(input.Schema), nameof(CnnPredictionTransformer));
    }

    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => new MappedRowToRowMapper(Bind(inputSchema));

    private ProbabilityScoringMapping<CnnWorkspace> Bind(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        return new(new CnnProbabilityModel(Model.Network), inputSchema, FeatureColumnName, ScoreColumnName, PredictedLabelColumnName, _labelKeyValues);
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
    internal static CnnPredictionTransformer Create(IHostEnvironment env, ModelLoadContext ctx)
    {
        var reader = ModelFormat.BeginLoad(ctx, Version);
        string imageColumn = reader.ReadString(), scoreColumn = reader.ReadString(), predictedColumn = reader.ReadString();
        int classCount = reader.ReadCount(1 << 24, "class count");
        var keyValues = reader.ReadBoolean() ? LabelKeyValues.Load(reader, classCount) : null;
        var model = CnnModelParameters.Load(reader);
        if (model.ClassCount != classCount) throw ModelFormat.Corrupt($"network has {model.ClassCount} outputs for {classCount} classes");
        return new CnnPredictionTransformer(model, imageColumn, keyValues, scoreColumn, predictedColumn);
    }
}
