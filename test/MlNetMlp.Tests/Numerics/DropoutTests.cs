using MlNetMlp.Numerics;

namespace MlNetMlp.Tests.Numerics;

[TestClass]
public sealed class DropoutTests
{
    [TestMethod]
    public void MaskDropsTheRequestedFractionAndScalesTheRest()
    {
        const int rows = 200, units = 500;
        var mask = new float[rows * units];
        Dropout.FillMask(mask, 0, rows, units, 0.3f, Dropout.Stream(seed: 1, step: 0, layer: 0));
        double dropped = mask.Count(m => m == 0f) / (double)mask.Length;
        Assert.AreEqual(0.3, dropped, 0.01);
        Assert.IsTrue(mask.All(m => m == 0f || m == 1f / 0.7f), "kept units are scaled by 1/(1 − rate)");
        Assert.AreEqual(1.0, mask.Average(m => (double)m), 0.015); // inverted dropout keeps the expected activation
    }

    [TestMethod]
    public void RateZeroKeepsEverything()
    {
        var mask = new float[30];
        Dropout.FillMask(mask, 0, 5, 6, 0f, 123);
        Assert.IsTrue(mask.All(m => m == 1f));
    }

    [TestMethod]
    public void MasksAreReproducibleAndIndependentOfHowRowsAreSplit()
    {
        const int units = 33;
        ulong stream = Dropout.Stream(seed: 7, step: 12, layer: 1);
        var whole = new float[10 * units];
        Dropout.FillMask(whole, 0, 10, units, 0.5f, stream);
        var again = new float[10 * units];
        Dropout.FillMask(again, 0, 10, units, 0.5f, stream);
        CollectionAssert.AreEqual(whole, again);

        var firstPart = new float[4 * units];
        var secondPart = new float[6 * units];
        Dropout.FillMask(firstPart, 0, 4, units, 0.5f, stream);
        Dropout.FillMask(secondPart, 4, 6, units, 0.5f, stream);
        CollectionAssert.AreEqual(whole, firstPart.Concat(secondPart).ToArray());

        var otherStep = new float[10 * units];
        Dropout.FillMask(otherStep, 0, 10, units, 0.5f, Dropout.Stream(seed: 7, step: 13, layer: 1));
        CollectionAssert.AreNotEqual(whole, otherStep);
        Assert.AreNotEqual(Dropout.Stream(7, 12, 0), Dropout.Stream(7, 12, 1));
        Assert.AreNotEqual(Dropout.Stream(7, 12, 0), Dropout.Stream(8, 12, 0));
    }

    [TestMethod]
    public void InferenceIgnoresDropout()
    {
        // Train with heavy dropout, then check predictions equal a dropout-free reference forward pass.
        TrainingSet data = TestData.Clusters(rows: 120, features: 6, classes: 3, seed: 1);
        MlpNetwork start = TestData.Network([6, 16, 3], MlpActivation.Relu, seed: 2);
        var options = new MlpTrainer.Options { HiddenLayers = [16], Activation = MlpActivation.Relu, Epochs = 2, BatchSize = 20, Dropout = 0.5f, NumberOfThreads = 1 };
        MlpNetwork trained = LoopHarness.Train(start, data, null, options, seed: 3, firstEpoch: 1, null, CancellationToken.None).Network;

        var probabilities = new float[data.Rows * 3];
        var again = new float[data.Rows * 3];
        new MlpScoringNetwork(trained).PredictProbabilities(data.Features, data.Rows, probabilities, new MlpScoringNetwork(trained).CreateWorkspace(32));
        new MlpScoringNetwork(trained).PredictProbabilities(data.Features, data.Rows, again, new MlpScoringNetwork(trained).CreateWorkspace(32));
        CollectionAssert.AreEqual(probabilities, again);

        double[] logits = ReferenceMlp.Logits<double>(trained.LayerSizes, trained.Activation, trained.LeakyReluSlope, trained.EluAlpha,
            TestData.ToDouble(trained.Weights), TestData.ToDouble(trained.Biases), TestData.ToDouble(data.Features), data.Rows);
        var expected = new double[3];
        for (int r = 0; r < data.Rows; r++)
        {
            SoftmaxCrossEntropy.Softmax<double>(logits.AsSpan(r * 3, 3), expected);
            for (int c = 0; c < 3; c++)
                Assert.AreEqual(expected[c], probabilities[r * 3 + c], 1e-5, $"row {r}, class {c}");
        }
    }
}
