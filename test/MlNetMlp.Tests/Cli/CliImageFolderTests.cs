using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetMlp.Data;
using MlNetMlp.Tests.Data;
using SkiaSharp;
using static MlNetMlp.Tests.Cli.CliTests;

namespace MlNetMlp.Tests.Cli;

/// <summary>
/// <c>mlnetmlp train --images DIR</c> as a user runs it: a folder of JPEGs (Fashion-MNIST images written at 64×64 RGB by
/// SkiaSharp) trains the MLP and the CNN; the saved model is evaluated and used by <c>evaluate --images</c> and
/// <c>predict photo.jpg</c>, and loaded by this process as an ML.NET model that scores image paths. Bad folders and
/// options stop with one error line before training.
/// </summary>
[TestClass]
public sealed class CliImageFolderTests
{
    private static TempDirectory _temp = null!;
    private static string _train = null!, _test = null!;

    [ClassInitialize]
    public static void WriteJpegFolders(TestContext _)
    {
        _temp = new TempDirectory();
        if (!HaveData) return;
        _train = _temp.Sub("train");
        _test = _temp.Sub("test");
        var train = FashionMnist.LoadArrays(FashionMnistSplit.Train, maxRows: 1000);
        var test = FashionMnist.LoadArrays(FashionMnistSplit.Test, maxRows: 300);
        WriteJpegs(train, _train);
        WriteJpegs(test, _test);
    }

    [ClassCleanup]
    public static void DeleteFolders() => _temp.Dispose();

    /// <summary>Each image upscaled to 64×64 and tinted (red full, green 0.8, blue 0.6), as a JPEG in its class folder.</summary>
    private static void WriteJpegs(LabeledImages images, string root)
    {
        Parallel.For(0, images.Count, i =>
        {
            var gray = TestImages.EncodeGray8(images.Pixels.AsSpan(i * 784, 784), 28, 28);
            using var small = SKBitmap.Decode(gray);
            using var large = small.Resize(new SKImageInfo(64, 64, SKColorType.Rgba8888, SKAlphaType.Unpremul), new SKSamplingOptions(SKFilterMode.Linear));
            var rgba = new byte[64 * 64 * 4];
            for (int p = 0; p < 64 * 64; p++)
            {
                byte v = large.GetPixel(p % 64, p / 64).Red;
                (rgba[4 * p], rgba[4 * p + 1], rgba[4 * p + 2], rgba[4 * p + 3]) = (v, (byte)(v * 0.8), (byte)(v * 0.6), 255);
            }
            string folder = Path.Combine(root, images.ClassNames[images.Labels[i]].Replace('/', '_'));
            Directory.CreateDirectory(folder);
            File.WriteAllBytes(Path.Combine(folder, $"{i:D4}.jpg"), TestImages.EncodeRgba(rgba, 64, 64, SKEncodedImageFormat.Jpeg, quality: 90));
        });
    }


    /// <summary>What a program that scores the saved model passes in and gets back.</summary>
    public sealed class ImageInput
    {
        public string ImagePath { get; set; } = "";

        public string Label { get; set; } = "";
    }

    public sealed class ImageOutput
    {
        public string PredictedLabel { get; set; } = "";

        public float[] Score { get; set; } = [];
    }

    [TestMethod]
    public void AJpegFolderAt64x64RgbTrainsTheMlpAndTheModelScoresImagePaths()
    {
        if (!HaveData) Assert.Inconclusive("Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist).");
        string model = Path.Combine(_temp.Path, "images-mlp.zip");
        var run = RunWithin(240, "train", "--images", _train, "--test-images", _test, "--image-size", "64", "--color",
            "--hidden", "256", "--epochs", "5", "--out", model, "--json");
        Assert.AreEqual(0, run.exitCode, run.stderr);
        var result = LastJson(run.stdout);
        double accuracy = result.GetProperty("micro_accuracy").GetDouble();
        Console.WriteLine($"MLP on 1,000 JPEGs at 64×64 RGB, 5 epochs: test micro-accuracy {accuracy:F4} in {result.GetProperty("train_seconds").GetDouble()} s");
        Assert.IsGreaterThanOrEqualTo(0.6, accuracy, "clearly better than chance (0.1)");
        Assert.AreEqual("multiclass", result.GetProperty("task").GetString());
        Assert.AreEqual(1000, result.GetProperty("rows").GetInt32());
        Assert.AreEqual(300, result.GetProperty("test_rows").GetInt32());
        Assert.AreEqual(3 * 64 * 64, result.GetProperty("features").GetInt32());
        foreach (var metric in new[] { "macro_accuracy", "log_loss", "train_seconds" })
            Assert.IsTrue(result.TryGetProperty(metric, out _), metric);

        // evaluate --images scores the same test folder to the same metrics.
        var evaluate = Run("evaluate", model, "--images", _test, "--json");
        Assert.AreEqual(0, evaluate.exitCode, evaluate.stderr);
        Assert.AreEqual(accuracy, LastJson(evaluate.stdout).GetProperty("micro_accuracy").GetDouble(), 1e-12);

        // predict names the class; this process loads the model with ML.NET alone and scores the same path the same way.
        string photo = Directory.GetFiles(Path.Combine(_test, "Trouser")).Order(StringComparer.Ordinal).First();
        var predict = Run("predict", model, photo, "--json");
        Assert.AreEqual(0, predict.exitCode, predict.stderr);
        var predicted = LastJson(predict.stdout);

        var mlContext = new MLContext();
        var loaded = mlContext.Model.Load(model, out var inputSchema);
        Assert.AreEqual(TextDataViewType.Instance, inputSchema["ImagePath"].Type);
        var engine = mlContext.Model.CreatePredictionEngine<ImageInput, ImageOutput>(loaded);
        var output = engine.Predict(new ImageInput { ImagePath = photo });
        Assert.AreEqual(predicted.GetProperty("predicted_label").GetString(), output.PredictedLabel);
        Assert.AreEqual(predicted.GetProperty("probability").GetSingle(), output.Score.Max(), 1e-6f);
        CollectionAssert.Contains(new[] { "Trouser", "Dress", "Coat", "Pullover", "Shirt", "T-shirt_top", "Bag", "Sandal", "Sneaker", "Ankle boot" }, output.PredictedLabel);
    }

    [TestMethod]
    public void TheSameJpegFolderTrainsTheCnn()
    {
        if (!HaveData) Assert.Inconclusive("Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist).");
        string model = Path.Combine(_temp.Path, "images-cnn.zip");
        var run = RunWithin(300, "train", "--model", "cnn", "--images", _train, "--test-images", _test, "--image-size", "64", "--color",
            "--layers", "conv16,relu,pool,conv32,relu,pool,flatten,dense64,relu", "--batch-size", "50", "--epochs", "4", "--out", model, "--json");
        Assert.AreEqual(0, run.exitCode, run.stderr);
        var result = LastJson(run.stdout);
        double accuracy = result.GetProperty("micro_accuracy").GetDouble();
        Console.WriteLine($"CNN on 1,000 JPEGs at 64×64 RGB, 4 epochs: test micro-accuracy {accuracy:F4} in {result.GetProperty("train_seconds").GetDouble()} s");
        Assert.IsGreaterThanOrEqualTo(0.6, accuracy, "clearly better than chance (0.1)");
        Assert.AreEqual("cnn", result.GetProperty("model_kind").GetString());
        Assert.AreEqual(3 * 64 * 64, result.GetProperty("features").GetInt32());

        string photo = Directory.GetFiles(Path.Combine(_test, "Bag")).Order(StringComparer.Ordinal).First();
        var predict = Run("predict", model, photo, "--json");
        Assert.AreEqual(0, predict.exitCode, predict.stderr);
        Assert.IsFalse(string.IsNullOrEmpty(LastJson(predict.stdout).GetProperty("predicted_label").GetString()));
    }

    /// <summary>A small grayscale folder of every format: two classes told apart by brightness, eight images each.</summary>
    private static string MixedFormatFolder(string name)
    {
        string root = _temp.Sub(name);
        string[] formats = ["halves.jpg", "halves.png", "halves.bmp", "halves.gif", "halves.webp"];
        for (int i = 0; i < 8; i++)
        {
            byte dark = (byte)(20 + i), light = (byte)(220 - i);
            TestImages.SaveGray8(Path.Combine(root, "dark", $"{i}.png"), Enumerable.Repeat(dark, 16 * 16).ToArray(), 16, 16);
            TestImages.SaveGray8(Path.Combine(root, "light", $"{i}.jpg"), Enumerable.Repeat(light, 16 * 16).ToArray(), 16, 16, SKEncodedImageFormat.Jpeg);
        }
        foreach (var format in formats)
            File.Copy(TestImages.Fixture(format), Path.Combine(root, "light", "fixture-" + format));
        return root;
    }

    [TestMethod]
    public void TestFractionHoldsOutAStratifiedSeededShareOfEveryFormat()
    {
        string root = MixedFormatFolder("mixed");
        string model = Path.Combine(_temp.Path, "mixed.zip");
        var run = Run("train", "--images", root, "--test-fraction", "0.25", "--image-size", "8", "--hidden", "8", "--epochs", "3",
            "--batch-size", "4", "--out", model, "--json");
        Assert.AreEqual(0, run.exitCode, run.stderr);
        var result = LastJson(run.stdout);
        // dark: 8 images → 2 held out; light: 13 (8 + the 5 fixtures) → 3.
        Assert.AreEqual(16, result.GetProperty("rows").GetInt32());
        Assert.AreEqual(5, result.GetProperty("test_rows").GetInt32());
        Assert.AreEqual(64, result.GetProperty("features").GetInt32(), "grayscale by default: one plane of 8×8");
        CollectionAssert.AreEqual(new[] { "dark", "light" }, result.GetProperty("classes").EnumerateArray().Select(c => c.GetString()).ToArray());
        StringAssert.Contains(run.stdout, "16 training and 5 test images, all readable");

        var again = Run("train", "--images", root, "--test-fraction", "0.25", "--image-size", "8", "--hidden", "8", "--epochs", "3",
            "--batch-size", "4", "--out", model, "--json");
        Assert.AreEqual(result.GetProperty("log_loss").GetDouble(), LastJson(again.stdout).GetProperty("log_loss").GetDouble(), 0,
            "the same seed gives the same split and the same model");
    }

    [TestMethod]
    public void ACorruptImageStopsTrainingBeforeItStartsNamingTheFile()
    {
        string root = MixedFormatFolder("corrupt");
        string bad = Path.Combine(root, "dark", "zz-broken.jpg");
        File.WriteAllText(bad, "<html>404</html>");
        string model = Path.Combine(_temp.Path, "never.zip");
        var run = Run("train", "--images", root, "--image-size", "8", "--epochs", "1", "--out", model);
        AssertOneLineError(run, bad, "not an image in a supported format");
        Assert.IsFalse(run.stdout.Contains("epoch 1"), "nothing was trained");
        Assert.IsFalse(File.Exists(model));

        string truncated = Path.Combine(root, "dark", "zz-broken.jpg");
        var noise = new byte[32 * 32];
        new Random(1).NextBytes(noise);
        var jpeg = TestImages.EncodeGray8(noise, 32, 32, SKEncodedImageFormat.Jpeg);
        File.WriteAllBytes(truncated, jpeg[..(jpeg.Length / 2)]);
        AssertOneLineError(Run("train", "--images", root, "--image-size", "8", "--epochs", "1", "--out", model), truncated, "truncated");
    }

    [TestMethod]
    public void ImageOptionsAreCheckedBeforeAnyImageIsRead()
    {
        string root = MixedFormatFolder("options");
        AssertOneLineError(Run("train", "--test-fraction", "0.3"), "--test-fraction", "--images");
        AssertOneLineError(Run("train", "--color"), "--color", "--images");
        AssertOneLineError(Run("train", "--images", root, "--image-size", "0"), "--image-size 0");
        AssertOneLineError(Run("train", "--images", root, "--test-fraction", "1"), "--test-fraction 1");
        AssertOneLineError(Run("train", "--images", root, "--test-images", root, "--test-fraction", "0.3"), "--test-fraction", "--test-images");
        AssertOneLineError(Run("train", "--images", root, "--train-rows", "10"), "--train-rows", "Fashion-MNIST");
        AssertOneLineError(Run("train", "--images", Path.Combine(root, "missing")), Path.Combine(root, "missing"), "not found");

        string other = _temp.Sub("other-classes");
        TestImages.SaveGray8(Path.Combine(other, "Hat", "a.png"), new byte[64], 8, 8);
        AssertOneLineError(Run("train", "--images", root, "--test-images", other, "--image-size", "8", "--epochs", "1"),
            Path.Combine(other, "Hat"), "matches none of the class names (dark, light)");
    }

    [TestMethod]
    public void EvaluateAndPredictRefuseTheOtherKindOfInput()
    {
        string root = MixedFormatFolder("kinds");
        string model = Path.Combine(_temp.Path, "kinds.zip");
        Assert.AreEqual(0, Run("train", "--images", root, "--image-size", "8", "--hidden", "8", "--epochs", "1", "--out", model).exitCode);
        AssertOneLineError(Run("evaluate", model), "--images DIR", model);
        AssertOneLineError(Run("predict", model, "0"), "0: image file not found");
        AssertOneLineError(Run("predict", model, TestImages.Fixture("halves.png"), "--invert", "true"), "--invert");
        string text = Path.Combine(_temp.Path, "notes.webp");
        File.WriteAllText(text, "hello");
        AssertOneLineError(Run("predict", model, text), text, "not an image in a supported format");

        var gif = Run("predict", model, TestImages.Fixture("halves.gif"), "--json");
        Assert.AreEqual(0, gif.exitCode, gif.stderr);
    }

    [TestMethod]
    public void PredictOnAFashionMnistModelReadsEveryFormat()
    {
        if (!HaveData) Assert.Inconclusive("Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist).");
        string model = Path.Combine(_temp.Path, "fashion.zip");
        Assert.AreEqual(0, Run("train", "--train-rows", "2000", "--hidden", "32", "--epochs", "2", "--out", model).exitCode);
        var byIndex = LastJson(Run("predict", model, "0", "--json").stdout);

        var first = FashionMnist.LoadArrays(FashionMnistSplit.Test, maxRows: 1);
        foreach (var (format, name) in new[] { (SKEncodedImageFormat.Png, "first.png"), (SKEncodedImageFormat.Webp, "first.webp"), (SKEncodedImageFormat.Jpeg, "first.jpg") })
        {
            string path = Path.Combine(_temp.Path, name);
            File.WriteAllBytes(path, format == SKEncodedImageFormat.Webp
                ? LosslessWebp(first.Pixels.AsSpan(0, 784))
                : TestImages.EncodeGray8(first.Pixels.AsSpan(0, 784), 28, 28, format));
            var predicted = Run("predict", model, path, "--json");
            Assert.AreEqual(0, predicted.exitCode, predicted.stderr);
            var result = LastJson(predicted.stdout);
            if (format != SKEncodedImageFormat.Jpeg)
                Assert.AreEqual(byIndex.GetProperty("probability").GetSingle(), result.GetProperty("probability").GetSingle(), 1e-6f, name + " is the same pixels");
            Assert.AreEqual(byIndex.GetProperty("predicted_label").GetString(), result.GetProperty("predicted_label").GetString(), name);
        }
        foreach (var fixture in new[] { "halves.bmp", "halves.gif" })
            Assert.AreEqual(0, Run("predict", model, TestImages.Fixture(fixture)).exitCode, fixture);
    }

    /// <summary>Gray pixels as a lossless WebP (quality 100 is Skia's lossless mode for WebP).</summary>
    private static byte[] LosslessWebp(ReadOnlySpan<byte> pixels) => TestImages.EncodeGray8(pixels, 28, 28, SKEncodedImageFormat.Webp);
}
