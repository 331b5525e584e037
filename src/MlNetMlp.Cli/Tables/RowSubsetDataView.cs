using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetMlp.Cli.Tables;

/// <summary>
/// The rows of a view whose position is marked in <see cref="Include"/>, in order. ML.NET's <c>TrainTestSplit</c>
/// cannot stratify (it splits by a hash of a column), and a held-out split must keep every class's share; this
/// view takes any chosen set of rows of the loaded file without copying it.
/// </summary>
internal sealed class RowSubsetDataView : IDataView
{
    private readonly IDataView _source;

    public RowSubsetDataView(IDataView source, bool[] include)
    {
        _source = source;
        Include = include;
        Count = include.Count(b => b);
    }

    /// <summary>Row positions of the source to keep.</summary>
    public bool[] Include { get; }

    public int Count { get; }

    public bool CanShuffle => false;

    public DataViewSchema Schema => _source.Schema;

    public long? GetRowCount() => Count;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) =>
        new Cursor(_source.GetRowCursor(columnsNeeded), Include);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];

    private sealed class Cursor(DataViewRowCursor source, bool[] include) : DataViewRowCursor
    {
        private long _sourcePosition = -1;
        private long _position = -1;

        public override DataViewSchema Schema => source.Schema;

        public override long Position => _position;

        public override long Batch => 0;

        public override bool MoveNext()
        {
            while (source.MoveNext())
            {
                _sourcePosition++;
                if (_sourcePosition >= include.Length)
                    throw new InvalidOperationException($"The data has more rows than the {include.Length:N0} it had when the split was made.");
                if (!include[_sourcePosition]) continue;
                _position++;
                return true;
            }
            return false;
        }

        public override bool IsColumnActive(DataViewSchema.Column column) => source.IsColumnActive(column);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => source.GetGetter<TValue>(column);

        public override ValueGetter<DataViewRowId> GetIdGetter() => source.GetIdGetter();

        protected override void Dispose(bool disposing)
        {
            if (disposing) source.Dispose();
            base.Dispose(disposing);
        }
    }
}
