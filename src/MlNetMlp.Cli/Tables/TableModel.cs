using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetMlp.Cli.Tables;

/// <summary>
/// A saved table model read back from its file alone: the task (from the columns it appends), the raw label column
/// (the input its <c>Label</c> step reads), the raw columns its features need, and its classes. Everything is found
/// by asking the model's own transformers for their output schemas, so any model that <c>train --dataset</c> wrote
/// (or an ML.NET pipeline of the same shape) is understood without a side file.
/// </summary>
internal sealed record TableModel(ITransformer Model, DataViewSchema InputSchema, TableTask Task, string LabelColumn, IReadOnlyList<string> Classes,
    string? PositiveClass, IReadOnlySet<string> FeatureColumns, int FeatureCount)
{
    /// <summary>Loads <paramref name="path"/> (<see cref="ModelFile.Load"/>) and reads what it is.</summary>
    /// <exception cref="InvalidDataException">The file is not a model, or not one trained on a table.</exception>
    public static TableModel Load(MLContext mlContext, string path)
    {
        var model = ModelFile.Load(mlContext, path, out var inputSchema);
        return Analyze(mlContext, model, inputSchema, $"Model file '{path}'");
    }

    /// <summary>Reads what <paramref name="model"/> is; <paramref name="modelName"/> names it in errors.</summary>
    public static TableModel Analyze(MLContext mlContext, ITransformer model, DataViewSchema inputSchema, string modelName)
    {
        string notTable = $"{modelName} was not trained on a table (train --dataset)";
        var output = model.GetOutputSchema(inputSchema);
        var score = output.GetColumnOrNull(TablePipeline.ScoreColumn);
        TableTask task = score?.Type switch
        {
            null => throw new InvalidDataException($"{notTable}: it adds no Score column."),
            _ when output.GetColumnOrNull(TablePipeline.ProbabilityColumn) is not null => TableTask.Binary,
            VectorDataViewType => TableTask.Multiclass,
            _ => TableTask.Regression,
        };
        if (model is not IEnumerable<ITransformer> chain) throw new InvalidDataException($"{notTable}: it is a single transformer, not a pipeline.");

        // The step that makes the Label column, and the raw column it reads.
        var schema = inputSchema;
        string? label = null;
        foreach (var step in chain)
        {
            var next = step.GetOutputSchema(schema);
            if (next.GetColumnOrNull(TablePipeline.LabelColumn) is { } made
                && schema.GetColumnOrNull(TablePipeline.LabelColumn)?.Index != made.Index)
            {
                label = inputSchema.Where(c => !c.IsHidden && schema.GetColumnOrNull(c.Name) is { } kept && kept.Index == c.Index)
                    .Select(c => c.Name).FirstOrDefault(name => Fails(() => step.GetOutputSchema(Without(schema, name))));
                break;
            }
            schema = next;
        }
        if (label is null) throw new InvalidDataException($"{notTable}: no step of it derives the Label column from a raw column.");

        // The raw columns it cannot score without.
        var features = inputSchema.Where(c => !c.IsHidden && c.Name != label)
            .Select(c => c.Name).Where(name => Fails(() => model.GetOutputSchema(Without(inputSchema, name)))).ToHashSet(StringComparer.Ordinal);
        int featureCount = output.GetColumnOrNull(TablePipeline.FeaturesColumn)?.Type is VectorDataViewType { Size: > 0 } vector ? vector.Size : 0;

        IReadOnlyList<string> classes = [];
        string? positive = null;
        if (task == TableTask.Multiclass)
        {
            classes = score!.Value.HasSlotNames() ? SlotNames(score.Value) : Enumerable.Range(0, ((VectorDataViewType)score.Value.Type).Size).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();
        }
        else if (task == TableTask.Binary)
        {
            // The last step maps the Boolean prediction back to the label's values: ask it what true and false become.
            var last = chain.Last();
            var probe = mlContext.Data.LoadFromEnumerable(new[] { new BooleanPrediction { PredictedLabel = true }, new BooleanPrediction { PredictedLabel = false } });
            var mapped = last.Transform(probe);
            var column = mapped.Schema[TablePipeline.PredictedLabelColumn];
            if (column.Type is not TextDataViewType) throw new InvalidDataException($"{notTable}: its binary prediction is not mapped back to the label's values.");
            var values = mapped.GetColumn<ReadOnlyMemory<char>>(column).Select(v => v.ToString()).ToArray();
            positive = values[0];
            classes = [values[1], values[0]];
        }
        return new TableModel(model, inputSchema, task, label, classes, positive, features, featureCount);
    }

    private static string[] SlotNames(DataViewSchema.Column column)
    {
        var names = default(VBuffer<ReadOnlyMemory<char>>);
        column.GetSlotNames(ref names);
        return names.DenseValues().Select(n => n.ToString()).ToArray();
    }

    private static bool Fails(Action action)
    {
        try
        {
            action();
            return false;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or KeyNotFoundException)
        {
            return true;
        }
    }

    /// <summary><paramref name="schema"/> without the columns named <paramref name="name"/> (hidden ones too).</summary>
    private static DataViewSchema Without(DataViewSchema schema, string name)
    {
        var builder = new DataViewSchema.Builder();
        foreach (var column in schema)
            if (column.Name != name) builder.AddColumn(column.Name, column.Type, column.Annotations);
        return builder.ToSchema();
    }

    private sealed class BooleanPrediction
    {
        public bool PredictedLabel { get; set; }
    }
}
