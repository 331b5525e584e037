using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Spectre.Console;

namespace MlNetMlp.Cli.Tables;

/// <summary>
/// ML.NET's metrics of one task, as the table printed and the keys of the <c>--json</c> line: multiclass
/// <c>micro_accuracy</c>, <c>macro_accuracy</c>, <c>log_loss</c>; binary <c>auc</c>, <c>accuracy</c>,
/// <c>f1_score</c>, <c>log_loss</c>; regression <c>r_squared</c>, <c>rmse</c>, <c>mae</c>; and <c>task</c>.
/// </summary>
internal sealed record TaskMetrics(TableTask Task, IReadOnlyList<(string Key, string Label, double Value)> Values)
{
    public static TaskMetrics From(MulticlassClassificationMetrics m) => new(TableTask.Multiclass,
    [
        ("micro_accuracy", "micro-accuracy", m.MicroAccuracy),
        ("macro_accuracy", "macro-accuracy", m.MacroAccuracy),
        ("log_loss", "log-loss", m.LogLoss),
        ("log_loss_reduction", "log-loss reduction", m.LogLossReduction),
    ]);

    public static TaskMetrics From(CalibratedBinaryClassificationMetrics m) => new(TableTask.Binary,
    [
        ("auc", "AUC", m.AreaUnderRocCurve),
        ("accuracy", "accuracy", m.Accuracy),
        ("f1_score", "F1 score", m.F1Score),
        ("log_loss", "log-loss", m.LogLoss),
        ("precision", "positive precision", m.PositivePrecision),
        ("recall", "positive recall", m.PositiveRecall),
    ]);

    public static TaskMetrics From(RegressionMetrics m) => new(TableTask.Regression,
    [
        ("r_squared", "R²", m.RSquared),
        ("rmse", "RMSE", m.RootMeanSquaredError),
        ("mae", "MAE", m.MeanAbsoluteError),
    ]);

    /// <summary>The task's name in output: "multiclass", "binary", "regression".</summary>
    public static string Name(TableTask task) => task.ToString().ToLowerInvariant();

    public double this[string key] => Values.First(v => v.Key == key).Value;

    /// <summary>
    /// Scores <paramref name="data"/> once with <paramref name="model"/>, refuses non-finite scores (naming
    /// <paramref name="modelName"/>), and evaluates with ML.NET's evaluator of the task against the <c>Label</c> column
    /// the model derives from the raw label.
    /// </summary>
    /// <exception cref="InvalidDataException">A score or probability is NaN or infinite.</exception>
    public static TaskMetrics Evaluate(MLContext mlContext, TableTask task, ITransformer model, IDataView data, string modelName)
    {
        var scored = model.Transform(data);
        string[] check = task == TableTask.Binary ? [TablePipeline.ScoreColumn, TablePipeline.ProbabilityColumn] : [TablePipeline.ScoreColumn];
        scored = mlContext.Data.Cache(scored, [TablePipeline.LabelColumn, .. check]);
        RequireFinite(scored, check, modelName);
        return task switch
        {
            TableTask.Multiclass => From(mlContext.MulticlassClassification.Evaluate(scored, TablePipeline.LabelColumn)),
            TableTask.Binary => From(mlContext.BinaryClassification.Evaluate(scored, TablePipeline.LabelColumn)),
            _ => From(mlContext.Regression.Evaluate(scored, TablePipeline.LabelColumn)),
        };
    }

    /// <summary>Prints the metrics as a table (a terminal) or aligned lines, under a title naming the data.</summary>
    public void Print(string title)
    {
        if (Terminal.IsInteractive)
        {
            var table = new Table().Title(Markup.Escape(title)).AddColumn("metric").AddColumn(new TableColumn("value").RightAligned());
            foreach (var (_, label, value) in Values) table.AddRow(Markup.Escape(label), F(value));
            AnsiConsole.Write(table);
            return;
        }
        Console.WriteLine(title);
        foreach (var (_, label, value) in Values) Console.WriteLine($"  {label,-20}{F(value),10}");
    }

    /// <summary>The JSON fields: <c>task</c> and every metric.</summary>
    public Dictionary<string, object?> Json()
    {
        var json = new Dictionary<string, object?> { ["task"] = Name(Task) };
        foreach (var (key, _, value) in Values) json[key] = value;
        return json;
    }

    private static void RequireFinite(IDataView scored, string[] columns, string modelName)
    {
        foreach (var name in columns)
        {
            var column = scored.Schema[name];
            using var cursor = scored.GetRowCursor([column]);
            long row = 0;
            if (column.Type is VectorDataViewType)
            {
                var getter = cursor.GetGetter<VBuffer<float>>(column);
                var values = default(VBuffer<float>);
                while (cursor.MoveNext())
                {
                    getter(ref values);
                    ClassifierEvaluation.RequireFiniteScores(values.GetValues(), modelName, string.Create(CultureInfo.InvariantCulture, $"row {row++:N0} of the data"));
                }
            }
            else
            {
                var getter = cursor.GetGetter<float>(column);
                float value = 0;
                while (cursor.MoveNext())
                {
                    getter(ref value);
                    ClassifierEvaluation.RequireFiniteScores([value], modelName, string.Create(CultureInfo.InvariantCulture, $"row {row++:N0} of the data"));
                }
            }
        }
    }

    private static string F(double value) => value.ToString("0.0000", CultureInfo.InvariantCulture);
}
