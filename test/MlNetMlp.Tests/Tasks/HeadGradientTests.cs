using MlNetMlp.Numerics;
using MlNetMlp.Tests.Numerics;

namespace MlNetMlp.Tests.Tasks;

/// <summary>
/// Every head's gradient, as the float engine computes it, against the double-precision reference (two independent
/// writings of each loss), and the reference against central finite differences: multiclass, binary, regression with
/// squared error and with Huber, each with and without example weights.
/// </summary>
[TestClass]
public sealed class HeadGradientTests
{
    public static IEnumerable<object[]> Heads =>
    [
        ["Multiclass", false, false], ["Multiclass", false, true],
        ["Binary", false, false], ["Binary", false, true],
        ["Regression", false, false], ["Regression", false, true],
        ["Regression", true, false], ["Regression", true, true],
    ];

    [TestMethod]
    [DynamicData(nameof(Heads))]
    public void ReferenceGradientsMatchFiniteDifferences(string headName, bool huber, bool weighted)
    {
        var head = Enum.Parse<HeadKind>(headName);
        int outputs = head == HeadKind.Multiclass ? 4 : 1;
        foreach (int[] sizes in new[] { new[] { 5, outputs }, new[] { 5, 6, 3, outputs } })
        {
            var result = MlpGradientCheck.Run(sizes, MlpActivation.Tanh, head, l2Regularization: 0.05f, rows: 7, seed: 3, weighted: weighted, huber: huber);
            Assert.IsLessThan(1e-6, result.MaxRelativeError, $"{head} huber={huber} weighted={weighted} {string.Join('-', sizes)}: {result}");
        }
    }

    [TestMethod]
    [DynamicData(nameof(Heads))]
    public void FastFloatGradientsMatchTheDoubleReference(string headName, bool huber, bool weighted)
    {
        var head = Enum.Parse<HeadKind>(headName);
        int outputs = head == HeadKind.Multiclass ? 7 : 1;
        var random = new Random(11);
        TrainingSet noise = TestData.Noise(rows: 23, features: 13, classes: head == HeadKind.Multiclass ? 7 : 2, seed: 5);
        float[]? weights = weighted ? [.. Enumerable.Range(0, 23).Select(_ => 0.25f + 2 * random.NextSingle())] : null;
        // Targets of a standardized scale, several beyond Huber's δ = 0.5.
        TrainingSet data = head == HeadKind.Regression
            ? new TrainingSet(noise.Features, [.. Enumerable.Range(0, 23).Select(_ => 3 * random.NextSingle() - 1.5f)], 13, weights)
            : new TrainingSet(noise.Features, noise.Labels, 13, weights);
        TaskHead fast = head switch
        {
            HeadKind.Multiclass => new MulticlassHead(outputs),
            HeadKind.Binary => BinaryHead.Instance,
            _ => new RegressionHead(huber ? RegressionLoss.Huber : RegressionLoss.SquaredError, 0.5f),
        };
        foreach (int[] sizes in new[] { new[] { 13, outputs }, new[] { 13, 17, 9, outputs } })
        {
            MlpNetwork network = TestData.Network(sizes, MlpActivation.LeakyRelu, seed: 4);
            foreach (int threads in new[] { 1, 3 })
            {
                var result = MlpGradientCheck.CompareFastPathWithReference(network, data, threads, dropoutRate: 0.2f, dropoutSeed: 6, head: fast);
                Assert.IsLessThan(1e-4, result.MaxRelativeError, $"{head} huber={huber} weighted={weighted} {string.Join('-', sizes)}, {threads} threads: {result}");
            }
        }
    }
}
