using System.Globalization;
using Microsoft.ML.Data;

namespace MlNetMlp.Cli.CodeGeneration;

/// <summary>One property of the generated ModelInput or ModelOutput: the column it maps and how it is declared.</summary>
/// <param name="ColumnName">The column's name in the model's schema.</param>
/// <param name="PropertyName">A valid, unique C# identifier; <c>[ColumnName]</c> is written when it differs from <paramref name="ColumnName"/>.</param>
/// <param name="TypeName">The C# type, e.g. <c>float</c>, <c>string</c>, <c>float[]</c>.</param>
/// <param name="Attributes">ML.NET schema attributes other than <c>[ColumnName]</c>: <c>[VectorType(28, 28)]</c>, <c>[KeyType(10)]</c>.</param>
/// <param name="ExampleValue">A C# expression the example program assigns (zeros of the right size, empty text).</param>
internal sealed record CodeProperty(string ColumnName, string PropertyName, string TypeName, IReadOnlyList<string> Attributes, string ExampleValue);

/// <summary>
/// What the generated code needs to know of a model, decided from its schemas alone so that it holds for any pipeline
/// and any task: the input columns (the schema the model file stores, i.e. the raw columns the pipeline reads) and the
/// prediction columns (those the output schema marks as a scorer's output).
/// </summary>
/// <param name="Inputs">One property per visible input column, in schema order.</param>
/// <param name="Outputs">The prediction columns, in output-schema order.</param>
/// <param name="ClassScoreColumn">The name of the per-class score vector (multiclass); null for one score per row (binary, regression).</param>
internal sealed record ModelCodeSchema(IReadOnlyList<CodeProperty> Inputs, IReadOnlyList<CodeProperty> Outputs, string? ClassScoreColumn)
{
    /// <summary>The class names generated code must not reuse for a property (CS0542: a member named as its class).</summary>
    public const string InputClass = "ModelInput", OutputClass = "ModelOutput";

    /// <param name="model">The loaded model; its output schema is computed from <paramref name="inputSchema"/> (no data is read).</param>
    /// <param name="inputSchema">The input schema the model file stores.</param>
    /// <param name="what">Names the model in errors, e.g. "Model file 'm.zip'".</param>
    /// <exception cref="NotSupportedException">A column has a type a C# property cannot map, or the model appends no prediction column.</exception>
    /// <exception cref="InvalidDataException">The model file stores no input schema.</exception>
    public static ModelCodeSchema From(ITransformer model, DataViewSchema? inputSchema, string what)
    {
        if (inputSchema is null)
            throw new InvalidDataException($"{what} stores no input schema (it was saved without one), so the columns a row needs are unknown: save it with mlContext.Model.Save(model, data.Schema, path).");
        var inputNames = new HashSet<string>(StringComparer.Ordinal) { InputClass };
        var inputs = inputSchema.Where(c => !c.IsHidden).Select(c => Property(c, inputNames, forInput: true, what)).ToList();

        var outputSchema = model.GetOutputSchema(inputSchema);
        // A scorer marks its columns with ScoreValueKind (Score, PredictedLabel, Probability), whatever the task. A later
        // step may replace one (MapKeyToValue("PredictedLabel") hides the key column behind a text one of the same
        // name): the column a user receives is the visible one of that name.
        var predictionNames = outputSchema
            .Where(c => c.Annotations.Schema.GetColumnOrNull(AnnotationKinds.ScoreValueKind) != null)
            .Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        var predictions = outputSchema.Where(c => !c.IsHidden && predictionNames.Contains(c.Name)).ToList();
        if (predictions.Count == 0)
            throw new NotSupportedException($"{what} appends no prediction column (no column of its output schema is marked as a Score, PredictedLabel or Probability): code is generated for models that end with a trainer.");
        var outputNames = new HashSet<string>(StringComparer.Ordinal) { OutputClass };
        var outputs = predictions.Select(c => Property(c, outputNames, forInput: false, what)).ToList();

        // Per-class scores: the scorer's Score column holds a known-size float vector. Binary and regression give one float.
        var score = predictions.FirstOrDefault(c => ScoreValueKind(outputSchema, c.Name) == "Score");
        string? classScores = score.Name != null && score.Type is VectorDataViewType { IsKnownSize: true, ItemType: NumberDataViewType } vector
            && vector.ItemType.RawType == typeof(float) ? score.Name : null;
        return new ModelCodeSchema(inputs, outputs, classScores);
    }

    /// <summary>The ScoreValueKind of the scorer's column named <paramref name="name"/> (hidden or not), or null.</summary>
    private static string? ScoreValueKind(DataViewSchema schema, string name)
    {
        foreach (var column in schema.Where(c => c.Name == name))
        {
            if (column.Annotations.Schema.GetColumnOrNull(AnnotationKinds.ScoreValueKind) == null) continue;
            ReadOnlyMemory<char> kind = default;
            column.Annotations.GetValue(AnnotationKinds.ScoreValueKind, ref kind);
            return kind.ToString();
        }
        return null;
    }

    private static CodeProperty Property(DataViewSchema.Column column, ISet<string> taken, bool forInput, string what)
    {
        string propertyName = CSharpNames.Identifier(column.Name, taken);
        var attributes = new List<string>();
        var type = column.Type;
        if (type is VectorDataViewType vector)
        {
            string item = ItemTypeName(vector.ItemType, column, what);
            if (forInput)
            {
                attributes.Add(vector.IsKnownSize
                    ? $"[VectorType({string.Join(", ", vector.Dimensions.Select(d => d.ToString(CultureInfo.InvariantCulture)))})]"
                    : "[VectorType]");
                if (vector.ItemType is KeyDataViewType vectorKey) attributes.Add(KeyAttribute(vectorKey));
            }
            string example = vector.IsKnownSize ? $"new {item}[{vector.Size.ToString(CultureInfo.InvariantCulture)}]" : "[]";
            return new CodeProperty(column.Name, propertyName, item + "[]", attributes, example);
        }
        string typeName = ItemTypeName(type, column, what);
        if (forInput && type is KeyDataViewType key) attributes.Add(KeyAttribute(key));
        return new CodeProperty(column.Name, propertyName, typeName, attributes, typeName switch
        {
            "string" => "\"\"",
            "bool" => "false",
            "float" => "0F",
            "double" => "0D",
            "DateTime" or "DateTimeOffset" or "TimeSpan" => "default",
            _ => "0",
        });
    }

    // The key count the schema declares, so the class describes the same key type as the model file.
    private static string KeyAttribute(KeyDataViewType key) =>
        $"[KeyType({key.Count.ToString(CultureInfo.InvariantCulture)})]";

    private static string ItemTypeName(DataViewType type, DataViewSchema.Column column, string what) => type.RawType switch
    {
        var t when t == typeof(float) => "float",
        var t when t == typeof(double) => "double",
        var t when t == typeof(sbyte) => "sbyte",
        var t when t == typeof(byte) => "byte",
        var t when t == typeof(short) => "short",
        var t when t == typeof(ushort) => "ushort",
        var t when t == typeof(int) => "int",
        var t when t == typeof(uint) => "uint",
        var t when t == typeof(long) => "long",
        var t when t == typeof(ulong) => "ulong",
        var t when t == typeof(bool) => "bool",
        var t when t == typeof(ReadOnlyMemory<char>) => "string",
        var t when t == typeof(DateTime) => "DateTime",
        var t when t == typeof(DateTimeOffset) => "DateTimeOffset",
        var t when t == typeof(TimeSpan) => "TimeSpan",
        _ => throw new NotSupportedException($"{what}: column '{column.Name}' has type {type}, which no C# property of a generated class can hold."),
    };
}

/// <summary>ML.NET's annotation kind names (its <c>AnnotationUtils.Kinds</c> is internal; the names are part of the model format).</summary>
internal static class AnnotationKinds
{
    public const string ScoreValueKind = "ScoreValueKind";
    public const string SlotNames = "SlotNames";
}
