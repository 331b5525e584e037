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
}
