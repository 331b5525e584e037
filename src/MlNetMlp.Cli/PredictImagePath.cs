using System.Globalization;
using Microsoft.ML.Data;

namespace MlNetMlp.Cli;

/// <summary><c>mlnetmlp predict model.zip photo.jpg</c> for a <c>train --images</c> model, which reads the image file itself.</summary>
internal static class PredictImagePath
{
    public static int Run(MLContext mlContext, ITransformer model, DataViewSchema inputSchema, string modelPath, string source, bool? invert, bool json)
    {
        if (invert is not null)
            throw new ArgumentOutOfRangeException("--invert", $"--invert applies to Fashion-MNIST models; model file '{modelPath}' reads image files as they are (it was trained with --images).");
        if (!File.Exists(source))
            throw new FileNotFoundException($"{source}: image file not found (model file '{modelPath}' scores image files).", source);
        DecodedImage.ReadSize(source); // a file that is not an image, or too large, is refused by name before scoring
        DecodedImage.Load(source);

        var scoring = ImageModel.Scoring(model);
        var names = ImageModel.ClassNames(scoring, inputSchema);
        var scored = scoring.Transform(ImageModel.Data(mlContext, [(source, "")]));
        var scores = scored.GetColumn<VBuffer<float>>("Score").Single().DenseValues().ToArray();
        ClassifierEvaluation.RequireFiniteScores(scores, $"Model file '{modelPath}'", $"input '{source}'");
        var ranked = Enumerable.Range(0, scores.Length).OrderByDescending(i => scores[i]).ToArray();

        Terminal.Line($"{source}: {names[ranked[0]]} ({scores[ranked[0]]:P1})");
        foreach (var i in ranked.Take(3))
            Terminal.Line(string.Create(CultureInfo.InvariantCulture, $"  {names[i],-12} {scores[i]:F4}"));
        if (json)
        {
            Terminal.JsonLine(new Dictionary<string, object?>
            {
                ["input"] = source,
                ["predicted_index"] = ranked[0],
                ["predicted_label"] = names[ranked[0]],
                ["probability"] = scores[ranked[0]],
                ["true_label"] = null,
                ["scores"] = scores,
            });
        }
        return 0;
    }
}
