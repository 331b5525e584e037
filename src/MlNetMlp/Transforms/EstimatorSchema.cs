using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetMlp.Transforms;

/// <summary>
/// The <see cref="SchemaShape"/> side of the column transforms' estimators (<c>GetOutputSchema</c> before any data):
/// finding the input column and adding the output column, written once for all of them.
/// </summary>
internal static class EstimatorSchema
{
    /// <summary>The column <paramref name="name"/> of <paramref name="inputSchema"/>; <paramref name="operation"/> names the transform in the message.</summary>
    public static SchemaShape.Column Find(SchemaShape inputSchema, string name, string operation)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        if (!inputSchema.TryFindColumn(name, out var column))
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"{operation}: the column '{name}' was not found.");
        return column;
    }

    /// <summary><paramref name="inputSchema"/> with a Single column <paramref name="name"/> of <paramref name="kind"/> added (or replacing one of that name).</summary>
    public static SchemaShape WithSingleColumn(SchemaShape inputSchema, string name, SchemaShape.Column.VectorKind kind)
    {
        var columns = inputSchema.ToDictionary(c => c.Name);
        columns[name] = new SchemaShape.Column(name, kind, NumberDataViewType.Single, false);
        return new SchemaShape(columns.Values);
    }
}
