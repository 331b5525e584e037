using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using MlNetMlp.Data;
using MlNetMlp.Tests.Onnx;
using MlNetMlp.Transforms;
using static MlNetMlp.Tests.Cli.CliTests;

namespace MlNetMlp.Tests.Cli;

/// <summary>
/// <c>mlnetmlp export model.zip --onnx model.onnx</c>: models trained by the CLI export without data files and score
/// in ONNX Runtime like ML.NET; a model, path or step that cannot be exported fails in one line and writes nothing.
/// </summary>
[TestClass]
public sealed class CliExportTests
{
    private const double Tolerance = 1e-5;


    private static string TempDirectory() => Directory.CreateTempSubdirectory("mlnetmlp-cli-export-").FullName;

    /// <summary>Exports <paramref name="model"/> to <paramref name="onnx"/> and checks Score (within 1e-5) and PredictedLabel of Fashion-MNIST test rows against the ML.NET model.</summary>
    private static void AssertExportScoresLikeTheModel(string model, string onnx, string[] exportArguments)
    {
        var export = Run(["export", model, .. exportArguments, "--json"]);
        Assert.AreEqual(0, export.exitCode, export.stderr);
        var lines = export.stdout.Trim().Split('\n');
        Assert.HasCount(2, lines, export.stdout);
        StringAssert.Contains(lines[0], $"wrote {onnx}");
        StringAssert.Contains(lines[0], "Score.output float[N,10]");
        var result = LastJson(export.stdout);
        Assert.AreEqual(Path.GetFullPath(onnx), result.GetProperty("onnx").GetString());
        Assert.AreEqual(new FileInfo(onnx).Length, result.GetProperty("bytes").GetInt64());
        // The scorer never reads Label: the graph does not ask for it.
        var inputs = result.GetProperty("inputs").EnumerateArray().Select(i => i.GetProperty("name").GetString()).ToArray();
        CollectionAssert.AreEqual(new[] { "Image" }, inputs);

        var ml = new MLContext(seed: 1);
        var loaded = ModelFile.Load(ml, model, out _);
        var test = FashionMnist.Load(ml, FashionMnistSplit.Test, FashionMnist.SystemDatasetDirectory, maxRows: 20);
        float[][] expected = loaded.Transform(test).GetColumn<float[]>("Score").ToArray();
        uint[] expectedKeys = loaded.Transform(test).GetColumn<uint>("PredictedLabel").ToArray();
        using var session = new InferenceSession(onnx);
        var (scores, keys) = OnnxRuntimeScoring.Score(session, test, 0, expected.Length);
        double max = 0;
        for (int r = 0; r < expected.Length; r++)
            for (int c = 0; c < expected[r].Length; c++)
                max = Math.Max(max, Math.Abs(expected[r][c] - scores[r][c]));
        Assert.IsLessThanOrEqualTo(Tolerance, max, $"largest |Score difference| {max:G3}");
        CollectionAssert.AreEqual(expectedKeys, keys);
    }

    [TestMethod]
    public void MlpTrainedByTheCliExportsAndScoresLikeTheModel()
    {
        if (!HaveData) Assert.Inconclusive("Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist).");
        var dir = TempDirectory();
        try
        {
            var model = Path.Combine(dir, "m.zip");
            var train = Run("train", "--train-rows", "2000", "--hidden", "32", "--epochs", "1", "--out", model);
            Assert.AreEqual(0, train.exitCode, train.stderr);
            var onnx = Path.Combine(dir, "mlp.onnx");
            AssertExportScoresLikeTheModel(model, onnx, ["--onnx", onnx]);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void CnnTrainedByTheCliExportsToTheModelPathWithOnnxExtensionByDefault()
    {
        if (!HaveData) Assert.Inconclusive("Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist).");
        var dir = TempDirectory();
        try
        {
            var model = Path.Combine(dir, "cnn.zip");
            var train = Run("train", "--model", "cnn", "--train-rows", "500", "--epochs", "1", "--layers", "conv4,relu,pool,flatten", "--out", model);
            Assert.AreEqual(0, train.exitCode, train.stderr);
            AssertExportScoresLikeTheModel(model, Path.Combine(dir, "cnn.onnx"), []);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void BadModelOrOutputExitsWithOneLineAndWritesNothing()
    {
        var dir = TempDirectory();
        try
        {
            var missing = Path.Combine(dir, "missing.zip");
            AssertOneLineError(Run("export", missing), missing);
            // A missing model is named before its default output's directory is made.
            var nested = Path.Combine(dir, "sub", "missing.zip");
            AssertOneLineError(Run("export", nested), nested, "does not exist");
            Assert.IsFalse(Directory.Exists(Path.Combine(dir, "sub")), "no directory made for a model that does not exist");
            var text = Path.Combine(dir, "notes.zip");
            File.WriteAllText(text, "not a model");
            AssertOneLineError(Run("export", text, "--onnx", Path.Combine(dir, "notes.onnx")), text);
            // --onnx is checked before the model is read.
            AssertOneLineError(Run("export", text, "--onnx", dir), "--onnx", dir, Path.Combine(dir, "model.onnx"));
            AssertOneLineError(Run("export", text, "--onnx", ""), "--onnx");
            // A model named *.onnx would be its own default output.
            var named = Path.Combine(dir, "model.onnx");
            File.WriteAllText(named, "not a model");
            AssertOneLineError(Run("export", named), "--onnx", named);
            Assert.AreEqual("not a model", File.ReadAllText(named));
            CollectionAssert.AreEquivalent(new[] { "notes.zip", "model.onnx" }, Directory.GetFiles(dir).Select(Path.GetFileName).ToArray());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    [DataRow(false, "step 3 of 4 (ApproximatedKernelTransformer) has no ONNX form")]
    [DataRow(true, "step 1 of 2 (ApproximatedKernelTransformer) has no ONNX form")]
    public void AModelWithAStepWithoutAnOnnxFormExitsWithOneLineAndWritesNothing(bool first, string error)
    {
        if (!HaveData) Assert.Inconclusive("Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist).");
        var dir = TempDirectory();
        try
        {
            // ML.NET's random Fourier features have no ONNX form; ML.NET's exporter fails without naming them, or, as
            // the first step, stops its walk there and makes their output a graph input (a file that scores any Features).
            var ml = new MLContext(seed: 1);
            var train = FashionMnist.Load(ml, FashionMnistSplit.Train, FashionMnist.SystemDatasetDirectory, maxRows: 300);
            var mlp = ml.MulticlassClassification.Trainers.Mlp(new MlpTrainer.Options { HiddenLayers = [8], Epochs = 1 });
            ITransformer model = first
                ? ml.Transforms.ApproximatedKernelMap("Features", "Image", rank: 16).Append(mlp).Fit(train)
                : ml.Transforms.NormalizePixels("Image")
                    .Append(ml.Transforms.FlattenImage("Features", "Image"))
                    .Append(ml.Transforms.ApproximatedKernelMap("Features", rank: 16))
                    .Append(mlp)
                    .Fit(train);
            var path = Path.Combine(dir, "kernel.zip");
            ModelFile.Save(ml, model, train.Schema, path);

            var onnx = Path.Combine(dir, "kernel.onnx");
            AssertOneLineError(Run("export", path, "--onnx", onnx), path, "cannot be exported to ONNX", error);
            Assert.IsFalse(File.Exists(onnx));
            CollectionAssert.AreEquivalent(new[] { "kernel.zip" }, Directory.GetFiles(dir).Select(Path.GetFileName).ToArray());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
