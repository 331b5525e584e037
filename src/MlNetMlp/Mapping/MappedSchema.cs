using Microsoft.ML;

namespace MlNetMlp.Mapping;

/// <summary>Input columns followed by the mapping's added columns, with the index arithmetic between them.</summary>
internal sealed class MappedSchema
{
    public MappedSchema(IRowMapping mapping)
    {
        Mapping = mapping;
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(mapping.InputSchema);
        foreach (var column in mapping.AddedColumns)
            builder.AddColumn(column.Name, column.Type, column.Annotations);
        Output = builder.ToSchema();
    }

    public IRowMapping Mapping { get; }

    public DataViewSchema Input => Mapping.InputSchema;

    public DataViewSchema Output { get; }

    public int InputCount => Input.Count;

    public bool IsAdded(int outputIndex) => outputIndex >= InputCount;

    /// <summary>Which input columns and which added columns must be live to serve <paramref name="outputColumns"/>.</summary>
    public (HashSet<int> inputActive, bool[] addedActive) Resolve(IEnumerable<DataViewSchema.Column> outputColumns)
    {
        var addedActive = new bool[Mapping.AddedColumns.Count];
        var inputActive = new HashSet<int>();
        foreach (var column in outputColumns)
        {
            if (IsAdded(column.Index)) addedActive[column.Index - InputCount] = true;
            else inputActive.Add(column.Index);
        }
        foreach (var dependency in Mapping.GetDependencies(i => addedActive[i]))
            inputActive.Add(dependency.Index);
        return (inputActive, addedActive);
    }

    public IEnumerable<DataViewSchema.Column> InputColumns(HashSet<int> indices) => Input.Where(c => indices.Contains(c.Index));
}
