using Microsoft.ML;

namespace MlNetMlp.Mapping;

/// <summary>The lazy result of applying an <see cref="IRowMapping"/> to an IDataView.</summary>
internal sealed class MappedDataView : IDataView
{
    private readonly IDataView _source;
    private readonly MappedSchema _schema;

    public MappedDataView(IDataView source, IRowMapping mapping)
    {
        _source = source;
        _schema = new MappedSchema(mapping);
    }

    public bool CanShuffle => _source.CanShuffle;

    public DataViewSchema Schema => _schema.Output;

    public long? GetRowCount() => _source.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var (inputActive, addedActive) = _schema.Resolve(columnsNeeded);
        if (_schema.Mapping is ILookaheadRowMapping lookahead && addedActive.Any(a => a))
        {
            // Every cursor must visit the same rows in the same order: give them equal seeds.
            int? seed = rand?.Next();
            var input = _source.GetRowCursor(_schema.InputColumns(inputActive), seed is int s1 ? new Random(s1) : null);
            var lookaheadColumns = lookahead.LookaheadColumns.ToArray();
            DataViewRowCursor OpenLookahead() => _source.GetRowCursor(lookaheadColumns, seed is int s2 ? new Random(s2) : null);
            var getters = lookahead.CreateLookaheadGetters(input, OpenLookahead, i => addedActive[i], out IDisposable resources);
            return new MappedCursor(_schema, input, getters, resources);
        }
        return new MappedCursor(_schema, _source.GetRowCursor(_schema.InputColumns(inputActive), rand), addedActive);
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
    {
        var (inputActive, addedActive) = _schema.Resolve(columnsNeeded);
        var inputs = _source.GetRowCursorSet(_schema.InputColumns(inputActive), n, rand);
        return inputs.Select(input => (DataViewRowCursor)new MappedCursor(_schema, input, addedActive)).ToArray();
    }
}
