using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetMlp.Mapping;

/// <summary>Serves input columns from the wrapped row and added columns from the mapping's getters.</summary>
internal sealed class MappedRow : DataViewRow
{
    private readonly MappedSchema _schema;
    private readonly DataViewRow _input;
    private readonly Delegate?[] _getters;

    public MappedRow(MappedSchema schema, DataViewRow input, bool[] addedActive)
    {
        _schema = schema;
        _input = input;
        _getters = schema.Mapping.CreateGetters(input, i => addedActive[i]);
    }

    public override DataViewSchema Schema => _schema.Output;

    public override long Position => _input.Position;

    public override long Batch => _input.Batch;

    public override ValueGetter<DataViewRowId> GetIdGetter() => _input.GetIdGetter();

    public override bool IsColumnActive(DataViewSchema.Column column) =>
        _schema.IsAdded(column.Index) ? _getters[column.Index - _schema.InputCount] != null : _input.IsColumnActive(_schema.Input[column.Index]);

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => GetGetter<TValue>(_schema, _input, _getters, column);

    internal static ValueGetter<TValue> GetGetter<TValue>(MappedSchema schema, DataViewRow input, Delegate?[] getters, DataViewSchema.Column column)
    {
        if (!schema.IsAdded(column.Index))
            return input.GetGetter<TValue>(schema.Input[column.Index]);
        var getter = getters[column.Index - schema.InputCount]
            ?? throw new InvalidOperationException($"Column '{column.Name}' was not requested when the cursor was created.");
        return getter as ValueGetter<TValue>
            ?? throw new InvalidOperationException($"Column '{column.Name}' holds {column.Type}, not {typeof(TValue).Name}.");
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) (_input as IDisposable)?.Dispose();
        base.Dispose(disposing);
    }
}
