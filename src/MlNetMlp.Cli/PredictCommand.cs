using System.Globalization;
using Microsoft.ML.Data;

namespace MlNetMlp.Cli;

/// <summary><c>mlnetmlp predict model.zip (image.png | test-index)</c>: classify one image.</summary>
internal static class PredictCommand
{
    public sealed class ImageInput
    {
        [VectorType(FashionMnist.ImageHeight, FashionMnist.ImageWidth)]
        public float[] Image { get; set; } = [];
    }

    public sealed class ImagePrediction
    {
        public float[] Score { get; set; } = [];
    }

    public static Command Create()
    {
        var modelPath = new Argument<string>("model") { Description = "Model zip written by 'mlnetmlp train'." };
        var input = new Argument<string?>("input") { Description = "An image file (JPEG, PNG, BMP, GIF or WebP, up to 4096×4096; resized to the model's input), or the index of a Fashion-MNIST test image.", Arity = ArgumentArity.ZeroOrOne };
        var invert = new Option<bool?>("--invert") { Description = "Invert the image (Fashion-MNIST is light-on-dark); default: auto-detect dark-on-light images." };
        var data = SharedOptions.Data();
        var json = SharedOptions.Json();
        var command = new Command("predict", "Classify one image with a saved model (or predict every row of a table: --dataset FILE [--output FILE]).") { modelPath, input, invert, data, json };
        var table = new Tables.TableOptions();
        var output = new Option<string?>("--output") { Description = "With --dataset: where to write the rows with their predictions (CSV/TSV, atomically); - or none: stdout." };
        foreach (var option in table.Reading.Append(output)) command.Add(option);
        command.SetAction(parse =>
        {
            if (parse.GetValue(table.Dataset) is not null)
            {
                foreach (var imageOnly in new Option[] { invert, data })
                    if (parse.GetResult(imageOnly) is { Implicit: false }) throw new ArgumentException($"{imageOnly.Name} applies to images, not to a --dataset table.", imageOnly.Name);
                if (parse.GetValue(input) is string given) throw new ArgumentException($"predict takes an image or --dataset FILE, not both ('{given}').", "input");
                return Tables.TablePrediction.Run(parse, table, parse.GetValue(modelPath)!, parse.GetValue(output), parse.GetValue(json));
            }
            table.RequireDatasetFor(parse, [output]);
            if (parse.GetValue(input) is null) throw new ArgumentException("predict needs what to classify: an image file, a Fashion-MNIST test index, or --dataset FILE.", "input");
            var mlContext = new MLContext(seed: 1);
            string path = parse.GetValue(modelPath)!;
            var model = ModelFile.Load(mlContext, path, out var inputSchema);
            string source = parse.GetValue(input)!;
            if (ImageModel.ReadsImagePaths(inputSchema))
                return PredictImagePath.Run(mlContext, model, inputSchema, path, source, parse.GetValue(invert), parse.GetValue(json));
            var (pixels, truth) = ReadInput(source, parse.GetValue(invert), parse.GetValue(data));

            var engine = mlContext.Model.CreatePredictionEngine<ImageInput, ImagePrediction>(model);
            var scores = engine.Predict(new ImageInput { Image = pixels }).Score;
            ClassifierEvaluation.RequireFiniteScores(scores, $"Model file '{path}'", $"input '{source}'");
            // The prediction is named by the model's own classes; the true label of a test image by Fashion-MNIST's.
            var names = ClassNames(engine.OutputSchema, scores.Length);
            string? trueLabel = truth is int t ? FashionMnist.ClassNames[t] : null;
            var ranked = Enumerable.Range(0, scores.Length).OrderByDescending(i => scores[i]).ToArray();

            Terminal.Line($"{source}: {names[ranked[0]]} ({scores[ranked[0]]:P1})" + (trueLabel != null ? $"; true label: {trueLabel}" : ""));
            foreach (var i in ranked.Take(3))
                Terminal.Line(string.Create(CultureInfo.InvariantCulture, $"  {names[i],-12} {scores[i]:F4}"));
            if (parse.GetValue(json))
            {
                Terminal.JsonLine(new Dictionary<string, object?>
                {
                    ["input"] = source,
                    ["predicted_index"] = ranked[0],
                    ["predicted_label"] = names[ranked[0]],
                    ["probability"] = scores[ranked[0]],
                    ["true_label"] = trueLabel,
                    ["scores"] = scores,
                });
            }
            return 0;
        });
        return command;
    }

    private static (float[] pixels, int? truth) ReadInput(string source, bool? invert, string? dataDirectory)
    {
        if (int.TryParse(source, NumberStyles.None, CultureInfo.InvariantCulture, out int index))
        {
            var test = FashionMnist.LoadArrays(FashionMnistSplit.Test, dataDirectory);
            if (index >= test.Count)
                throw new ArgumentOutOfRangeException("input", index, $"Test index {index} is out of range: the test split has {test.Count} images (0..{test.Count - 1}).");
            var pixels = new float[test.ImageSize];
            for (int i = 0; i < pixels.Length; i++) pixels[i] = test.Pixels[index * test.ImageSize + i];
            return (pixels, test.Labels[index]);
        }
        if (!File.Exists(source))
            throw new FileNotFoundException($"'{source}' is neither a test index nor an existing image file.", source);
        var image = DecodedImage.Load(source);
        bool shouldInvert = invert ?? image.LooksDarkOnLight();
        return (image.ToLightOnBlack(FashionMnist.ImageWidth, FashionMnist.ImageHeight, shouldInvert), null);
    }

    private static string[] ClassNames(DataViewSchema schema, int count)
    {
        var score = schema["Score"];
        if (score.HasSlotNames())
        {
            var names = default(VBuffer<ReadOnlyMemory<char>>);
            score.GetSlotNames(ref names);
            return names.DenseValues().Select(n => n.ToString()).ToArray();
        }
        return Enumerable.Range(0, count).Select(i => $"class {i}").ToArray();
    }
}
