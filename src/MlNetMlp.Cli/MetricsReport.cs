using System.Globalization;
using Microsoft.ML.Data;
using Spectre.Console;

namespace MlNetMlp.Cli;

/// <summary>Prints ML.NET multiclass metrics: summary, per-class precision/recall, confusion matrix.</summary>
internal static class MetricsReport
{
    /// <summary>
    /// Evaluates a model that was just trained and prints its metrics; the model is not saved yet, so an error
    /// (non-finite scores) says that nothing was written to <paramref name="outputPath"/>.
    /// </summary>
    public static MulticlassClassificationMetrics Evaluate(MLContext mlContext, ITransformer model, IDataView test, string outputPath)
    {
        var evaluation = ClassifierEvaluation.Evaluate(mlContext, model, test, $"The trained model (not saved to '{outputPath}')");
        Print(evaluation.Metrics, evaluation.ClassNames);
        return evaluation.Metrics;
    }

    public static void Print(MulticlassClassificationMetrics metrics, IReadOnlyList<string> classNames)
    {
        var matrix = metrics.ConfusionMatrix;
        var names = Enumerable.Range(0, matrix.NumberOfClasses).Select(i => i < classNames.Count ? classNames[i] : $"class {i}").ToArray();
        if (Terminal.IsInteractive)
        {
            var summary = new Table().Title("ML.NET multiclass metrics (test split)").AddColumn("metric").AddColumn(new TableColumn("value").RightAligned());
            summary.AddRow("micro-accuracy", F(metrics.MicroAccuracy));
            summary.AddRow("macro-accuracy", F(metrics.MacroAccuracy));
            summary.AddRow("log-loss", F(metrics.LogLoss));
            summary.AddRow("log-loss reduction", F(metrics.LogLossReduction));
            AnsiConsole.Write(summary);

            var perClass = new Table().Title("per class").AddColumn("class").AddColumn(new TableColumn("precision").RightAligned())
                .AddColumn(new TableColumn("recall").RightAligned()).AddColumn(new TableColumn("log-loss").RightAligned());
            for (int i = 0; i < names.Length; i++)
                perClass.AddRow(Markup.Escape(names[i]), F(matrix.PerClassPrecision[i]), F(matrix.PerClassRecall[i]), F(metrics.PerClassLogLoss[i]));
            AnsiConsole.Write(perClass);

            var confusion = new Table().Title("confusion matrix (rows: truth, columns: predicted)").AddColumn("truth \\ predicted");
            for (int j = 0; j < names.Length; j++) confusion.AddColumn(new TableColumn(j.ToString(CultureInfo.InvariantCulture)).RightAligned());
            for (int i = 0; i < names.Length; i++)
                confusion.AddRow([$"{i} {Markup.Escape(names[i])}", .. Enumerable.Range(0, names.Length).Select(j => matrix.Counts[i][j].ToString("0", CultureInfo.InvariantCulture))]);
            AnsiConsole.Write(confusion);
            return;
        }

        Console.WriteLine("ML.NET multiclass metrics (test split)");
        Console.WriteLine($"  micro-accuracy      {F(metrics.MicroAccuracy)}");
        Console.WriteLine($"  macro-accuracy      {F(metrics.MacroAccuracy)}");
        Console.WriteLine($"  log-loss            {F(metrics.LogLoss)}");
        Console.WriteLine($"  log-loss reduction  {F(metrics.LogLossReduction)}");
        Console.WriteLine($"  {"class",-14} {"precision",9} {"recall",9} {"log-loss",9}");
        for (int i = 0; i < names.Length; i++)
            Console.WriteLine($"  {names[i],-14} {F(matrix.PerClassPrecision[i]),9} {F(matrix.PerClassRecall[i]),9} {F(metrics.PerClassLogLoss[i]),9}");
        Console.WriteLine("confusion matrix (rows: truth, columns: predicted)");
        Console.WriteLine("  " + new string(' ', 16) + string.Concat(Enumerable.Range(0, names.Length).Select(j => $"{j,6}")));
        for (int i = 0; i < names.Length; i++)
            Console.WriteLine($"  {i,2} {names[i],-13}" + string.Concat(Enumerable.Range(0, names.Length).Select(j => $"{matrix.Counts[i][j],6:0}")));
    }

    /// <summary>Adds where training diverged (<c>--on-divergence keep-best</c> kept an earlier epoch) to a <c>--json</c> result.</summary>
    public static void AddDivergence(IDictionary<string, object?> result, TrainingDivergedException? diverged)
    {
        if (diverged is null) return;
        result["diverged_epoch"] = diverged.Epoch;
        result["diverged_batch"] = diverged.Batch;
    }

    public static Dictionary<string, object?> Json(MulticlassClassificationMetrics metrics) => new()
    {
        ["micro_accuracy"] = metrics.MicroAccuracy,
        ["macro_accuracy"] = metrics.MacroAccuracy,
        ["log_loss"] = metrics.LogLoss,
        ["log_loss_reduction"] = metrics.LogLossReduction,
        ["per_class_precision"] = metrics.ConfusionMatrix.PerClassPrecision,
        ["per_class_recall"] = metrics.ConfusionMatrix.PerClassRecall,
    };

    private static string F(double value) => value.ToString("0.0000", CultureInfo.InvariantCulture);
}
