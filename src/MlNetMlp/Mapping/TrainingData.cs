using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetMlp.Numerics;

namespace MlNetMlp.Mapping;

/// <summary>Reads a feature vector column and a key label column into dense arrays for training.</summary>
internal static class TrainingData
{
    /// <summary>Rows whose label is missing (key 0) are skipped, as ML.NET's trainers do; non-finite features are an error.</summary>
    public static MlpDataSet Read(IDataView data, DataViewSchema.Column featureColumn, DataViewSchema.Column labelColumn, string what)
    {
        int featureCount = ((VectorDataViewType)featureColumn.Type).Size;
        long expected = data.GetRowCount() ?? 1024;
        var features = new float[checked((int)Math.Max(1, expected) * featureCount)];
        var labels = new int[Math.Max(1, (int)expected)];
        int rows = 0;
        long position = 0;

        using var cursor = data.GetRowCursor([featureColumn, labelColumn]);
        var getFeatures = cursor.GetGetter<VBuffer<float>>(featureColumn);
        var getLabel = KeyGetter(cursor, labelColumn);
        var buffer = default(VBuffer<float>);
        while (cursor.MoveNext())
        {
            position++;
            uint key = getLabel();
            if (key == 0) continue;
            if (rows == labels.Length)
            {
                Array.Resize(ref labels, labels.Length * 2);
                Array.Resize(ref features, labels.Length * featureCount);
            }
            getFeatures(ref buffer);
            var row = features.AsSpan(rows * featureCount, featureCount);
            buffer.CopyTo(row);
            int bad = IndexOfNonFinite(row);
            if (bad >= 0)
                throw new InvalidDataException(
                    $"The {what} has a non-finite value ({row[bad]}) in feature column '{featureColumn.Name}' at row {position - 1}, slot {bad}. " +
                    "Remove or impute such rows (e.g. mlContext.Transforms.ReplaceMissingValues) before training.");
            labels[rows++] = (int)key - 1;
        }
        // Trim the growth slack: the data set's row count is its label count.
        if (labels.Length != rows)
        {
            Array.Resize(ref labels, rows);
            Array.Resize(ref features, rows * featureCount);
        }
        return new MlpDataSet(features, labels, featureCount);
    }

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
