using MlNetMlp.Numerics;

namespace MlNetMlp.Tests.Numerics;

[TestClass]
public sealed class GradientCheckTests
{
    [TestMethod]
    [DataRow(MlpActivation.Relu)]
    [DataRow(MlpActivation.LeakyRelu)]
    [DataRow(MlpActivation.Tanh)]
    [DataRow(MlpActivation.Sigmoid)]
    [DataRow(MlpActivation.Elu)]
    [DataRow(MlpActivation.Gelu)]
    public void BackpropagationMatchesFiniteDifferencesWithAndWithoutL2(MlpActivation activation)
    {
        int[][] shapes = [[6, 4], [6, 7, 4], [6, 7, 5, 4]]; // 0, 1 and 2 hidden layers
        foreach (int[] sizes in shapes)
        {
            foreach (float l2 in new[] { 0f, 0.05f })
            {
                MlpGradientCheckResult result = MlpGradientCheck.Run(sizes, activation, l2, rows: 5, seed: sizes.Length, eluAlpha: 1.3f);
                int parameters = Enumerable.Range(0, sizes.Length - 1).Sum(l => (sizes[l] + 1) * sizes[l + 1]);
                Assert.AreEqual(parameters, result.ParametersChecked);
                Assert.IsLessThan(1e-6, result.MaxRelativeError, $"{string.Join('-', sizes)}, λ = {l2}: {result}");
            }
        }
    }

    [TestMethod]
    public void CheckReportsTheWorstParameter()
    {
        MlpGradientCheckResult result = MlpGradientCheck.Run([3, 4, 2], MlpActivation.Tanh);
        Assert.IsTrue(result.WorstLayer is 0 or 1);
        int length = result.WorstIsBias ? (result.WorstLayer == 0 ? 4 : 2) : (result.WorstLayer == 0 ? 12 : 8);
        Assert.IsTrue(result.WorstIndex >= 0 && result.WorstIndex < length);
        double error = Math.Abs(result.WorstAnalytic - result.WorstNumeric)
            / Math.Max(Math.Abs(result.WorstAnalytic) + Math.Abs(result.WorstNumeric), MlpGradientCheck.RelativeErrorFloor);
        Assert.AreEqual(result.MaxRelativeError, error);
        StringAssert.Contains(result.ToString(), "over 26 parameters");
    }

    [TestMethod]
    public void FiniteDifferencesWouldExposeAWrongDerivative()
    {
        // The check is only meaningful if it can fail: the same comparison against a derivative with a
        // deliberately wrong L2 factor (λ instead of λ/2 in the objective) must report a large error.
        int[] sizes = [4, 5, 3];
        MlpGradientCheckResult right = MlpGradientCheck.Run(sizes, MlpActivation.Sigmoid, l2Regularization: 0.2f);
        Assert.IsLessThan(1e-6, right.MaxRelativeError);
        MlpNetwork network = TestData.Network(sizes, MlpActivation.Sigmoid, seed: 1);
        double[][] w = TestData.ToDouble(network.Weights), b = TestData.ToDouble(network.Biases);
        double[] x = TestData.ToDouble(TestData.Uniform(3 * 4, new Random(2)));
        var labels = new ReferenceHead<double>(HeadKind.Multiclass, [0, 1, 2]);
        double[][] gw = w.Select(v => new double[v.Length]).ToArray(), gb = b.Select(v => new double[v.Length]).ToArray();
        ReferenceMlp.LossAndGradients<double>(sizes, MlpActivation.Sigmoid, 0.01, 1, w, b, x, labels, 3, 0.4, null, gw, gb); // gradient of λ = 0.4
        double saved = w[0][0];
        w[0][0] = saved + 1e-5;
        double plus = ReferenceMlp.LossAndGradients<double>(sizes, MlpActivation.Sigmoid, 0.01, 1, w, b, x, labels, 3, 0.2);
        w[0][0] = saved - 1e-5;
        double minus = ReferenceMlp.LossAndGradients<double>(sizes, MlpActivation.Sigmoid, 0.01, 1, w, b, x, labels, 3, 0.2);
        double numeric = (plus - minus) / 2e-5;
        Assert.IsGreaterThan(1e-3, Math.Abs(gw[0][0] - numeric) / (Math.Abs(gw[0][0]) + Math.Abs(numeric)));
    }

    [TestMethod]
    [DataRow(MlpActivation.Relu)]
    [DataRow(MlpActivation.LeakyRelu)]
    [DataRow(MlpActivation.Tanh)]
    [DataRow(MlpActivation.Sigmoid)]
    [DataRow(MlpActivation.Elu)]
    [DataRow(MlpActivation.Gelu)]
    public void FastFloatGradientsMatchTheDoubleReference(MlpActivation activation)
    {
        // Awkward widths (not multiples of any register width), an odd row count split over 1–3 workers, with and without dropout.
        foreach (int[] sizes in new[] { new[] { 13, 7 }, new[] { 13, 17, 9, 7 } })
        {
            MlpNetwork network = TestData.Network(sizes, activation, seed: 4);
            TrainingSet data = TestData.Noise(rows: 23, features: 13, classes: 7, seed: 5);
            foreach (int threads in new[] { 1, 2, 3 })
            {
                foreach (float dropout in new[] { 0f, 0.3f })
                {
                    MlpGradientCheckResult result = MlpGradientCheck.CompareFastPathWithReference(network, data, threads, dropout, dropoutSeed: 6);
                    Assert.IsLessThan(1e-4, result.MaxRelativeError, $"{string.Join('-', sizes)}, {threads} threads, dropout {dropout}: {result}");
                }
            }
        }
    }
}
