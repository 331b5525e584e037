using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetMlp.Mapping;

namespace MlNetMlp.Transforms;

/// <summary>One float vector column in, one float vector column out, computed slot by slot or as a whole.</summary>
internal sealed class VectorColumnMapping : IRowMapping
{
    private readonly DataViewSchema.Column _input;
    private readonly Func<VBuffer<float>, VBuffer<float>, VBuffer<float>> _map;

    // map: (source, reusable destination) → destination value.
    public VectorColumnMapping(DataViewSchema inputSchema, DataViewSchema.Column input, string outputName, VectorDataViewType outputType,
        DataViewSchema.Annotations annotations, Func<VBuffer<float>, VBuffer<float>, VBuffer<float>> map)
    {
        InputSchema = inputSchema;
        _input = input;
        _map = map;
        AddedColumns = [new DataViewSchema.DetachedColumn(outputName, outputType, annotations)];
    }

    public DataViewSchema InputSchema { get; }

    public IReadOnlyList<DataViewSchema.DetachedColumn> AddedColumns { get; }

    public IEnumerable<DataViewSchema.Column> GetDependencies(Func<int, bool> isAddedActive) => isAddedActive(0) ? [_input] : [];

    public Delegate?[] CreateGetters(DataViewRow input, Func<int, bool> isAddedActive)
    {
        if (!isAddedActive(0)) return [null];
        var getSource = input.GetGetter<VBuffer<float>>(_input);
        var source = default(VBuffer<float>);
        return [(ValueGetter<VBuffer<float>>)((ref VBuffer<float> dst) =>
        {
            getSource(ref source);
            dst = _map(source, dst);
        })];
    }

    /// <summary>The named column, which must be a vector of Single.</summary>
    public static DataViewSchema.Column FloatVector(DataViewSchema schema, string name, string transform)
    {
        var column = SchemaChecks.Column(schema, name, "input", nameof(schema));
        if (column.Type is not VectorDataViewType { ItemType: var item } || item != NumberDataViewType.Single)
            throw new ArgumentOutOfRangeException(nameof(schema),
                $"{transform}: the column '{name}' must be a vector of Single, but it is {column.Type}. " +
                "Convert it first, e.g. mlContext.Transforms.Conversion.ConvertType(..., DataKind.Single).");
        return column;
    }
}
