using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetMlp.Mapping;
using MlNetMlp.Scoring;

namespace MlNetMlp;

/// <summary>
/// What every network prediction transformer shares, whichever the task and the network: it reads one feature column
/// (a vector of <see cref="NetworkModelParameters.InputSize"/> floats), scores it lazily through the network, and
/// appends the task's columns (<see cref="MulticlassNetworkTransformer{TModel}"/>,
/// <see cref="BinaryNetworkTransformer{TModel}"/>, <see cref="RegressionNetworkTransformer{TModel}"/>). Saved and
/// loaded with <c>mlContext.Model.Save/Load</c>; exported with <c>mlContext.Model.ConvertToOnnx</c>.
/// </summary>
/// <typeparam name="TModel">The trained network: <see cref="MlpModelParameters"/> or <see cref="CnnModelParameters"/>.</typeparam>
public abstract class NetworkTransformer<TModel> : ISingleFeaturePredictionTransformer<TModel>
    where TModel : NetworkModelParameters
{
    private protected NetworkTransformer(TModel model, string featureColumnName)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(featureColumnName);
        Model = model;
        FeatureColumnName = featureColumnName;
        FeatureColumnType = new VectorDataViewType(NumberDataViewType.Single, model.InputSize);
    }

    /// <summary>The trained network.</summary>
    public TModel Model { get; }

    /// <summary>Name of the feature column read at scoring time.</summary>
    public string FeatureColumnName { get; }

    /// <summary>Vector of <see cref="NetworkModelParameters.InputSize"/> floats (any dimensions).</summary>
    public DataViewType FeatureColumnType { get; }

    public bool IsRowToRowMapper => true;

    /// <summary>The task's columns and how they are computed from the network's outputs.</summary>
    private protected abstract ScoringTask Task { get; }

    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => new MappedSchema(Bind(inputSchema)).Output;

    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new MappedDataView(input, Bind(input.Schema), Name);
    }

    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => new MappedRowToRowMapper(Bind(inputSchema));

    void ICanSaveModel.Save(ModelSaveContext ctx) => Save(ctx);

    /// <summary>Writes this transformer in its task's format.</summary>
    private protected abstract void Save(ModelSaveContext ctx);

    /// <summary>"BinaryNetworkTransformer&lt;MlpModelParameters&gt;": how errors name this transformer.</summary>
    private string Name => $"{GetType().Name[..GetType().Name.IndexOf('`')]}<{typeof(TModel).Name}>";

    private IRowMapping Bind(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        return Model.BindScoring(Task, inputSchema, FeatureColumnName);
    }
}
