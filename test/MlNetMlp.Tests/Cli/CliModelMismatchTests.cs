using System.Text.Json;
using Microsoft.ML;
using MlNetMlp.Data;
using MlNetMlp.Transforms;
using static MlNetMlp.Tests.Cli.CliTests;

namespace MlNetMlp.Tests.Cli;

/// <summary>
/// <c>evaluate</c> and <c>predict</c> with a model that does not fit the data: other classes than Fashion-MNIST's,
/// or scores that are not numbers. The tool says so (exit 2, one line naming the model) instead of printing results.
/// </summary>
[TestClass]
public sealed class CliModelMismatchTests
{

    /// <summary>An MLP trained on the first 2,000 training images of the given Fashion-MNIST classes only, saved to <paramref name="path"/>.</summary>
    private static void SaveModelOfClasses(string path, params int[] classes)
    {
        var all = FashionMnist.LoadArrays(FashionMnistSplit.Train, maxRows: 2000);
        var rows = Enumerable.Range(0, all.Count).Where(i => classes.Contains(all.Labels[i])).ToArray();
        var pixels = rows.SelectMany(i => all.Pixels.AsSpan(i * all.ImageSize, all.ImageSize).ToArray()).ToArray();
        var labels = rows.Select(i => (byte)Array.IndexOf(classes, (int)all.Labels[i])).ToArray();
        var subset = new LabeledImages(pixels, labels, all.Height, all.Width, classes.Select(c => FashionMnist.ClassNames[c]).ToArray());
        SaveMlp(path, subset.ToDataView(), network => { });
    }

    /// <summary>An MLP trained on 600 Fashion-MNIST images, changed by <paramref name="tamper"/> before it is saved.</summary>
    private static void SaveTamperedModel(string path, Action<MlNetMlp.Numerics.MlpNetwork> tamper) =>
        SaveMlp(path, FashionMnist.Load(new MLContext(seed: 1), FashionMnistSplit.Train, maxRows: 600), tamper);

    private static void SaveMlp(string path, IDataView train, Action<MlNetMlp.Numerics.MlpNetwork> tamper)
    {
        var ml = new MLContext(seed: 1);
        var transforms = ml.Transforms.NormalizePixels("Image").Append(ml.Transforms.FlattenImage("Features", "Image")).Fit(train);
        var mlp = new MlpTrainer(ml, new MlpTrainer.Options { HiddenLayers = [16], Epochs = 2, Seed = 1, NumberOfThreads = 1 })
            .Fit(transforms.Transform(train));
        tamper(mlp.Model.Network);
        ModelFile.Save(ml, transforms.Append(mlp), train.Schema, path);
    }

    [TestMethod]
    public void EvaluatingAModelOfOtherClassesIsRefusedNamingBothClassLists()
    {
        if (!HaveData) Assert.Inconclusive("Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist).");
        var dir = Directory.CreateTempSubdirectory("mlnetmlp-cli-classes-").FullName;
        try
        {
            var bagSneaker = Path.Combine(dir, "bag-sneaker.zip");
            SaveModelOfClasses(bagSneaker, 8, 7);
            var refused = Run("evaluate", bagSneaker, "--json");
            AssertOneLineError(refused, bagSneaker, "Bag, Sneaker", "T-shirt/top, Trouser, Pullover");
            Assert.AreEqual("", refused.stdout.Trim(), "no metrics are printed");

            // The first three classes, in Fashion-MNIST's order: still not the test split's ten.
            var firstThree = Path.Combine(dir, "first-three.zip");
            SaveModelOfClasses(firstThree, 0, 1, 2);
            var three = Run("evaluate", firstThree);
            AssertOneLineError(three, firstThree, "T-shirt/top, Trouser, Pullover", "Ankle boot");
            Assert.AreEqual("", three.stdout.Trim(), "no metrics are printed");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void PredictWithAModelOfOtherClassesNamesItsOwnClasses()
    {
        if (!HaveData) Assert.Inconclusive("Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist).");
        var dir = Directory.CreateTempSubdirectory("mlnetmlp-cli-classes-").FullName;
        try
        {
            var model = Path.Combine(dir, "bag-sneaker.zip");
            SaveModelOfClasses(model, 8, 7);
            // Test image 0 is an ankle boot: the model can only answer Bag or Sneaker, and says which it means.
            var predict = Run("predict", model, "0", "--json");
            Assert.AreEqual(0, predict.exitCode, predict.stderr);
            var result = LastJson(predict.stdout);
            CollectionAssert.Contains(new[] { "Bag", "Sneaker" }, result.GetProperty("predicted_label").GetString());
            Assert.AreEqual("Ankle boot", result.GetProperty("true_label").GetString());
            Assert.AreEqual(2, result.GetProperty("scores").GetArrayLength());
            StringAssert.Contains(predict.stdout, "true label: Ankle boot");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void AModelWithNaNWeightsIsRefusedByPredictAndEvaluate()
    {
        if (!HaveData) Assert.Inconclusive("Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist).");
        var dir = Directory.CreateTempSubdirectory("mlnetmlp-cli-nan-").FullName;
        try
        {
            var model = Path.Combine(dir, "nan.zip");
            SaveTamperedModel(model, network => network.Weights[0].AsSpan().Fill(float.NaN));
            foreach (var args in new[] { new[] { "predict", model, "0" }, ["predict", model, "0", "--json"], ["evaluate", model], ["evaluate", model, "--json"] })
            {
                var result = Run(args);
                AssertOneLineError(result, model, "NaN");
                Assert.AreEqual("", result.stdout.Trim(), $"{string.Join(' ', args)} printed results");
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void AModelWhoseScoresOverflowIsRefusedByPredictAndEvaluate()
    {
        if (!HaveData) Assert.Inconclusive("Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist).");
        var dir = Directory.CreateTempSubdirectory("mlnetmlp-cli-overflow-").FullName;
        try
        {
            // Finite weights (so the file loads) whose sums overflow: the hidden units become ∞ and the scores NaN.
            var model = Path.Combine(dir, "overflow.zip");
            SaveTamperedModel(model, network => network.Weights[0].AsSpan().Fill(float.MaxValue / 4));
            foreach (var args in new[] { new[] { "predict", model, "0", "--json" }, ["evaluate", model, "--json"] })
            {
                var result = Run(args);
                AssertOneLineError(result, model, "non-finite score");
                Assert.AreEqual("", result.stdout.Trim(), $"{string.Join(' ', args)} printed results");
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
