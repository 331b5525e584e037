using System.CommandLine;
using Microsoft.ML;
using MlNetMlp.Data;

namespace MlNetMlp.Cli;

/// <summary><c>mlnetmlp evaluate model.zip</c>: ML.NET metrics of a saved model on the Fashion-MNIST test split.</summary>
internal static class EvaluateCommand
{
    public static Command Create()
    {
        var modelPath = new Argument<string>("model") { Description = "Model zip written by 'mlnetmlp train' (or mlContext.Model.Save)." };
        var data = SharedOptions.Data();
        var json = SharedOptions.Json();
        var command = new Command("evaluate", "Evaluate a saved model on the Fashion-MNIST test split.") { modelPath, data, json };
        command.SetAction(parse =>
        {
            var mlContext = new MLContext(seed: 1);
            var model = ModelFile.Load(mlContext, parse.GetValue(modelPath)!, out _);
            var test = FashionMnist.Load(mlContext, FashionMnistSplit.Test, parse.GetValue(data));
            var metrics = mlContext.MulticlassClassification.Evaluate(model.Transform(test));
            MetricsReport.Print(metrics, FashionMnist.ClassNames);
            if (parse.GetValue(json)) Terminal.JsonLine(MetricsReport.Json(metrics));
            return 0;
        });
        return command;
    }
}
