using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetMlp.Mapping;

/// <summary>Column checks shared by trainers and transformers, with messages that name the column.</summary>
internal static class SchemaChecks
{
    public static DataViewSchema.Column Column(DataViewSchema schema, string name, string role, string paramName) =>
        schema.GetColumnOrNull(name) ?? throw new ArgumentOutOfRangeException(paramName,
            $"The {role} column '{name}' was not found in the data. Available columns: {string.Join(", ", schema.Where(c => !c.IsHidden).Select(c => $"'{c.Name}'"))}.");

    /// <summary>A known-size vector of Single (any dimensions), optionally of an exact length.</summary>
    public static DataViewSchema.Column FeatureVector(DataViewSchema schema, string name, int? expectedSize, string paramName)
    {
        var column = Column(schema, name, "feature", paramName);
        if (column.Type is not VectorDataViewType { ItemType: NumberDataViewType item } vector || item != NumberDataViewType.Single || !vector.IsKnownSize)
            throw new ArgumentOutOfRangeException(paramName,
                $"The feature column '{name}' must be a known-size vector of Single, but it is {column.Type}.");
        if (expectedSize is int size && vector.Size != size)
            throw new ArgumentOutOfRangeException(paramName,
                $"The feature column '{name}' has {vector.Size} values per row, but the model was trained on {size}.");
        return column;
    }

    public static DataViewSchema.Column KeyLabel(DataViewSchema schema, string name, string paramName)
    {
        var column = Column(schema, name, "label", paramName);
        if (column.Type is not KeyDataViewType key || key.Count == 0 || key.Count > int.MaxValue)
            throw new ArgumentOutOfRangeException(paramName,
                $"The label column '{name}' must be a key type with a known count (it is {column.Type}); " +
                $"convert it with mlContext.Transforms.Conversion.MapValueToKey(\"{name}\").");
        return column;
    }
}
