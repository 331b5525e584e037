using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

namespace MlNetMlp.Cli.Tables;

/// <summary>
/// The ML.NET pieces of a table model, built from a <see cref="TableSchema"/>: the <c>TextLoader</c> that reads the
/// raw file, the featurization (ML.NET's own transforms), the label's conversion for the task, and the mapping of
/// the prediction back to the label's own values. Everything but the loader goes into the saved model, so the model
/// scores raw rows: <c>mlContext.Model.Load</c> gives back the raw columns as its input schema.
/// </summary>
internal static class TablePipeline
{
    public const string LabelColumn = "Label", FeaturesColumn = "Features", ScoreColumn = "Score", PredictedLabelColumn = "PredictedLabel", ProbabilityColumn = "Probability";

    /// <summary>
    /// ML.NET's loader options for a delimited file: quoted fields (over several lines too), and empty number cells
    /// read as NaN rather than 0, so that they count as missing.
    /// </summary>
    public static TextLoader.Options LoaderOptions(char separator, bool hasHeader, TextLoader.Column[] columns) => new()
    {
        Separators = [separator],
        HasHeader = hasHeader,
        AllowQuoting = true,
        ReadMultilines = true,
        MissingRealsAsNaNs = true,
        Columns = columns,
    };

    /// <summary>
    /// Every column of the file, in file order, under its own name: numbers as <c>Single</c>, the rest (and a
    /// classification label) as text. Left-out columns are loaded too, so the model's input schema is the file's layout.
    /// </summary>
    public static TextLoader.Column[] Columns(TableSchema schema) =>
        schema.Columns.Select(c => new TextLoader.Column(c.Name,
            c.LoadAsNumber || (c.Treatment == ColumnTreatment.Label && schema.Task == TableTask.Regression) ? DataKind.Single : DataKind.String,
            c.Profile.Index)).ToArray();

    /// <summary>
    /// The feature columns turned into one normalized <c>Features</c> vector, with the ML.NET transform used for
    /// each column (and the names of the vector's parts).
    /// </summary>
    public static IEstimator<ITransformer> Featurize(MLContext mlContext, TableSchema schema)
    {
        var taken = new HashSet<string>(schema.Columns.Select(c => c.Name), StringComparer.Ordinal);
        string Derived(string name, string suffix)
        {
            string candidate = $"{name}.{suffix}";
            for (int k = 2; !taken.Add(candidate); k++) candidate = $"{name}.{suffix}{k}";
            return candidate;
        }

        IEstimator<ITransformer> chain = new EstimatorChain<ITransformer>();
        var parts = new List<string>();
        foreach (var column in schema.Features)
        {
            switch (column.Treatment)
            {
                case ColumnTreatment.Numeric:
                    parts.Add(column.Name);
                    break;
                case ColumnTreatment.NumericWithMissing:
                    string flag = Derived(column.Name, "missing"), filled = Derived(column.Name, "filled");
                    chain = chain.Append(mlContext.Transforms.IndicateMissingValues(flag, column.Name))
                        .Append(mlContext.Transforms.Conversion.ConvertType(flag, flag, DataKind.Single))
                        .Append(mlContext.Transforms.ReplaceMissingValues(filled, column.Name, MissingValueReplacingEstimator.ReplacementMode.Mean));
                    parts.Add(filled);
                    parts.Add(flag);
                    break;
                case ColumnTreatment.OneHot:
                    string oneHot = Derived(column.Name, "onehot");
                    chain = chain.Append(mlContext.Transforms.Categorical.OneHotEncoding(oneHot, column.Name));
                    parts.Add(oneHot);
                    break;
                case ColumnTreatment.Text:
                    string text = Derived(column.Name, "text");
                    chain = chain.Append(mlContext.Transforms.Text.FeaturizeText(text, column.Name));
                    parts.Add(text);
                    break;
            }
        }
        // Mean and variance of every slot, not only scaled (fixZero: false): the network trains best on centred inputs.
        return chain.Append(mlContext.Transforms.Concatenate(FeaturesColumn, [.. parts]))
            .Append(mlContext.Transforms.NormalizeMeanVariance(FeaturesColumn, fixZero: false));
    }

    /// <summary>
    /// The label as the task's trainer reads it, from the raw label column: a key over the classes (multiclass), a
    /// Boolean that is true for the positive class (binary), a <c>Single</c> (regression). Values that are not one of
    /// the training classes become a missing key (multiclass); rows without a label are left out before training.
    /// </summary>
    public static IEstimator<ITransformer> Label(MLContext mlContext, TableSchema schema) => schema.Task switch
    {
        TableTask.Multiclass => mlContext.Transforms.Conversion.MapValueToKey(LabelColumn, schema.Label.Name,
            keyData: mlContext.Data.LoadFromEnumerable(schema.Classes.Select(c => new ClassValue { Value = c }))),
        TableTask.Binary => mlContext.Transforms.Conversion.MapValue(LabelColumn,
            schema.Classes.Select(c => new KeyValuePair<string, bool>(c, c == schema.PositiveClass)), schema.Label.Name),
        _ => mlContext.Transforms.CopyColumns(LabelColumn, schema.Label.Name),
    };

    /// <summary>
    /// The prediction in the label's own values, appended after the trainer: class names for multiclass
    /// (<c>MapKeyToValue</c>), the two label values for binary; null for regression, whose Score is the prediction.
    /// </summary>
    public static IEstimator<ITransformer>? PredictionToValue(MLContext mlContext, TableSchema schema) => schema.Task switch
    {
        TableTask.Multiclass => mlContext.Transforms.Conversion.MapKeyToValue(PredictedLabelColumn),
        TableTask.Binary => mlContext.Transforms.Conversion.MapValue(PredictedLabelColumn,
            schema.Classes.Select(c => new KeyValuePair<bool, string>(c == schema.PositiveClass, c)), PredictedLabelColumn),
        _ => null,
    };

    /// <summary>One row of the key data that fixes the classes and their order.</summary>
    private sealed class ClassValue
    {
        public string Value { get; set; } = "";
    }
}
