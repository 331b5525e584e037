using MlNetMlp.Numerics;

namespace MlNetMlp.Tests.Numerics;

[TestClass]
public sealed class ActivationTests
{
    private const double Slope = 0.01, Alpha = 1.5;

    private static double Value(MlpActivation activation, double z) => Activations.Value(activation, z, Slope, Alpha);
    private static double Derivative(MlpActivation activation, double z) => Activations.Derivative(activation, z, Slope, Alpha);

    [TestMethod]
    public void ValuesMatchHandComputedNumbers()
    {
        Assert.AreEqual(0.0, Value(MlpActivation.Relu, -2));
        Assert.AreEqual(3.0, Value(MlpActivation.Relu, 3));
        Assert.AreEqual(-0.02, Value(MlpActivation.LeakyRelu, -2), 1e-15);
        Assert.AreEqual(3.0, Value(MlpActivation.LeakyRelu, 3));
        Assert.AreEqual(0.46211715726000974, Value(MlpActivation.Tanh, 0.5), 1e-15);
        Assert.AreEqual(0.5, Value(MlpActivation.Sigmoid, 0));
        Assert.AreEqual(0.8807970779778823, Value(MlpActivation.Sigmoid, 2), 1e-15);
        Assert.AreEqual(1.5 * -0.6321205588285577, Value(MlpActivation.Elu, -1), 1e-15);
        Assert.AreEqual(2.0, Value(MlpActivation.Elu, 2));
        // PyTorch: F.gelu(torch.tensor([1., -1., 2.]), approximate='tanh')
        Assert.AreEqual(0.8411919906082768, Value(MlpActivation.Gelu, 1), 1e-15);
        Assert.AreEqual(-0.15880800939172324, Value(MlpActivation.Gelu, -1), 1e-15);
        Assert.AreEqual(1.954597694087775, Value(MlpActivation.Gelu, 2), 1e-15);
    }

    [TestMethod]
    public void DerivativesMatchHandComputedNumbers()
    {
        Assert.AreEqual(0.0, Derivative(MlpActivation.Relu, -1));
        Assert.AreEqual(0.0, Derivative(MlpActivation.Relu, 0)); // PyTorch's choice at the kink
        Assert.AreEqual(1.0, Derivative(MlpActivation.Relu, 1));
        Assert.AreEqual(Slope, Derivative(MlpActivation.LeakyRelu, -1));
        Assert.AreEqual(1.0, Derivative(MlpActivation.LeakyRelu, 1));
        Assert.AreEqual(1.0, Derivative(MlpActivation.Tanh, 0));
        Assert.AreEqual(0.25, Derivative(MlpActivation.Sigmoid, 0));
        Assert.AreEqual(Alpha * Math.Exp(-1), Derivative(MlpActivation.Elu, -1), 1e-15);
        Assert.AreEqual(1.0, Derivative(MlpActivation.Elu, 1));
        Assert.AreEqual(0.5, Derivative(MlpActivation.Gelu, 0));
    }

    [TestMethod]
    [DataRow(MlpActivation.Relu)]
    [DataRow(MlpActivation.LeakyRelu)]
    [DataRow(MlpActivation.Tanh)]
    [DataRow(MlpActivation.Sigmoid)]
    [DataRow(MlpActivation.Elu)]
    [DataRow(MlpActivation.Gelu)]
    public void DerivativeMatchesCentralDifferences(MlpActivation activation)
    {
        const double h = 1e-6;
        foreach (double z in new[] { -4.0, -1.3, -0.2, 0.1, 0.7, 2.5, 6.0 })
        {
            double numeric = (Value(activation, z + h) - Value(activation, z - h)) / (2 * h);
            Assert.AreEqual(numeric, Derivative(activation, z), 1e-8, $"z = {z}");
        }
    }

    [TestMethod]
    [DataRow(MlpActivation.Relu)]
    [DataRow(MlpActivation.LeakyRelu)]
    [DataRow(MlpActivation.Tanh)]
    [DataRow(MlpActivation.Sigmoid)]
    [DataRow(MlpActivation.Elu)]
    [DataRow(MlpActivation.Gelu)]
    public void FastForwardAndBackwardMatchTheScalarDefinitionsAtEveryWidth(MlpActivation activation)
    {
        var random = new Random(5);
        // 37 values: full registers plus a tail at every width; includes both sides of 0 and large inputs.
        float[] z = TestData.Uniform(37, random, -6f, 6f);
        z[0] = 0f; z[1] = 80f; z[2] = -80f;
        float[] da = TestData.Uniform(z.Length, random);
        foreach (SimdWidth width in Simd.All)
        {
            var forward = new float[z.Length];
            var backward = new float[z.Length];
            Activations.Forward(activation, (float)Slope, (float)Alpha, z, forward, width);
            Activations.Backward(activation, (float)Slope, (float)Alpha, z, forward, da, backward, width);
            for (int i = 0; i < z.Length; i++)
            {
                double expectedValue = Value(activation, z[i]);
                double expectedGradient = da[i] * Derivative(activation, z[i]);
                Assert.IsTrue(float.IsFinite(forward[i]) && float.IsFinite(backward[i]), $"{width}, z = {z[i]}");
                Assert.AreEqual(expectedValue, forward[i], 1e-6 * Math.Max(1, Math.Abs(expectedValue)), $"{width} value at z = {z[i]}");
                Assert.AreEqual(expectedGradient, backward[i], 2e-6, $"{width} gradient at z = {z[i]}");
            }
        }
    }

    [TestMethod]
    [DataRow(MlpActivation.Relu)]
    [DataRow(MlpActivation.LeakyRelu)]
    [DataRow(MlpActivation.Tanh)]
    [DataRow(MlpActivation.Sigmoid)]
    public void ActivationsWithoutScratchNeedsWorkInPlace(MlpActivation activation)
    {
        Assert.IsFalse(Activations.NeedsSeparateBuffers(activation));
        float[] z = TestData.Uniform(21, new Random(6), -3f, 3f);
        var separate = new float[z.Length];
        Activations.Forward(activation, 0.01f, 1f, z, separate);
        float[] inPlace = (float[])z.Clone();
        Activations.Forward(activation, 0.01f, 1f, inPlace, inPlace);
        CollectionAssert.AreEqual(separate, inPlace);
    }

    [TestMethod]
    public void EluAndGeluRefuseToOverwriteTheirInput()
    {
        Assert.IsTrue(Activations.NeedsSeparateBuffers(MlpActivation.Elu));
        var buffer = new float[8];
        Assert.ThrowsExactly<ArgumentException>(() => Activations.Forward(MlpActivation.Elu, 0.01f, 1f, buffer, buffer));
        Assert.ThrowsExactly<ArgumentException>(() => Activations.Forward(MlpActivation.Gelu, 0.01f, 1f, buffer, buffer));
    }
}
