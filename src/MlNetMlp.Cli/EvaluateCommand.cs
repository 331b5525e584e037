
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
        var command = new Command("evaluate", "Evaluate a saved model on the Fashion-MNIST test split, or on a folder of images (--images).") { modelPath, data, images, json };
        command.SetAction(parse =>
        {
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
