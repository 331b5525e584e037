using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetMlp.Persistence;

/// <summary>
/// The few ML.NET persistence internals MlNetMlp touches, in one place, plus the binary
/// helpers our own payloads use. Everything ML.NET-internal that persistence relies on is
/// exercised by PersistenceContractTests, which fail loudly if a Microsoft.ML update changes it.
/// </summary>
internal static class ModelFormat
{
    /// <summary>Version header for one of our loadable classes (ML.NET limits the model signature to 8 ASCII chars).</summary>
    public static VersionInfo Version(string modelSignature, uint version, string loaderSignature) => new(
        modelSignature: modelSignature,
        verWrittenCur: version,
        verReadableCur: version,
        verWeCanReadBack: version,
        loaderSignature: loaderSignature,
        // Written into the model header: ML.NET's loader registers this assembly by itself on Load.
        loaderAssemblyName: typeof(ModelFormat).Assembly.FullName);

    public static BinaryWriter BeginSave(ModelSaveContext ctx, VersionInfo version)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ctx.CheckAtModel();
        ctx.SetVersionInfo(version);
        return ctx.Writer;
    }

    public static BinaryReader BeginLoad(ModelLoadContext ctx, VersionInfo version)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ctx.CheckAtModel(version);
        return ctx.Reader;
    }

    public static void WriteFloats(this BinaryWriter writer, ReadOnlySpan<float> values)
    {
        writer.Write(values.Length);
        foreach (var v in values) writer.Write(v);
    }

    /// <summary>
    /// Reads <paramref name="expectedLength"/> weights, refusing a different count and any NaN or infinity: a trained
    /// network never holds them (training stops on divergence), so one in a file is damage, and it would score as NaN.
    /// </summary>
    public static float[] ReadFloats(this BinaryReader reader, int expectedLength, string what)
    {
        int length = reader.ReadInt32();
        if (length != expectedLength)
            throw Corrupt($"{what} has {length} values, expected {expectedLength}");
        var values = new float[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = reader.ReadSingle();
            if (!float.IsFinite(values[i]))
                throw Corrupt(string.Create(CultureInfo.InvariantCulture, $"{what} value {i} is {values[i]} (a network's weights must be finite numbers)"));
        }
        return values;
    }

    public static int ReadCount(this BinaryReader reader, int max, string what)
    {
        int value = reader.ReadInt32();
        if (value < 0 || value > max) throw Corrupt($"{what} = {value} is out of range [0, {max}]");
        return value;
    }

    public static void WriteNullableString(this BinaryWriter writer, string? value)
    {
        writer.Write(value != null);
        if (value != null) writer.Write(value);
    }

    public static string? ReadNullableString(this BinaryReader reader) => reader.ReadBoolean() ? reader.ReadString() : null;

    public static InvalidDataException Corrupt(string problem) => new($"The MlNetMlp model is corrupt: {problem}.");
}
