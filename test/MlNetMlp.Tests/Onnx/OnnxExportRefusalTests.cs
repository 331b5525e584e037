using Microsoft.ML;
using MlNetMlp.Data;
using MlNetMlp.Tests.Cnn;
using MlNetMlp.Transforms;

namespace MlNetMlp.Tests.Onnx;

/// <summary>
/// A pipeline element without an ONNX form makes ConvertToOnnx fail naming it. ML.NET's exporter, on its own, ends
/// its walk back at any view it cannot export and turns that view's columns (Score, PredictedLabel) into graph
/// inputs: a model file that loads and scores garbage.
/// </summary>
[TestClass]
public sealed class OnnxExportRefusalTests
{
    [TestMethod]
    public void CnnInAPipelineMakesConvertToOnnxFailNamingIt()
    {
        string directory = FashionMnist.SystemDatasetDirectory;
        if (!File.Exists(Path.Combine(directory, "t10k-images-idx3-ubyte.gz")))
            Assert.Inconclusive($"{directory} is absent (apt-get install dataset-fashion-mnist to run this test).");
        var ml = new MLContext(seed: 1);
        var data = FashionMnist.Load(ml, FashionMnistSplit.Test, directory, maxRows: 128);
        // An exportable step before and an ML.NET step after the CNN: the walk must not pass through it either way.
        var model = ml.Transforms.NormalizePixels("Image", mode: PixelNormalizationMode.Scale)
            .Append(ml.MulticlassClassification.Trainers.Cnn(CnnTrainerTests.SmallOptions(epochs: 1)))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedName", "PredictedLabel"))
            .Fit(data);

        using var stream = new MemoryStream();
        var e = Assert.ThrowsExactly<NotSupportedException>(() => ml.Model.ConvertToOnnx(model, data, stream));
        StringAssert.Contains(e.Message, "CnnPredictionTransformer");
        StringAssert.Contains(e.Message, "ONNX");
    }
}
