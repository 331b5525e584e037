using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetMlp.Numerics;

namespace MlNetMlp.Data;

/// <summary>
/// A lazily generated classification IDataView: <c>Features</c> (known-size float vector) and
/// <c>Label</c> (key of <c>classes</c> values). Row r's label and features are a hash of (seed, r), so no
/// row is ever stored: any number of rows costs one row of memory, and every cursor sees the same rows.
/// Each class is a cluster around its own centre in [0, 1]^features, so the data are learnable.
/// Used by the streaming tests and <c>mlnetmlp bench memory</c>.
/// </summary>
internal sealed class SyntheticDataView : IDataView
{
    private readonly float[] _centres;

    public SyntheticDataView(long rows, int features, int classes, int seed, float spread = 0.3f)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfLessThan(features, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        Rows = rows;
        Features = features;
        Classes = classes;
        Seed = seed;
        Spread = spread;
        _centres = new float[classes * features];
        for (int i = 0; i < _centres.Length; i++)
            _centres[i] = Unit(RandomStreams.Mix(((ulong)(uint)seed << 32) ^ (0xC3A5C85C97CB3127UL + (ulong)i)));
        var builder = new DataViewSchema.Builder();
        builder.AddColumn("Features", new VectorDataViewType(NumberDataViewType.Single, features));
        builder.AddColumn("Label", new KeyDataViewType(typeof(uint), classes));
        Schema = builder.ToSchema();
    }

    public long Rows { get; }
    public int Features { get; }
    public int Classes { get; }
    public int Seed { get; }
    public float Spread { get; }

    /// <summary>Rows produced by all cursors so far (rows whose label was read), to prove a consumer streamed.</summary>
    public long RowsProduced => Interlocked.Read(ref _rowsProduced);
    private long _rowsProduced;

    public bool CanShuffle => false;

    public DataViewSchema Schema { get; }

    public long? GetRowCount() => Rows;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) => new Cursor(this);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) => [new Cursor(this)];

    /// <summary>Row <paramref name="row"/>'s 0-based class.</summary>
    public int LabelOf(long row) => (int)(RandomStreams.Mix(((ulong)(uint)Seed << 40) ^ (ulong)row) % (ulong)Classes);

    /// <summary>Writes row <paramref name="row"/>'s features: its class centre plus uniform noise of ±<see cref="Spread"/>.</summary>
    public void FeaturesOf(long row, Span<float> destination)
    {
        int label = LabelOf(row);
        ulong rowKey = RandomStreams.Mix(((ulong)row << 1) ^ ((ulong)(uint)Seed * 0x9E3779B97F4A7C15UL));
        for (int f = 0; f < Features; f++)
            destination[f] = _centres[label * Features + f] + Spread * (2 * Unit(RandomStreams.Mix(rowKey + (ulong)f)) - 1);
    }

    private static float Unit(ulong bits) => (bits >> 40) * (1f / (1 << 24));

    private sealed class Cursor(SyntheticDataView view) : DataViewRowCursor
    {
        private readonly float[] _values = new float[view.Features];
        private long _position = -1;

        public override DataViewSchema Schema => view.Schema;
        public override long Position => _position;
        public override long Batch => 0;

        public override bool MoveNext()
        {
            if (_position + 1 >= view.Rows) return false;
            _position++;
            return true;
        }

        public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId id) => id = new DataViewRowId((ulong)_position, 0);

        public override bool IsColumnActive(DataViewSchema.Column column) => true;

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (column.Index == 0 && typeof(TValue) == typeof(VBuffer<float>))
            {
                ValueGetter<VBuffer<float>> features = (ref VBuffer<float> value) =>
                {
                    view.FeaturesOf(_position, _values);
                    // Reuse the caller's buffer when it is big enough, as ML.NET's own getters do.
                    var editor = VBufferEditor.Create(ref value, view.Features);
                    _values.CopyTo(editor.Values);
                    value = editor.Commit();
                };
                return (ValueGetter<TValue>)(Delegate)features;
            }
            if (column.Index == 1 && typeof(TValue) == typeof(uint))
            {
                ValueGetter<uint> label = (ref uint value) =>
                {
                    Interlocked.Increment(ref view._rowsProduced);
                    value = (uint)view.LabelOf(_position) + 1;
                };
                return (ValueGetter<TValue>)(Delegate)label;
            }
            throw new InvalidOperationException($"Column '{column.Name}' has no getter of type {typeof(TValue).Name}.");
        }
    }
}
