
namespace MlNetMlp.Cli;

/// <summary><c>mlnetmlp evaluate model.zip</c>: ML.NET metrics of a saved model on the Fashion-MNIST test split.</summary>
internal static class EvaluateCommand
{
    public static Command Create()
    {
        var modelPath = new Argument<string>("model") { Description = "Model zip written by 'mlnetmlp train' (or mlContext.Model.Save)." };
        var data = SharedOptions.Data();
        var json = SharedOptions.Json();
        var images = EvaluateImages.CreateOption();
        var command = new Command("evaluate", "Evaluate a saved model on the Fashion-MNIST test split, a folder of images (--images) or a labelled table (--dataset FILE).") { modelPath, data, images, json };
        var table = new Tables.TableOptions();
        foreach (var option in table.Reading) command.Add(option);
        command.SetAction(parse =>
        {
            if (parse.GetValue(table.Dataset) is not null)
            {
                foreach (var other in new Option[] { data, images })
                    if (parse.GetResult(other) is { Implicit: false }) throw new ArgumentException($"{other.Name} and --dataset name different test data: give one.", other.Name);
                return Tables.TableEvaluation.Run(parse, table, parse.GetValue(modelPath)!, parse.GetValue(json));
            }
            table.RequireDatasetFor(parse, []);
            var mlContext = new MLContext(seed: 1);
            string path = parse.GetValue(modelPath)!;
            var model = ModelFile.Load(mlContext, path, out var inputSchema);
            if (EvaluateImages.Requested(path, inputSchema, parse.GetValue(images)))
                return EvaluateImages.Run(mlContext, model, inputSchema, path, parse.GetValue(images)!, parse.GetValue(json));
            var test = FashionMnist.Load(mlContext, FashionMnistSplit.Test, parse.GetValue(data));
            // Refuses a model of other classes than the test split's, or one whose scores are not numbers, before printing anything.
            var evaluation = ClassifierEvaluation.Evaluate(mlContext, model, test, $"Model file '{path}'");
            MetricsReport.Print(evaluation.Metrics, evaluation.ClassNames);
            if (parse.GetValue(json)) Terminal.JsonLine(MetricsReport.Json(evaluation.Metrics));
            return 0;
        });
        return command;
    }
}
