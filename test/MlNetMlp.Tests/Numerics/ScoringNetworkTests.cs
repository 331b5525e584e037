using MlNetMlp.Numerics;

namespace MlNetMlp.Tests.Numerics;

/// <summary>The scoring snapshot (transposed wide layers) against the training network and the double reference.</summary>
[TestClass]
public sealed class ScoringNetworkTests
{
    [TestMethod]
    [DataRow(SimdWidthValue.Scalar)]
    [DataRow(SimdWidthValue.Vector128)]
    [DataRow(SimdWidthValue.Vector256)]
    [DataRow(SimdWidthValue.Vector512)]
    public void ProbabilitiesMatchTheDoubleReferenceAtEveryWidth(int value)
    {
        var width = (SimdWidth)value;
        // 7/17/33 outputs: layers wider and narrower than a register, and strips with leftovers.
        int[] sizes = [29, 33, 17, 7];
        MlpNetwork network = TestData.Network(sizes, MlpActivation.LeakyRelu, seed: 11);
        var scoring = new MlpScoringNetwork(network, width);
        const int rows = 23;
        float[] features = TestData.Uniform(rows * sizes[0], new Random(12));
        var probabilities = new float[rows * sizes[^1]];
        scoring.PredictProbabilities(features, rows, probabilities, scoring.CreateWorkspace(8));

        double[] logits = ReferenceMlp.Logits<double>(sizes, MlpActivation.LeakyRelu, 0.01, 1.0, TestData.ToDouble(network.Weights),
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
    [DataRow(SimdWidthValue.Scalar)]
    [DataRow(SimdWidthValue.Vector128)]
    [DataRow(SimdWidthValue.Vector256)]
    [DataRow(SimdWidthValue.Vector512)]
    public void ARowScoresTheSameBitsAloneAsInAnyBlock(int value)
    {
        var width = (SimdWidth)value;
        // 784 → 200 → 33 → 10 covers 8-register strips (single rows), 4-register strips, single registers and scalar tails.
        int[] sizes = [784, 200, 33, 10];
        MlpNetwork network = TestData.Network(sizes, MlpActivation.Gelu, seed: 13);
        var scoring = new MlpScoringNetwork(network, width);
        const int rows = 11;
        float[] features = TestData.Uniform(rows * 784, new Random(14), 0f, 1f);
        var batch = new float[rows * 10];
        scoring.PredictProbabilities(features, rows, batch, scoring.CreateWorkspace(rows));
        var chunked = new float[rows * 10];
        scoring.PredictProbabilities(features, rows, chunked, scoring.CreateWorkspace(3));
        CollectionAssert.AreEqual(batch, chunked);
        var one = new float[10];
        MlpInferenceWorkspace single = scoring.CreateWorkspace(1);
        for (int r = 0; r < rows; r++)
        {
            scoring.PredictProbabilities(features.AsSpan(r * 784, 784), 1, one, single);
            CollectionAssert.AreEqual(batch[(r * 10)..((r + 1) * 10)], one, $"row {r}");
        }
    }

    [TestMethod]
    public void AgreesWithTheTrainingNetworkAndDoesNotAllocate()
    {
        MlpNetwork network = TestData.Network([784, 128, 128, 10], MlpActivation.LeakyRelu, seed: 15);
        var scoring = new MlpScoringNetwork(network);
        float[] features = TestData.Uniform(784 * 64, new Random(16), 0f, 1f);
        var expected = new float[64 * 10];
        network.PredictProbabilities(features, 64, expected, network.CreateInferenceWorkspace(64));
        var actual = new float[64 * 10];
        MlpInferenceWorkspace workspace = scoring.CreateWorkspace(64);
        scoring.PredictProbabilities(features, 64, actual, workspace);
        for (int i = 0; i < actual.Length; i++)
            Assert.AreEqual(expected[i], actual[i], 1e-5f, $"value {i}");

        // Tiered JIT recompiles hot methods during the first hundreds of calls and may allocate while it does, so the
        // claim is about the steady state: after warm-up, at least one of three windows of 20 calls allocates nothing
        // (a per-call allocation would show in every window).
        long fewest = long.MaxValue;
        for (int window = 0; window < 4; window++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < (window == 0 ? 200 : 20); i++)
            {
                scoring.PredictProbabilities(features.AsSpan(0, 784), 1, actual, workspace);
                scoring.PredictProbabilities(features, 64, actual, workspace);
            }
            if (window > 0) fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        Assert.AreEqual(0, fewest);
    }

    [TestMethod]
    public void WrongSizesAreRejected()
    {
        var scoring = new MlpScoringNetwork(TestData.Network([5, 4, 3], MlpActivation.Relu, seed: 17));
        var workspace = scoring.CreateWorkspace(2);
        Assert.ThrowsExactly<ArgumentException>(() => scoring.PredictProbabilities(new float[9], 2, new float[6], workspace));
        Assert.ThrowsExactly<ArgumentException>(() => scoring.PredictProbabilities(new float[10], 2, new float[5], workspace));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => scoring.CreateWorkspace(0));
    }
}

[TestClass]
public sealed class AlignedBufferTests
{
    [TestMethod]
    public void EveryBufferStartsOnACacheLineAndKeepsItsLength()
    {
        foreach (int length in new[] { 0, 1, 7, 784, 100_352 })
        {
            for (int repeat = 0; repeat < 20; repeat++)
            {
                var buffer = new AlignedBuffer(length);
                Assert.AreEqual(length, buffer.Span.Length);
                if (length == 0) continue;
                nint address = System.Runtime.CompilerServices.Unsafe.ByteOffset(
                    ref System.Runtime.CompilerServices.Unsafe.NullRef<float>(), ref System.Runtime.InteropServices.MemoryMarshal.GetReference(buffer.Span));
                Assert.AreEqual(0, address % 64, $"length {length}");
                buffer.Span.Fill(1f);
                Assert.AreEqual(length, (int)System.Numerics.Tensors.TensorPrimitives.Sum(buffer.Span));
            }
        }
    }
}
