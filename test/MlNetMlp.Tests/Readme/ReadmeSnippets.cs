using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetMlp.Data;
using MlNetMlp.Transforms;

namespace MlNetMlp.Tests.Readme;

// The README's code blocks are copied from the marked regions of this file; ReadmeTests checks
// they are identical and runs them, so the README cannot rot.
internal static class ReadmeSnippets
{
    public static (double microAccuracy, string firstPrediction) Quickstart()
    {
        // begin-snippet: quickstart
        var mlContext = new MLContext(seed: 1);
        IDataView train = FashionMnist.Load(mlContext, FashionMnistSplit.Train); // Label (key: class names), Image (28×28)
        IDataView test = FashionMnist.Load(mlContext, FashionMnistSplit.Test);

        var pipeline = mlContext.Transforms.NormalizePixels("Image", mode: PixelNormalizationMode.Standardize)
            .Append(mlContext.Transforms.FlattenImage("Features", "Image"))
            .Append(new MlpTrainer(mlContext, new MlpTrainer.Options
            {
                HiddenLayers = [256, 256],
                Activation = MlpActivation.LeakyRelu,
                Optimizer = Optimizer.Adam,
                Dropout = 0.2f,
                LearningRateSchedule = LearningRateSchedule.Cosine,
                Epochs = 5,
            }));

        var model = pipeline.Fit(train);
        var metrics = mlContext.MulticlassClassification.Evaluate(model.Transform(test));
        Console.WriteLine($"micro-accuracy {metrics.MicroAccuracy:F4}, macro {metrics.MacroAccuracy:F4}, log-loss {metrics.LogLoss:F4}");
        mlContext.Model.Save(model, train.Schema, "fashion-mlp.zip");

        // Later, in another process (no registration call needed):
        var scoringContext = new MLContext();
        ITransformer loaded = scoringContext.Model.Load("fashion-mlp.zip", out DataViewSchema inputSchema);
        var engine = scoringContext.Model.CreatePredictionEngine<FashionImage, FashionPrediction>(loaded);
        FashionImage image = scoringContext.Data.CreateEnumerable<FashionImage>(test, reuseRowObject: false).First();
        FashionPrediction prediction = engine.Predict(image);
        Console.WriteLine($"{FashionMnist.ClassNames[(int)prediction.PredictedLabel - 1]} ({prediction.Score.Max():P1})");
        // end-snippet
        return (metrics.MicroAccuracy, FashionMnist.ClassNames[(int)prediction.PredictedLabel - 1]);
    }

    public static double YourOwnData(IEnumerable<FlowerRow> rows)
    {
        var mlContext = new MLContext(seed: 1);
        // begin-snippet: own-data
        IDataView data = mlContext.Data.LoadFromEnumerable(rows); // or LoadFromTextFile<FlowerRow>("flowers.csv", ...)
        var split = mlContext.Data.TrainTestSplit(data, testFraction: 0.2);

        var pipeline = mlContext.Transforms.Conversion.MapValueToKey("Label")
            .Append(mlContext.Transforms.Concatenate("Features", "PetalLength", "PetalWidth", "SepalLength"))
            .Append(mlContext.Transforms.NormalizeMeanVariance("Features"))
            .Append(mlContext.MulticlassClassification.Trainers.Mlp(hiddenLayers: [32], epochs: 40, batchSize: 16))
            .Append(mlContext.Transforms.Conversion.MapKeyToValue("PredictedLabel"));

        var model = pipeline.Fit(split.TrainSet);
        var metrics = mlContext.MulticlassClassification.Evaluate(model.Transform(split.TestSet));
        Console.WriteLine($"micro-accuracy {metrics.MicroAccuracy:F4}");
        // end-snippet
        return metrics.MicroAccuracy;
    }
}

// begin-snippet: quickstart-types
public sealed class FashionImage
{
    [VectorType(28, 28)]
    public float[] Image { get; set; } = [];
}

public sealed class FashionPrediction
{
    public uint PredictedLabel { get; set; }   // key: 1-based index into FashionMnist.ClassNames

    public float[] Score { get; set; } = [];    // class probabilities
}
// end-snippet

public sealed class FlowerRow
{
    public string Label { get; set; } = "";

    public float PetalLength { get; set; }

    public float PetalWidth { get; set; }

    public float SepalLength { get; set; }
}
