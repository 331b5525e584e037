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

    /// <summary>A Boolean label, as ML.NET's binary trainers read.</summary>
    public static DataViewSchema.Column BooleanLabel(DataViewSchema schema, string name, string paramName)
    {
        var column = Column(schema, name, "label", paramName);
        if (column.Type != BooleanDataViewType.Instance)
            throw new ArgumentOutOfRangeException(paramName,
                $"The label column '{name}' of a binary classifier must be Boolean (it is {column.Type}); convert it, e.g. with " +
                $"mlContext.Transforms.Expression or a custom mapping to a bool.");
        return column;
    }

    /// <summary>A Single label, as ML.NET's regression trainers read.</summary>
    public static DataViewSchema.Column SingleLabel(DataViewSchema schema, string name, string paramName)
    {
        var column = Column(schema, name, "label", paramName);
        if (column.Type != NumberDataViewType.Single)
            throw new ArgumentOutOfRangeException(paramName,
                $"The label column '{name}' of a regression must be Single (it is {column.Type}); convert it with " +
                $"mlContext.Transforms.Conversion.ConvertType(\"{name}\", outputKind: DataKind.Single).");
        return column;
    }

    /// <summary>A Single example weight column (ML.NET's ExampleWeightColumnName).</summary>
    public static DataViewSchema.Column Weight(DataViewSchema schema, string name, string paramName)
    {
        var column = Column(schema, name, "example weight", paramName);
        if (column.Type != NumberDataViewType.Single)
            throw new ArgumentOutOfRangeException(paramName, $"The example weight column '{name}' must be Single (it is {column.Type}).");
        return column;
    }
}
