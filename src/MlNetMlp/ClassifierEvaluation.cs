using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetMlp.Persistence;

namespace MlNetMlp;

/// <summary>
/// ML.NET's multiclass evaluation with the two checks its numbers rest on, shared by everything that reports metrics
/// (the CLI's train and evaluate, the sweep, the study): the model's classes are the data's, and every score is a
/// finite number. Without them a model of other classes is scored against the wrong labels and its metrics printed
/// under the data's class names, and NaN scores come out as plausible-looking zeros.
/// </summary>
internal static class ClassifierEvaluation
{
    /// <summary>
    /// Checks <paramref name="model"/> against <paramref name="data"/> (<see cref="CheckClasses"/>), scores the data
    /// once, refuses any non-finite score, and evaluates. <paramref name="modelName"/> names the model in errors,
    /// e.g. "Model file 'model.zip'".
    /// </summary>
    /// <exception cref="InvalidDataException">The classes differ, or a score is NaN or infinite.</exception>
    public static ClassifierEvaluationResult Evaluate(MLContext mlContext, ITransformer model, IDataView data, string modelName, string labelColumnName = "Label")
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        var classNames = CheckClasses(model, data.Schema, modelName, labelColumnName);
        // Cached, so checking the scores and evaluating them (and reading predictions afterwards) score the data once.
        var scored = mlContext.Data.Cache(model.Transform(data), labelColumnName, ScoreColumn, PredictedLabelColumn);
        var score = scored.Schema[ScoreColumn];
        using (var cursor = scored.GetRowCursor([score]))
        {
            var getter = cursor.GetGetter<VBuffer<float>>(score);
            var values = default(VBuffer<float>);
            long row = 0;
            while (cursor.MoveNext())
            {
                getter(ref values);
                RequireFiniteScores(values.GetValues(), modelName, string.Create(CultureInfo.InvariantCulture, $"row {row:N0} of the data"));
                row++;
            }
        }
        return new(mlContext.MulticlassClassification.Evaluate(scored, labelColumnName), classNames, scored);
    }

    /// <summary>
    /// The model's class names, after checking that they are the classes of the data's label column: the same number,
    /// and the same names in the same order where both have names. A model without names gets "class 0", "class 1", ….
    /// </summary>
    /// <exception cref="InvalidDataException">The model's classes are not the data's.</exception>
    public static IReadOnlyList<string> CheckClasses(ITransformer model, DataViewSchema dataSchema, string modelName, string labelColumnName = "Label")
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(dataSchema);
        if (model.GetOutputSchema(dataSchema).GetColumnOrNull(PredictedLabelColumn) is not { Type: KeyDataViewType } predicted)
            throw new InvalidDataException($"{modelName} is not a multiclass classifier: it adds no {PredictedLabelColumn} key column.");
        var (modelCount, modelNames) = Classes(predicted);
        if (dataSchema.GetColumnOrNull(labelColumnName) is { Type: KeyDataViewType } label)
        {
            var (dataCount, dataNames) = Classes(label);
            if (modelCount != dataCount || (modelNames != null && dataNames != null && !modelNames.SequenceEqual(dataNames, StringComparer.Ordinal)))
                throw new InvalidDataException(
                    $"{modelName} has {modelCount} classes ({Describe(modelNames)}), but the data's {labelColumnName} column has {dataCount} " +
                    $"({Describe(dataNames)}): its scores cannot be evaluated against these labels.");
            modelNames ??= dataNames;
        }
        return modelNames ?? Enumerable.Range(0, modelCount).Select(i => string.Create(CultureInfo.InvariantCulture, $"class {i}")).ToArray();
    }

    /// <summary>Refuses scores that are not finite numbers, naming the model and what was scored (<paramref name="input"/>).</summary>
    /// <exception cref="InvalidDataException">A score is NaN or infinite.</exception>
    public static void RequireFiniteScores(ReadOnlySpan<float> scores, string modelName, string input)
    {
        foreach (float value in scores)
            if (!float.IsFinite(value))
                throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                    $"{modelName} gives a non-finite score ({value}) for {input}: its network gives NaN or infinity (weights that are not numbers, or activations that overflow), so there are no results to report."));
    }

    private const string ScoreColumn = "Score", PredictedLabelColumn = "PredictedLabel";

    private static (int Count, string[]? Names) Classes(DataViewSchema.Column column)
    {
        int count = (int)((KeyDataViewType)column.Type).Count;
        return (count, LabelKeyValues.FromColumn(column)?.AsText().Select(name => name.ToString()).ToArray());
    }

    private static string Describe(string[]? names) => names is null ? "without names" : string.Join(", ", names);
}

/// <summary>What <see cref="ClassifierEvaluation.Evaluate"/> found.</summary>
/// <param name="Metrics">ML.NET's multiclass metrics.</param>
/// <param name="ClassNames">The model's classes, which are the data's.</param>
/// <param name="Scored">The scored data, cached: reading its Label, Score and PredictedLabel again costs no scoring.</param>
internal sealed record ClassifierEvaluationResult(MulticlassClassificationMetrics Metrics, IReadOnlyList<string> ClassNames, IDataView Scored);
