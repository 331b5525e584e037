using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetMlp.Mapping;

/// <summary>A cursor over a <see cref="MappedDataView"/>: moves the input cursor, maps on demand.</summary>
internal sealed class MappedCursor : DataViewRowCursor
{
    private readonly MappedSchema _schema;
    private readonly DataViewRowCursor _input;
    private readonly Delegate?[] _getters;
    private readonly IDisposable? _companion;

    public MappedCursor(MappedSchema schema, DataViewRowCursor input, bool[] addedActive)
        : this(schema, input, schema.Mapping.CreateGetters(input, i => addedActive[i]), null)
    {
    }

    // companion: disposed with this cursor (the lookahead cursors and their work, when there are some).
    public MappedCursor(MappedSchema schema, DataViewRowCursor input, Delegate?[] getters, IDisposable? companion)
    {
        _schema = schema;
        _input = input;
        _getters = getters;
        _companion = companion;
    }

    public override DataViewSchema Schema => _schema.Output;

    public override long Position => _input.Position;

    public override long Batch => _input.Batch;

    public override bool MoveNext() => _input.MoveNext();

    public override ValueGetter<DataViewRowId> GetIdGetter() => _input.GetIdGetter();

    public override bool IsColumnActive(DataViewSchema.Column column) =>
        _schema.IsAdded(column.Index) ? _getters[column.Index - _schema.InputCount] != null : _input.IsColumnActive(_schema.Input[column.Index]);

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) =>
        MappedRow.GetGetter<TValue>(_schema, _input, _getters, column);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _input.Dispose();
            _companion?.Dispose();
        }
        base.Dispose(disposing);
    }
}
