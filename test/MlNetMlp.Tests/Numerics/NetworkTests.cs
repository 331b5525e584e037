using MlNetMlp.Numerics;

namespace MlNetMlp.Tests.Numerics;

[TestClass]
public sealed class NetworkTests
{
    [TestMethod]
    public void ShapesFollowNnLinearLayout()
    {
        var network = new MlpNetwork([784, 128, 64, 10], MlpActivation.LeakyRelu, 0.01f, 1f);
        Assert.AreEqual(784, network.InputSize);
        Assert.AreEqual(10, network.ClassCount);
        Assert.AreEqual(3, network.LinearLayerCount);
        Assert.AreEqual(128, network.MaxHiddenWidth);
        CollectionAssert.AreEqual(new[] { 128 * 784, 64 * 128, 10 * 64 }, network.Weights.Select(w => w.Length).ToArray());
        CollectionAssert.AreEqual(new[] { 128, 64, 10 }, network.Biases.Select(b => b.Length).ToArray());
        Assert.AreEqual(128 * 784 + 128 + 64 * 128 + 64 + 10 * 64 + 10, network.ParameterCount);

        var regression = new MlpNetwork([5, 3], MlpActivation.Relu, 0.01f, 1f);
        Assert.AreEqual(1, regression.LinearLayerCount);
        Assert.AreEqual(0, regression.MaxHiddenWidth);

        Assert.ThrowsExactly<ArgumentException>(() => new MlpNetwork([5], MlpActivation.Relu, 0.01f, 1f));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new MlpNetwork([5, 0, 3], MlpActivation.Relu, 0.01f, 1f));
    }

    [TestMethod]
    public void HeInitializationHasStandardDeviationSqrtTwoOverFanIn()
    {
        var network = new MlpNetwork([784, 256, 10], MlpActivation.Relu, 0.01f, 1f);
        network.Initialize(MlpInitialization.Auto, new Random(1));
        float[] w = network.Weights[0];
        double mean = w.Average(v => (double)v);
        double std = Math.Sqrt(w.Average(v => (v - mean) * (v - mean)));
        Assert.AreEqual(0, mean, 0.002);
        Assert.AreEqual(Math.Sqrt(2.0 / 784), std, 0.01 * Math.Sqrt(2.0 / 784));
        Assert.IsTrue(network.Biases.All(b => b.All(v => v == 0)));
    }

    [TestMethod]
    public void GlorotInitializationIsUniformWithinItsLimit()
    {
        var network = new MlpNetwork([300, 100, 10], MlpActivation.Tanh, 0.01f, 1f);
        network.Initialize(MlpInitialization.Auto, new Random(2)); // Auto = Glorot for tanh
        double limit = Math.Sqrt(6.0 / (300 + 100));
        float[] w = network.Weights[0];
        Assert.IsTrue(w.All(v => Math.Abs(v) <= limit));
        Assert.AreEqual(limit / Math.Sqrt(3), Math.Sqrt(w.Average(v => (double)v * v)), 0.01 * limit); // std of U(−a, a)
        Assert.IsTrue(w.Max() > 0.99 * limit && w.Min() < -0.99 * limit);
    }

    [TestMethod]
    public void AutoPicksHeForTheReluFamilyAndGlorotForSaturatingActivations()
    {
        foreach (MlpActivation activation in new[] { MlpActivation.Relu, MlpActivation.LeakyRelu, MlpActivation.Elu, MlpActivation.Gelu })
            Assert.AreEqual(MlpInitialization.He, Initialization.Resolve(MlpInitialization.Auto, activation));
        foreach (MlpActivation activation in new[] { MlpActivation.Tanh, MlpActivation.Sigmoid })
            Assert.AreEqual(MlpInitialization.Glorot, Initialization.Resolve(MlpInitialization.Auto, activation));
        Assert.AreEqual(MlpInitialization.He, Initialization.Resolve(MlpInitialization.He, MlpActivation.Tanh));
    }

    [TestMethod]
    public void InitializationIsReproducibleAndCloneIsDeep()
    {
        var a = new MlpNetwork([10, 8, 3], MlpActivation.Gelu, 0.01f, 1f);
        var b = new MlpNetwork([10, 8, 3], MlpActivation.Gelu, 0.01f, 1f);
        a.Initialize(MlpInitialization.Auto, new Random(5));
        b.Initialize(MlpInitialization.Auto, new Random(5));
        Assert.IsTrue(TestData.SameParameters(a, b));

        MlpNetwork clone = a.Clone();
        Assert.IsTrue(TestData.SameParameters(a, clone));
        Assert.AreEqual(a.Activation, clone.Activation);
        clone.Weights[1][0] += 1;
        Assert.IsFalse(TestData.SameParameters(a, clone));
        Assert.AreNotSame(a.LayerSizes, clone.LayerSizes);
    }

    [TestMethod]
    [DataRow(MlpActivation.Relu, new[] { 13, 5 })]
    [DataRow(MlpActivation.Tanh, new[] { 13, 17, 5 })]
    [DataRow(MlpActivation.Elu, new[] { 13, 17, 9, 5 })]
    [DataRow(MlpActivation.Gelu, new[] { 13, 33, 7, 5 })]
    public void PredictedProbabilitiesMatchTheDoubleReference(MlpActivation activation, int[] sizes)
    {
        MlpNetwork network = TestData.Network(sizes, activation, seed: 3);
        const int rows = 23;
        float[] features = TestData.Uniform(rows * sizes[0], new Random(4));
        var probabilities = new float[rows * sizes[^1]];
        network.PredictProbabilities(features, rows, probabilities, network.CreateInferenceWorkspace(8)); // 23 rows in chunks of 8

        double[] logits = ReferenceMlp.Logits<double>(sizes, activation, 0.01, 1.0, TestData.ToDouble(network.Weights),
            TestData.ToDouble(network.Biases), TestData.ToDouble(features), rows);
        int classes = sizes[^1];
        var expected = new double[classes];
        for (int r = 0; r < rows; r++)
        {
            SoftmaxCrossEntropy.Softmax<double>(logits.AsSpan(r * classes, classes), expected);
            for (int c = 0; c < classes; c++)
                Assert.AreEqual(expected[c], probabilities[r * classes + c], 1e-6, $"row {r}, class {c}");
        }
    }

    [TestMethod]
    public void OneRowAtATimeGivesTheSameBitsAsBatches()
    {
        MlpNetwork network = TestData.Network([37, 20, 11, 4], MlpActivation.LeakyRelu, seed: 5);
        const int rows = 10;
        float[] features = TestData.Uniform(rows * 37, new Random(6));
        var batch = new float[rows * 4];
        network.PredictProbabilities(features, rows, batch, network.CreateInferenceWorkspace(rows));
        var chunked = new float[rows * 4];
        network.PredictProbabilities(features, rows, chunked, network.CreateInferenceWorkspace(3));
        CollectionAssert.AreEqual(batch, chunked);
        MlpInferenceWorkspace single = network.CreateInferenceWorkspace(1);
        var one = new float[4];
        for (int r = 0; r < rows; r++)
        {
            network.PredictProbabilities(features.AsSpan(r * 37, 37), 1, one, single);
            CollectionAssert.AreEqual(batch[(r * 4)..((r + 1) * 4)], one, $"row {r}");
        }
    }

    [TestMethod]
    public void PredictionDoesNotAllocate()
    {
        MlpNetwork network = TestData.Network([784, 128, 128, 10], MlpActivation.Gelu, seed: 7);
        float[] features = TestData.Uniform(784 * 64, new Random(8), 0f, 1f);
        var probabilities = new float[64 * 10];
        MlpInferenceWorkspace workspace = network.CreateInferenceWorkspace(64);
        network.PredictProbabilities(features, 64, probabilities, workspace); // warm up
        network.PredictProbabilities(features.AsSpan(0, 784), 1, probabilities, workspace);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++)
        {
            network.PredictProbabilities(features.AsSpan(0, 784), 1, probabilities, workspace);
            network.PredictProbabilities(features, 64, probabilities, workspace);
        }
        Assert.AreEqual(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [TestMethod]
    public void ConcurrentPredictionsWithSeparateWorkspacesAgreeWithSequentialOnes()
    {
        MlpNetwork network = TestData.Network([50, 40, 30, 6], MlpActivation.Sigmoid, seed: 9);
        const int rows = 200;
        float[] features = TestData.Uniform(rows * 50, new Random(10));
        var expected = new float[rows * 6];
        network.PredictProbabilities(features, rows, expected, network.CreateInferenceWorkspace(1));

        var results = new float[4][];
        Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, t =>
        {
            MlpInferenceWorkspace workspace = network.CreateInferenceWorkspace(1);
            var output = new float[rows * 6];
            for (int repeat = 0; repeat < 20; repeat++)
                for (int r = (t * 7) % rows, n = 0; n < rows; n++, r = (r + 1) % rows)
                    network.PredictProbabilities(features.AsSpan(r * 50, 50), 1, output.AsSpan(r * 6, 6), workspace);
            results[t] = output;
        });
        foreach (float[] result in results)
            CollectionAssert.AreEqual(expected, result);
    }

    [TestMethod]
    public void WrongSizesAreRejected()
    {
        MlpNetwork network = TestData.Network([4, 3, 2], MlpActivation.Relu, seed: 1);
        MlpInferenceWorkspace workspace = network.CreateInferenceWorkspace(2);
        Assert.ThrowsExactly<ArgumentException>(() => network.PredictProbabilities(new float[7], 2, new float[4], workspace));
        Assert.ThrowsExactly<ArgumentException>(() => network.PredictProbabilities(new float[8], 2, new float[3], workspace));
        MlpInferenceWorkspace tooSmall = TestData.Network([4, 2, 2], MlpActivation.Relu, 1).CreateInferenceWorkspace(2);
        Assert.ThrowsExactly<ArgumentException>(() => network.PredictProbabilities(new float[8], 2, new float[4], tooSmall));
    }
}
