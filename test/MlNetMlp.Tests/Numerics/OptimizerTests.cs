using MlNetMlp.Numerics;

namespace MlNetMlp.Tests.Numerics;

/// <summary>
/// Each rule against steps worked out by hand (torch.optim's formulas) on two parameters,
/// p = [1, −2] with gradients g₁ = [0.5, 0.25] then g₂ = [0.1, −0.3]. The pair is tiled over 37
/// values so that every vector lane and the scalar tail are checked at every width.
/// </summary>
[TestClass]
public sealed class OptimizerTests
{
    private const int Length = 37;
    private static readonly float[] Start = [1f, -2f];
    private static readonly float[] Gradient1 = [0.5f, 0.25f];
    private static readonly float[] Gradient2 = [0.1f, -0.3f];

    private static float[] Tile(float[] pair) => Enumerable.Range(0, Length).Select(i => pair[i % 2]).ToArray();

    private static void AssertTiled(double[] expectedPair, float[] actual, string message)
    {
        for (int i = 0; i < actual.Length; i++)
            Assert.AreEqual(expectedPair[i % 2], actual[i], 1e-6 * Math.Max(1, Math.Abs(expectedPair[i % 2])), $"{message}, element {i}");
    }

    [TestMethod]
    public void SgdStepsAgainstTheGradient()
    {
        foreach (SimdWidth width in Simd.All)
        {
            float[] p = Tile(Start);
            Optimizers.Sgd(p, Tile(Gradient1), 0.1f, 0f, width);
            AssertTiled([0.95, -2.025], p, $"{width}");
        }
    }

    [TestMethod]
    public void SgdWithL2AddsLambdaTimesWeightToTheGradient()
    {
        foreach (SimdWidth width in Simd.All)
        {
            float[] p = Tile(Start);
            Optimizers.Sgd(p, Tile(Gradient1), 0.1f, 0.01f, width);
            // g′ = g + 0.01·p = [0.51, 0.23]
            AssertTiled([0.949, -2.023], p, $"{width}");
        }
    }

    [TestMethod]
    public void MomentumAccumulatesVelocityFromTheFirstGradient()
    {
        foreach (SimdWidth width in Simd.All)
        {
            float[] p = Tile(Start), velocity = new float[Length];
            Optimizers.Momentum(p, Tile(Gradient1), velocity, 0.1f, 0.9f, nesterov: false, 0f, width);
            AssertTiled([0.5, 0.25], velocity, $"{width} v₁");   // v₁ = g₁
            AssertTiled([0.95, -2.025], p, $"{width} p₁");
            Optimizers.Momentum(p, Tile(Gradient2), velocity, 0.1f, 0.9f, nesterov: false, 0f, width);
            AssertTiled([0.55, -0.075], velocity, $"{width} v₂"); // 0.9·v₁ + g₂
            AssertTiled([0.895, -2.0175], p, $"{width} p₂");
        }
    }

    [TestMethod]
    public void NesterovStepsAlongGradientPlusMomentumTimesVelocity()
    {
        foreach (SimdWidth width in Simd.All)
        {
            float[] p = Tile(Start), velocity = new float[Length];
            Optimizers.Momentum(p, Tile(Gradient1), velocity, 0.1f, 0.9f, nesterov: true, 0f, width);
            AssertTiled([0.905, -2.0475], p, $"{width} p₁");   // p −= 0.1·(g₁ + 0.9·g₁)
            Optimizers.Momentum(p, Tile(Gradient2), velocity, 0.1f, 0.9f, nesterov: true, 0f, width);
            AssertTiled([0.8455, -2.01075], p, $"{width} p₂"); // v₂ = [0.55, −0.075]; p −= 0.1·(g₂ + 0.9·v₂)
        }
    }

    [TestMethod]
    public void AdamTakesTwoBiasCorrectedSteps()
    {
        foreach (SimdWidth width in Simd.All)
        {
            float[] p = Tile(Start), m = new float[Length], v = new float[Length];
            Optimizers.Adam(p, Tile(Gradient1), m, v, 0.01f, 0.9f, 0.999f, 1e-8f, step: 1, 0f, width);
            // m̂₁ = g₁ and v̂₁ = g₁², so the first step is lr·sign(g) (less a hair of ε).
            AssertTiled([0.05, 0.025], m, $"{width} m₁");
            AssertTiled([0.00025, 0.0000625], v, $"{width} v₁");
            AssertTiled([0.9900000002, -2.0099999996], p, $"{width} p₁");
            Optimizers.Adam(p, Tile(Gradient2), m, v, 0.01f, 0.9f, 0.999f, 1e-8f, step: 2, 0f, width);
            AssertTiled([0.055, -0.0075], m, $"{width} m₂");
            AssertTiled([0.00025975, 0.0001524375], v, $"{width} v₂");
            AssertTiled([0.9819695906384652, -2.0085705523452253], p, $"{width} p₂");
        }
    }

    [TestMethod]
    public void AdamWithL2FeedsGradientPlusLambdaTimesWeightIntoTheMoments()
    {
        foreach (SimdWidth width in Simd.All)
        {
            float[] p = Tile(Start), m = new float[Length], v = new float[Length];
            Optimizers.Adam(p, Tile(Gradient1), m, v, 0.01f, 0.9f, 0.999f, 1e-8f, step: 1, 0.1f, width);
            AssertTiled([0.1 * 0.6, 0.1 * 0.05], m, $"{width} m₁"); // g′ = g₁ + 0.1·p = [0.6, 0.05]
            AssertTiled([0.9900000001666667, -2.0099999980000005], p, $"{width} p₁");
            Optimizers.Adam(p, Tile(Gradient2), m, v, 0.01f, 0.9f, 0.999f, 1e-8f, step: 2, 0.1f, width);
            AssertTiled([0.981296786265348, -2.0032604630532016], p, $"{width} p₂");
        }
    }

    [TestMethod]
    public void UpdaterAppliesL2ToWeightsButNotBiases()
    {
        var network = new MlpNetwork([3, 2], MlpActivation.Relu, 0.01f, 1f);
        network.Weights[0].AsSpan().Fill(2f);
        network.Biases[0].AsSpan().Fill(2f);
        var layout = new ParameterLayout(network);
        var options = new MlpTrainer.Options { Optimizer = Optimizer.Sgd, L2Regularization = 0.5f };
        var updater = new ParameterUpdater(layout.Tensors(network), options);
        updater.BeginStep();
        var zeroGradient = new float[layout.Total];
        for (int worker = 0; worker < 3; worker++) // any split of the work gives the same result
            updater.Apply(3, worker, zeroGradient, learningRate: 0.1f);
        foreach (float w in network.Weights[0])
            Assert.AreEqual(2.0 - 0.1 * 0.5 * 2.0, w, 1e-6, "weights decay by lr·λ·w");
        Assert.IsTrue(network.Biases[0].All(b => b == 2f), "biases are not decayed");
    }

    [TestMethod]
    public void AGradientGivenAsTwoAddendsStepsExactlyLikeTheirSum()
    {
        // Data-parallel training passes the last worker's partial separately; the step must not depend on that.
        var random = new Random(7);
        foreach (SimdWidth width in Simd.All)
        {
            foreach (Optimizer rule in Enum.GetValues<Optimizer>())
            {
                float[] start = TestData.Uniform(Length, random), a = TestData.Uniform(Length, random), b = TestData.Uniform(Length, random);
                float[] sum = a.Zip(b, (x, y) => x + y).ToArray();
                float[] summed = (float[])start.Clone(), split = (float[])start.Clone();
                float[] s1 = new float[Length], s2 = new float[Length], t1 = new float[Length], t2 = new float[Length];
                for (int step = 1; step <= 2; step++)
                {
                    switch (rule)
                    {
                        case Optimizer.Sgd:
                            Optimizers.Sgd(summed, sum, 0.1f, 0.01f, width);
                            Optimizers.Sgd(split, a, b, 0.1f, 0.01f, width);
                            break;
                        case Optimizer.Momentum:
                            Optimizers.Momentum(summed, sum, s1, 0.1f, 0.9f, nesterov: true, 0.01f, width);
                            Optimizers.Momentum(split, a, b, t1, 0.1f, 0.9f, nesterov: true, 0.01f, width);
                            break;
                        case Optimizer.Adam:
                            Optimizers.Adam(summed, sum, s1, s2, 0.01f, 0.9f, 0.999f, 1e-8f, step, 0.01f, width);
                            Optimizers.Adam(split, a, b, t1, t2, 0.01f, 0.9f, 0.999f, 1e-8f, step, 0.01f, width);
                            break;
                    }
                }
                CollectionAssert.AreEqual(summed, split, $"{rule} at {width}: parameters");
                CollectionAssert.AreEqual(s1, t1, $"{rule} at {width}: first state");
                CollectionAssert.AreEqual(s2, t2, $"{rule} at {width}: second state");
            }
        }
    }

    [TestMethod]
    public void AnAddendOfAnotherLengthIsRejectedByName()
    {
        var error = Assert.ThrowsExactly<ArgumentException>(() => Optimizers.Sgd(new float[4], new float[4], new float[3], 0.1f, 0f, Simd.Best));
        Assert.AreEqual("gradientAddend", error.ParamName);
    }
}
