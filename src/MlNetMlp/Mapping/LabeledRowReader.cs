using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetMlp.Mapping;

/// <summary>
/// Reads (feature vector, label, weight) rows from an IDataView cursor, one row at a time, into caller buffers. The label
/// is a key (0-based class), a Boolean (class 0 or 1) or a Single (a regression target). Rows with a missing label (key 0,
/// NaN target) are skipped, as ML.NET's trainers do; a non-finite feature, an infinite target or a negative or non-finite
/// weight is an <see cref="InvalidDataException"/> naming the column, row and value.
/// </summary>
internal sealed class LabeledRowReader : IDisposable
{
    private readonly DataViewRowCursor _cursor;
    private readonly ValueGetter<VBuffer<float>> _getFeatures;
    private readonly Func<uint>? _getKey;
    private readonly ValueGetter<bool>? _getBoolean;
    private readonly ValueGetter<float>? _getTarget;
    private readonly ValueGetter<float>? _getWeight;
    private readonly string _labelColumn, _weightColumn;
    private readonly string _featureColumn;
    private readonly string _what;
    private VBuffer<float> _buffer;

    public LabeledRowReader(IDataView data, DataViewSchema.Column featureColumn, DataViewSchema.Column labelColumn, string what,
        DataViewSchema.Column? weightColumn = null)
    {
        FeatureCount = ((VectorDataViewType)featureColumn.Type).Size;
        _cursor = data.GetRowCursor(weightColumn is { } w ? [featureColumn, labelColumn, w] : [featureColumn, labelColumn]);
        _getFeatures = _cursor.GetGetter<VBuffer<float>>(featureColumn);
        if (labelColumn.Type is KeyDataViewType) _getKey = KeyGetter(_cursor, labelColumn);
        else if (labelColumn.Type == BooleanDataViewType.Instance) _getBoolean = _cursor.GetGetter<bool>(labelColumn);
        else if (labelColumn.Type == NumberDataViewType.Single) _getTarget = _cursor.GetGetter<float>(labelColumn);
        else throw new ArgumentOutOfRangeException(nameof(labelColumn), $"The label column '{labelColumn.Name}' is {labelColumn.Type}: a key, Boolean or Single label is needed.");
        if (weightColumn is { } weight) _getWeight = _cursor.GetGetter<float>(weight);
        _labelColumn = labelColumn.Name;
        _weightColumn = weightColumn?.Name ?? "";
        _featureColumn = featureColumn.Name;
        _what = what;
    }

    public int FeatureCount { get; }

    /// <summary>Rows the cursor has passed, including skipped ones.</summary>
    public long Position { get; private set; }

    /// <summary>Reads the next labelled row into <paramref name="features"/> and its label, target and weight; false at the end of the data.</summary>
    public bool TryRead(Span<float> features, out RowLabel label)
    {
        while (_cursor.MoveNext())
        {
            Position++;
            int @class = 0;
            float target = 0, weight = 1;
            if (_getKey is not null)
            {
                uint key = _getKey();
                if (key == 0) continue;
                @class = (int)key - 1;
            }
            else if (_getBoolean is not null)
            {
                bool value = false;
                _getBoolean(ref value);
                @class = value ? 1 : 0;
            }
            else
            {
                _getTarget!(ref target);
                if (float.IsNaN(target)) continue;
                if (!float.IsFinite(target))
                    throw new InvalidDataException(FormattableString.Invariant(
                        $"The {_what} has an infinite target ({target}) in label column '{_labelColumn}' at row {Position - 1}."));
            }
            if (_getWeight is not null)
            {
                _getWeight(ref weight);
                if (!float.IsFinite(weight) || weight < 0)
                    throw new InvalidDataException(FormattableString.Invariant(
                        $"The {_what} has weight {weight} in example weight column '{_weightColumn}' at row {Position - 1}; weights must be finite and not negative."));
            }
            _getFeatures(ref _buffer);
            _buffer.CopyTo(features);
            int bad = IndexOfNonFinite(features[..FeatureCount]);
            if (bad >= 0)
                throw new InvalidDataException(
                    $"The {_what} has a non-finite value ({features[bad]}) in feature column '{_featureColumn}' at row {Position - 1}, slot {bad}. " +
                    "Remove or impute such rows (e.g. mlContext.Transforms.ReplaceMissingValues) before training.");
            label = new RowLabel(@class, target, weight);
            return true;
        }
        label = default;
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
