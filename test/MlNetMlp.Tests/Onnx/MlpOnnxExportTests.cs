using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetMlp.Data;
using MlNetMlp.Transforms;

namespace MlNetMlp.Tests.Onnx;

/// <summary>
/// ONNX export through ML.NET's own <c>mlContext.Model.ConvertToOnnx</c>: the MLP and the pixel transforms export as
/// graphs ONNX Runtime scores like ML.NET (Score within 1e-5, PredictedLabel exactly), in a batch and row by row.
/// </summary>
[TestClass]
public sealed class MlpOnnxExportTests
{
    private const double Tolerance = 1e-5;

    private sealed class TableRow
    {
        [VectorType(5)] public float[] Features { get; set; } = [];
        [KeyType(3)] public uint Label { get; set; }
    }

    /// <summary>Three classes in five features of different scales (sklearn-like: NormalizeMinMax matters).</summary>
    private static TableRow[] Table(int rows, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, rows).Select(_ =>
        {
            int c = random.Next(3);
            return new TableRow
            {
                Label = (uint)c + 1,
                Features = [c * 2f + (float)random.NextDouble(), 100f * c + 50f * (float)random.NextDouble(), (float)random.NextDouble(), -c + (float)random.NextDouble(), 1000f * (float)random.NextDouble()],
            };
        }).ToArray();
    }

    private static string FashionDirectory()
    {
        string directory = FashionMnist.SystemDatasetDirectory;
        if (!File.Exists(Path.Combine(directory, "t10k-images-idx3-ubyte.gz")))
            Assert.Inconclusive($"{directory} is absent (apt-get install dataset-fashion-mnist to run this test).");
        return directory;
    }

    [TestMethod]
    [DataRow(MlpActivation.Relu)]
    [DataRow(MlpActivation.LeakyRelu)]
    [DataRow(MlpActivation.Tanh)]
    [DataRow(MlpActivation.Sigmoid)]
    [DataRow(MlpActivation.Elu)]
    [DataRow(MlpActivation.Gelu)]
    public void NormalizeMinMaxThenMlpExportsAndScoresLikeMlNet(MlpActivation activation)
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(Table(300, 1));
        var test = ml.Data.LoadFromEnumerable(Table(64, 2));
        var options = new MlpTrainer.Options { HiddenLayers = [16, 8], Activation = activation, Epochs = 5, BatchSize = 32, LearningRate = 1e-2f, LeakyReluSlope = 0.05f, EluAlpha = 0.7f };
        var model = ml.Transforms.NormalizeMinMax("Features").Append(ml.MulticlassClassification.Trainers.Mlp(options)).Fit(train);

        double max = OnnxRuntimeScoring.AssertMatchesMlNet(ml, model, test, Tolerance);
        Console.WriteLine($"{activation}: max |Score difference| {max:G3}");
    }

    [TestMethod]
    [DataRow(MlpActivation.Relu, PixelNormalizationMode.Standardize)]
    [DataRow(MlpActivation.LeakyRelu, PixelNormalizationMode.Scale)]
    [DataRow(MlpActivation.Tanh, PixelNormalizationMode.Standardize)]
    [DataRow(MlpActivation.Sigmoid, PixelNormalizationMode.Scale)]
    [DataRow(MlpActivation.Elu, PixelNormalizationMode.Standardize)]
    [DataRow(MlpActivation.Gelu, PixelNormalizationMode.Scale)]
    public void FashionMnistReadmePipelineExportsEndToEnd(MlpActivation activation, PixelNormalizationMode mode)
    {
        string directory = FashionDirectory();
        var ml = new MLContext(seed: 1);
        var train = FashionMnist.Load(ml, FashionMnistSplit.Train, directory, maxRows: 1000);
        var test = FashionMnist.Load(ml, FashionMnistSplit.Test, directory, maxRows: 200);
        var pipeline = ml.Transforms.NormalizePixels("Image", mode: mode)
            .Append(ml.Transforms.FlattenImage("Features", "Image"))
            .Append(ml.MulticlassClassification.Trainers.Mlp(new MlpTrainer.Options { HiddenLayers = [64, 32], Activation = activation, Epochs = 2 }));
        var model = pipeline.Fit(train);

        double max = OnnxRuntimeScoring.AssertMatchesMlNet(ml, model, test, Tolerance);
        Console.WriteLine($"{activation}/{mode}: max |Score difference| {max:G3}");
    }

    [TestMethod]
    public void PixelTransformsAloneExportExactly()
    {
        string directory = FashionDirectory();
        var ml = new MLContext(seed: 1);
        var data = FashionMnist.Load(ml, FashionMnistSplit.Test, directory, maxRows: 50);
        var model = ml.Transforms.NormalizePixels("Image", mode: PixelNormalizationMode.Standardize)
            .Append(ml.Transforms.FlattenImage("Features", "Image")).Fit(data);
        using var stream = new MemoryStream();
        ml.Model.ConvertToOnnx(model, data, stream);
        using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(stream.ToArray());
        Assert.IsFalse(session.InputMetadata.ContainsKey("Features"), "Features is computed by the graph");

        var pixels = data.GetColumn<float[]>("Image").SelectMany(v => v).ToArray();
        var dims = session.InputMetadata["Image"].Dimensions.Select(d => d < 0 ? 50 : d).ToArray();
        var labels = data.GetColumn<uint>("Label").ToArray();
        var inputs = new List<Microsoft.ML.OnnxRuntime.NamedOnnxValue>
        {
            Microsoft.ML.OnnxRuntime.NamedOnnxValue.CreateFromTensor("Image", new Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>(pixels, dims)),
            Microsoft.ML.OnnxRuntime.NamedOnnxValue.CreateFromTensor("Label", new Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<uint>(labels, [50, 1])),
        };
        using var results = session.Run(inputs);
        var features = results.Single(r => r.Name == "Features.output").AsTensor<float>();
        CollectionAssert.AreEqual(new[] { 50, 784 }, features.Dimensions.ToArray());
        var expected = model.Transform(data).GetColumn<float[]>("Features").SelectMany(v => v).ToArray();
        CollectionAssert.AreEqual(expected, features.ToArray(), "the same float operations give the same values");
    }
    [TestMethod]
    public void OutputsHaveTheNamesTypesAndShapesOfMlNetsOwnMulticlassTrainers()
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(Table(200, 1));
        var normalize = ml.Transforms.NormalizeMinMax("Features");
        var ours = normalize.Append(ml.MulticlassClassification.Trainers.Mlp(new MlpTrainer.Options { HiddenLayers = [8], Epochs = 1 })).Fit(train);
        var theirs = normalize.Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy()).Fit(train);

        using var ourSession = new Microsoft.ML.OnnxRuntime.InferenceSession(OnnxRuntimeScoring.Export(ml, ours, train));
        using var theirSession = new Microsoft.ML.OnnxRuntime.InferenceSession(OnnxRuntimeScoring.Export(ml, theirs, train));
        static string Describe(IReadOnlyDictionary<string, Microsoft.ML.OnnxRuntime.NodeMetadata> metadata) =>
            string.Join("; ", metadata.OrderBy(m => m.Key, StringComparer.Ordinal)
                .Select(m => $"{m.Key}: {m.Value.ElementType.Name}[{string.Join(",", m.Value.Dimensions)}]"));
        Assert.AreEqual(Describe(theirSession.InputMetadata), Describe(ourSession.InputMetadata));
        Assert.AreEqual(Describe(theirSession.OutputMetadata), Describe(ourSession.OutputMetadata));
    }
    [TestMethod]
    public void FashionMnistCnnExportsAndScoresLikeMlNet()
    {
        string directory = FashionDirectory();
        var ml = new MLContext(seed: 1);
        var train = FashionMnist.Load(ml, FashionMnistSplit.Train, directory, maxRows: 512);
        var test = FashionMnist.Load(ml, FashionMnistSplit.Test, directory, maxRows: 100);
        // Conv, BatchNormalization (running statistics), MaxPool, Relu, Dropout (identity), Flatten, Gemm; padding and stride too.
        var options = Cnn.CnnTrainerTests.SmallOptions(epochs: 1);
        options.Layers = "conv8k3s1p1,bn,relu,pool,conv16k3s2p1,relu,pool3s2p1,flatten,dense32,bn,relu,drop0.25";
        var model = ml.MulticlassClassification.Trainers.Cnn(options).Fit(train);

        double max = OnnxRuntimeScoring.AssertMatchesMlNet(ml, model, test, Tolerance);
        Console.WriteLine($"CNN: max |Score difference| {max:G3}");
    }
    [TestMethod]
    public void MlpOnAnImageShapedColumnExports()
    {
        // Mlp reads any known-size float vector; ML.NET declares a 28×28 column as an [N, 28, 28] ONNX input.
        string directory = FashionDirectory();
        var ml = new MLContext(seed: 1);
        var train = FashionMnist.Load(ml, FashionMnistSplit.Train, directory, maxRows: 500);
        var test = FashionMnist.Load(ml, FashionMnistSplit.Test, directory, maxRows: 50);
        var model = ml.Transforms.NormalizePixels("Image")
            .Append(ml.MulticlassClassification.Trainers.Mlp(new MlpTrainer.Options { FeatureColumnName = "Image", HiddenLayers = [16], Epochs = 1 }))
            .Fit(train);

        double max = OnnxRuntimeScoring.AssertMatchesMlNet(ml, model, test, Tolerance);
        Console.WriteLine($"Image-shaped features: max |Score difference| {max:G3}");
    }
    private sealed class ColorRow
    {
        [VectorType(3, 8, 8)] public float[] Image { get; set; } = [];
        [KeyType(3)] public uint Label { get; set; }
    }

    [TestMethod]
    public void ThreeChannelCnnExportsAndScoresLikeMlNet()
    {
        // Rows are CHW (3 channels, inferred from the column's dimensions): the NCHW Reshape must read them as the engine does (it moves them to NHWC itself).
        var random = new Random(3);
        ColorRow Make()
        {
            int c = random.Next(3);
            var image = new float[3 * 8 * 8];
            for (int i = 0; i < image.Length; i++) image[i] = random.Next(50) + (i / 64 == c ? 150 : 0);
            return new ColorRow { Image = image, Label = (uint)c + 1 };
        }
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 300).Select(_ => Make()).ToArray());
        var test = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 40).Select(_ => Make()).ToArray());
        var options = Cnn.CnnTrainerTests.SmallOptions(epochs: 2);
        options.Layers = "conv4,bn,relu,pool,flatten,dense8,relu";
        var model = ml.MulticlassClassification.Trainers.Cnn(options).Fit(train);

        double max = OnnxRuntimeScoring.AssertMatchesMlNet(ml, model, test, Tolerance);
        Console.WriteLine($"3-channel CNN: max |Score difference| {max:G3}");
    }
}
