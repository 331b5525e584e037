using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetMlp.Mapping;
using MlNetMlp.Persistence;

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

    /// <summary>Writes the model entry: the version header, the two column names, then <see cref="SaveParameters"/>.</summary>
    void ICanSaveModel.Save(ModelSaveContext ctx)
    {
        var writer = ModelFormat.BeginSave(ctx, ModelVersion);
        writer.Write(OutputColumnName);
        writer.Write(InputColumnName);
        SaveParameters(writer);
    }

    /// <summary>The mapping of <paramref name="inputSchema"/> (not null); throws when its input column does not fit.</summary>
    private protected abstract IRowMapping Bind(DataViewSchema inputSchema);

    /// <summary>
    /// Opens a model entry that <see cref="ICanSaveModel.Save"/> wrote: checks the version header and reads the two column
    /// names; the reader is left at the transformer's own parameters.
    /// </summary>
    private protected static (BinaryReader Reader, string OutputColumnName, string InputColumnName) BeginLoad(ModelLoadContext ctx, VersionInfo version)
    {
        var reader = ModelFormat.BeginLoad(ctx, version);
        string output = reader.ReadString(), input = reader.ReadString();
        return (reader, output, input);
    }

    /// <summary>The version header of this transformer's model entry (its loader reads the same fields back).</summary>
    private protected abstract VersionInfo ModelVersion { get; }

    /// <summary>Writes what the transformer holds beyond its column names.</summary>
    private protected virtual void SaveParameters(BinaryWriter writer)
    {
    }

    private IRowMapping BindChecked(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        return Bind(inputSchema);
    }
}
