using System.CommandLine;
using System.Globalization;
using Microsoft.ML;

namespace MlNetMlp.Cli.Tables;

/// <summary><c>mlnetmlp evaluate model.zip --dataset test.csv</c>: the task's ML.NET metrics of a table model on a labelled table.</summary>
internal static class TableEvaluation
{
    public static int Run(ParseResult parse, TableOptions table, string modelPath, bool json)
    {
        string dataset = parse.GetValue(table.Dataset)!;
        char? separator = table.SeparatorOf(parse);
        bool? header = table.HeaderOf(parse);
        var mlContext = new MLContext(seed: 1);
        var model = TableModel.Load(mlContext, modelPath);
        var required = model.FeatureColumns.Append(model.LabelColumn).ToHashSet(StringComparer.Ordinal);
        var input = TableInput.Load(mlContext, dataset, "--dataset", model.InputSchema, required, separator, header);
        var labels = TableSplit.ReadLabels(input.Data, model.LabelColumn, model.Task, model.Classes);
        var data = new RowSubsetDataView(input.Data, TableSplit.Labelled(labels, model.Task));
        Terminal.Line($"{dataset}: {input.Describe()}; task {TaskMetrics.Name(model.Task)}, label '{model.LabelColumn}'");
        if (data.Count < labels.Length)
            Terminal.Line(string.Create(CultureInfo.InvariantCulture, $"{labels.Length - data.Count:N0} of {labels.Length:N0} rows have no label the model knows and are left out"));
        if (data.Count == 0) throw new InvalidDataException($"--dataset {dataset}: no row has a label the model knows ({string.Join(", ", model.Classes)}).");

        var metrics = TaskMetrics.Evaluate(mlContext, model.Task, model.Model, data, $"Model file '{modelPath}'");
        metrics.Print(string.Create(CultureInfo.InvariantCulture, $"ML.NET {TaskMetrics.Name(model.Task)} metrics ({data.Count:N0} rows of {Path.GetFileName(dataset)})"));
        if (json)
        {
            var result = metrics.Json();
            result["rows"] = data.Count;
            result["features"] = model.FeatureCount;
            result["label"] = model.LabelColumn;
            Terminal.JsonLine(result);
        }
        return 0;
    }
}
