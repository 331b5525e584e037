using MlNetMlp.Numerics;

namespace MlNetMlp.Tests.Numerics;

/// <summary>The scoring snapshot (transposed wide layers) against the training network and the double reference.</summary>
[TestClass]
public sealed class ScoringNetworkTests
{
    [TestMethod]
    [DataRow(MlpActivation.Relu, new[] { 13, 5 })]
    [DataRow(MlpActivation.Tanh, new[] { 13, 17, 5 })]
    [DataRow(MlpActivation.Elu, new[] { 13, 17, 9, 5 })]
    [DataRow(MlpActivation.Gelu, new[] { 13, 33, 7, 5 })]
    [DataRow(MlpActivation.LeakyRelu, new[] { 29, 33, 17, 7 })]
    public void ProbabilitiesMatchTheDoubleReferenceAtEveryWidth(MlpActivation activation, int[] sizes)
    {
        // 5/7/17/33 outputs: layers wider and narrower than a register (transposed or not), strips with leftovers.
        MlpNetwork network = TestData.Network(sizes, activation, seed: 3);
        const int rows = 23;
        float[] features = TestData.Uniform(rows * sizes[0], new Random(4));
        double[] logits = ReferenceMlp.Logits<double>(sizes, activation, 0.01, 1.0, TestData.ToDouble(network.Weights),
            TestData.ToDouble(network.Biases), TestData.ToDouble(features), rows);
        int classes = sizes[^1];
        var expected = new double[classes];
        foreach (SimdWidth width in Simd.All)
        {
            var scoring = new MlpScoringNetwork(network, width);
            var probabilities = new float[rows * classes];
            scoring.PredictProbabilities(features, rows, probabilities, scoring.CreateWorkspace(8)); // 23 rows in chunks of 8
            for (int r = 0; r < rows; r++)
            {
                SoftmaxCrossEntropy.Softmax<double>(logits.AsSpan(r * classes, classes), expected);
                for (int c = 0; c < classes; c++)
                    Assert.AreEqual(expected[c], probabilities[r * classes + c], 1e-6, $"{width}, row {r}, class {c}");
            }
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
    public void CopyFromFollowsTheTrainingWeightsAndNothingAllocatesInTheSteadyState()
    {
        MlpNetwork network = TestData.Network([784, 128, 128, 10], MlpActivation.LeakyRelu, seed: 15);
        var scoring = new MlpScoringNetwork(network);
        float[] features = TestData.Uniform(784 * 64, new Random(16), 0f, 1f);
        MlpInferenceWorkspace workspace = scoring.CreateWorkspace(64);
        var before = new float[64 * 10];
        scoring.PredictProbabilities(features, 64, before, workspace);

        network.Weights[0][5] += 0.5f; // training moved the weights on
        network.Biases[2][3] -= 0.25f;
        scoring.CopyFrom(network);
        var refreshed = new float[64 * 10];
        scoring.PredictProbabilities(features, 64, refreshed, workspace);
        var fresh = new float[64 * 10];
        var snapshot = new MlpScoringNetwork(network);
        snapshot.PredictProbabilities(features, 64, fresh, snapshot.CreateWorkspace(64));
        CollectionAssert.AreEqual(fresh, refreshed);
        CollectionAssert.AreNotEqual(before, refreshed);
        Assert.ThrowsExactly<ArgumentException>(() => scoring.CopyFrom(TestData.Network([784, 64, 10], MlpActivation.LeakyRelu, seed: 1)));

        // Tiered JIT recompiles hot methods during the first hundreds of calls and may allocate while it does, so the
        // claim is about the steady state: after warm-up, at least one of three windows of 20 calls allocates nothing
        // (a per-call allocation would show in every window).
        var actual = new float[64 * 10];
        long fewest = long.MaxValue;
        for (int window = 0; window < 4; window++)
        {
            long start = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < (window == 0 ? 200 : 20); i++)
            {
                scoring.PredictProbabilities(features.AsSpan(0, 784), 1, actual, workspace);
                scoring.PredictProbabilities(features, 64, actual, workspace);
                scoring.CopyFrom(network);
            }
            if (window > 0) fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - start);
        }
        Assert.AreEqual(0, fewest);
    }

    [TestMethod]
    public void ConcurrentPredictionsWithSeparateWorkspacesAgreeWithSequentialOnes()
    {
        MlpNetwork network = TestData.Network([50, 40, 30, 6], MlpActivation.Sigmoid, seed: 9);
        var scoring = new MlpScoringNetwork(network);
        const int rows = 200;
        float[] features = TestData.Uniform(rows * 50, new Random(10));
        var expected = new float[rows * 6];
        scoring.PredictProbabilities(features, rows, expected, scoring.CreateWorkspace(1));

        var results = new float[4][];
        Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, t =>
        {
            MlpInferenceWorkspace workspace = scoring.CreateWorkspace(1);
            var output = new float[rows * 6];
            for (int repeat = 0; repeat < 20; repeat++)
                for (int r = (t * 7) % rows, n = 0; n < rows; n++, r = (r + 1) % rows)
                    scoring.PredictProbabilities(features.AsSpan(r * 50, 50), 1, output.AsSpan(r * 6, 6), workspace);
            results[t] = output;
        });
        foreach (float[] result in results)
            CollectionAssert.AreEqual(expected, result);
    }

    [TestMethod]
    public void WrongSizesAreRejected()
    {
        var scoring = new MlpScoringNetwork(TestData.Network([4, 3, 2], MlpActivation.Relu, seed: 1));
        MlpInferenceWorkspace workspace = scoring.CreateWorkspace(2);
        Assert.ThrowsExactly<ArgumentException>(() => scoring.PredictProbabilities(new float[7], 2, new float[4], workspace));
        Assert.ThrowsExactly<ArgumentException>(() => scoring.PredictProbabilities(new float[8], 2, new float[3], workspace));
        MlpInferenceWorkspace tooSmall = new MlpScoringNetwork(TestData.Network([4, 2, 2], MlpActivation.Relu, 1)).CreateWorkspace(2);
        Assert.ThrowsExactly<ArgumentException>(() => scoring.PredictProbabilities(new float[8], 2, new float[4], tooSmall));
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
