using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Model.OnnxConverter;
using MlNetMlp.Mapping;
using MlNetMlp.Onnx;

namespace MlNetMlp.Transforms;

/// <summary>One float vector column in, one float vector column out, computed slot by slot or as a whole.</summary>
internal sealed class VectorColumnMapping : IRowMapping, IOnnxExportableMapping
{
    private readonly DataViewSchema.Column _input;
    private readonly Func<VBuffer<float>, VBuffer<float>, VBuffer<float>> _map;
    private readonly Action<OnnxContext, string, string>? _saveOnnx;

    // map: (source, reusable destination) → destination value.
    // saveOnnx: (context, input variable, output variable) → adds the nodes computing map; null when there is no ONNX form.
    public VectorColumnMapping(DataViewSchema inputSchema, DataViewSchema.Column input, string outputName, VectorDataViewType outputType,
        DataViewSchema.Annotations annotations, Func<VBuffer<float>, VBuffer<float>, VBuffer<float>> map,
        Action<OnnxContext, string, string>? saveOnnx = null)
    {
        InputSchema = inputSchema;
        _input = input;
        _map = map;
        _saveOnnx = saveOnnx;
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

    public bool CanSaveOnnx => _saveOnnx != null;

    public void SaveAsOnnx(OnnxContext ctx)
    {
        if (_saveOnnx == null) throw new NotSupportedException("This column mapping has no ONNX form.");
        string input = ctx.GetVariableName(_input.Name);
        string output = ctx.AddIntermediateVariable(AddedColumns[0].Type, AddedColumns[0].Name);
        _saveOnnx(ctx, input, output);
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
