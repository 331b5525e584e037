using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetMlp.Mapping;

/// <summary>
/// Reads (feature vector, 0-based class) pairs from an IDataView cursor, one row at a time, into caller
/// buffers. Rows with a missing label (key 0) are skipped, as ML.NET's trainers do; a non-finite feature
/// is an <see cref="InvalidDataException"/> naming the row and slot.
/// </summary>
internal sealed class LabeledRowReader : IDisposable
{
    private readonly DataViewRowCursor _cursor;
    private readonly ValueGetter<VBuffer<float>> _getFeatures;
    private readonly Func<uint> _getLabel;
    private readonly string _featureColumn;
    private readonly string _what;
    private VBuffer<float> _buffer;

    public LabeledRowReader(IDataView data, DataViewSchema.Column featureColumn, DataViewSchema.Column labelColumn, string what)
    {
        FeatureCount = ((VectorDataViewType)featureColumn.Type).Size;
        _cursor = data.GetRowCursor([featureColumn, labelColumn]);
        _getFeatures = _cursor.GetGetter<VBuffer<float>>(featureColumn);
        _getLabel = KeyGetter(_cursor, labelColumn);
        _featureColumn = featureColumn.Name;
        _what = what;
    }

    public int FeatureCount { get; }

    /// <summary>Rows the cursor has passed, including skipped ones.</summary>
    public long Position { get; private set; }

    /// <summary>Reads the next labelled row into <paramref name="features"/>; false at the end of the data.</summary>
    public bool TryRead(Span<float> features, out int label)
    {
        while (_cursor.MoveNext())
        {
            Position++;
            uint key = _getLabel();
            if (key == 0) continue;
            _getFeatures(ref _buffer);
            _buffer.CopyTo(features);
            int bad = IndexOfNonFinite(features[..FeatureCount]);
            if (bad >= 0)
                throw new InvalidDataException(
                    $"The {_what} has a non-finite value ({features[bad]}) in feature column '{_featureColumn}' at row {Position - 1}, slot {bad}. " +
                    "Remove or impute such rows (e.g. mlContext.Transforms.ReplaceMissingValues) before training.");
            label = (int)key - 1;
            return true;
        }
        label = -1;
        return false;
    }

    public void Dispose() => _cursor.Dispose();

    private static int IndexOfNonFinite(ReadOnlySpan<float> values)
    {
        for (int i = 0; i < values.Length; i++)
            if (!float.IsFinite(values[i])) return i;
        return -1;
    }

    private static Func<uint> KeyGetter(DataViewRow row, DataViewSchema.Column column)
    {
        var raw = column.Type.RawType;
        if (raw == typeof(uint)) { var g = row.GetGetter<uint>(column); uint v = 0; return () => { g(ref v); return v; }; }
        if (raw == typeof(byte)) { var g = row.GetGetter<byte>(column); byte v = 0; return () => { g(ref v); return v; }; }
        if (raw == typeof(ushort)) { var g = row.GetGetter<ushort>(column); ushort v = 0; return () => { g(ref v); return v; }; }
        if (raw == typeof(ulong)) { var g = row.GetGetter<ulong>(column); ulong v = 0; return () => { g(ref v); return checked((uint)v); }; }
        throw new ArgumentOutOfRangeException(nameof(column), $"The label column '{column.Name}' has unsupported key storage {raw.Name}.");
    }
}
