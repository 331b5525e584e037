using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetMlp.Mapping;

namespace MlNetMlp.Transforms;

/// <summary>
/// A transformer that adds one column computed row by row from one input column: the ML.NET plumbing (output schema,
/// lazy data view, row-to-row mapper) is written once here, and each transformer says only how it binds its column.
/// </summary>
public abstract class OneToOneColumnTransformer : ITransformer
{
    private protected OneToOneColumnTransformer(string outputColumnName, string inputColumnName)
    {
        OutputColumnName = outputColumnName;
        InputColumnName = inputColumnName;
    }

    /// <summary>The column this transformer adds (or replaces).</summary>
    public string OutputColumnName { get; }

    /// <summary>The column it reads.</summary>
    public string InputColumnName { get; }

    public bool IsRowToRowMapper => true;

    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => new MappedSchema(BindChecked(inputSchema)).Output;

    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new MappedDataView(input, BindChecked(input.Schema), GetType().Name);
    }

    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => new MappedRowToRowMapper(BindChecked(inputSchema));

    void ICanSaveModel.Save(ModelSaveContext ctx) => SaveModel(ctx);

    /// <summary>The mapping of <paramref name="inputSchema"/> (not null); throws when its input column does not fit.</summary>
    private protected abstract IRowMapping Bind(DataViewSchema inputSchema);

    /// <summary>Writes the transformer's model entry.</summary>
    private protected abstract void SaveModel(ModelSaveContext ctx);

    private IRowMapping BindChecked(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        return Bind(inputSchema);
    }
}
