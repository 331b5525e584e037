using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetMlp.Persistence;

/// <summary>
/// The key values of a label column (e.g. class names), kept with their original item type so
/// PredictedLabel maps back to the same values the label had, before and after save/load.
/// </summary>
internal sealed class LabelKeyValues
{
    // Stable codes for the model file; new types are appended, never renumbered.
    private static readonly Type[] TypeByCode =
        [typeof(ReadOnlyMemory<char>), typeof(float), typeof(double), typeof(int), typeof(uint), typeof(long),
         typeof(ulong), typeof(short), typeof(ushort), typeof(byte), typeof(sbyte), typeof(bool)];

    private LabelKeyValues(PrimitiveDataViewType itemType, Array values)
    {
        ItemType = itemType;
        Values = values;
    }

    public PrimitiveDataViewType ItemType { get; }

    public Array Values { get; }

    public int Count => Values.Length;

    /// <summary>The key values of <paramref name="column"/>, or null when it has none of a supported type or count.</summary>
    public static LabelKeyValues? FromColumn(DataViewSchema.Column column)
    {
        if (column.Type is not KeyDataViewType keyType) return null;
        var annotation = column.Annotations.Schema.GetColumnOrNull(AnnotationUtils.Kinds.KeyValues);
        if (annotation is not { Type: VectorDataViewType { ItemType: PrimitiveDataViewType itemType } }) return null;
        if (Array.IndexOf(TypeByCode, itemType.RawType) < 0) return null;
        var values = (Array)typeof(LabelKeyValues).GetMethod(nameof(ReadAnnotation), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
            .MakeGenericMethod(itemType.RawType).Invoke(null, [column])!;
        return values.Length == (int)keyType.Count ? new LabelKeyValues(itemType, values) : null;
    }

    private static T[] ReadAnnotation<T>(DataViewSchema.Column column)
    {
        var buffer = default(VBuffer<T>);
        column.Annotations.GetValue(AnnotationUtils.Kinds.KeyValues, ref buffer);
        return buffer.DenseValues().ToArray();
    }

    /// <summary>The values as text, for Score's slot names.</summary>
    public ReadOnlyMemory<char>[] AsText()
    {
        var texts = new ReadOnlyMemory<char>[Values.Length];
        for (int i = 0; i < texts.Length; i++)
            texts[i] = Values.GetValue(i) switch
            {
                ReadOnlyMemory<char> text => text,
                IFormattable f => f.ToString(null, CultureInfo.InvariantCulture).AsMemory(),
                var other => (other?.ToString() ?? "").AsMemory(),
            };
        return texts;
    }

    public void AddTo(DataViewSchema.Annotations.Builder builder)
    {
        typeof(LabelKeyValues).GetMethod(nameof(AddTyped), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!
            .MakeGenericMethod(ItemType.RawType).Invoke(this, [builder]);
    }

    private void AddTyped<T>(DataViewSchema.Annotations.Builder builder)
    {
        var values = (T[])Values;
        builder.AddKeyValues(values.Length, ItemType, (ref VBuffer<T> dst) => dst = new VBuffer<T>(values.Length, (T[])values.Clone()));
    }

    public void Save(BinaryWriter writer)
    {
        int code = Array.IndexOf(TypeByCode, ItemType.RawType);
        writer.Write(code);
        writer.Write(Values.Length);
        foreach (var value in Values)
        {
            switch (value)
            {
                case ReadOnlyMemory<char> v: writer.Write(v.ToString()); break;
                case float v: writer.Write(v); break;
                case double v: writer.Write(v); break;
                case int v: writer.Write(v); break;
                case uint v: writer.Write(v); break;
                case long v: writer.Write(v); break;
                case ulong v: writer.Write(v); break;
                case short v: writer.Write(v); break;
                case ushort v: writer.Write(v); break;
                case byte v: writer.Write(v); break;
                case sbyte v: writer.Write(v); break;
                case bool v: writer.Write(v); break;
                default: throw new InvalidOperationException($"Unsupported key value type {value?.GetType()}.");
            }
        }
    }

    public static LabelKeyValues Load(BinaryReader reader, int expectedCount)
    {
        int code = reader.ReadInt32();
        if (code < 0 || code >= TypeByCode.Length) throw ModelFormat.Corrupt($"unknown key value type code {code}");
        int count = reader.ReadInt32();
        if (count != expectedCount) throw ModelFormat.Corrupt($"{count} label key values for {expectedCount} classes");
        if (reader.BaseStream.CanSeek && count > reader.BaseStream.Length - reader.BaseStream.Position)
            throw ModelFormat.Corrupt($"{count} label key values cannot fit in the remaining {reader.BaseStream.Length - reader.BaseStream.Position} bytes");
        var type = TypeByCode[code];
        var values = Array.CreateInstance(type, count);
        for (int i = 0; i < count; i++)
        {
            object value = type switch
            {
                _ when type == typeof(ReadOnlyMemory<char>) => reader.ReadString().AsMemory(),
                _ when type == typeof(float) => reader.ReadSingle(),
                _ when type == typeof(double) => reader.ReadDouble(),
                _ when type == typeof(int) => reader.ReadInt32(),
                _ when type == typeof(uint) => reader.ReadUInt32(),
                _ when type == typeof(long) => reader.ReadInt64(),
                _ when type == typeof(ulong) => reader.ReadUInt64(),
                _ when type == typeof(short) => reader.ReadInt16(),
                _ when type == typeof(ushort) => reader.ReadUInt16(),
                _ when type == typeof(byte) => reader.ReadByte(),
                _ when type == typeof(sbyte) => reader.ReadSByte(),
                _ => reader.ReadBoolean(),
            };
            values.SetValue(value, i);
        }
        return new LabelKeyValues(ItemTypeOf(type), values);
    }

    private static PrimitiveDataViewType ItemTypeOf(Type raw) => raw switch
    {
        _ when raw == typeof(ReadOnlyMemory<char>) => TextDataViewType.Instance,
        _ when raw == typeof(bool) => BooleanDataViewType.Instance,
        _ when raw == typeof(float) => NumberDataViewType.Single,
        _ when raw == typeof(double) => NumberDataViewType.Double,
        _ when raw == typeof(int) => NumberDataViewType.Int32,
        _ when raw == typeof(uint) => NumberDataViewType.UInt32,
        _ when raw == typeof(long) => NumberDataViewType.Int64,
        _ when raw == typeof(ulong) => NumberDataViewType.UInt64,
        _ when raw == typeof(short) => NumberDataViewType.Int16,
        _ when raw == typeof(ushort) => NumberDataViewType.UInt16,
        _ when raw == typeof(byte) => NumberDataViewType.Byte,
        _ => NumberDataViewType.SByte,
    };
}
