using MlNetMlp.Numerics;

namespace MlNetMlp.Tests.Numerics;

[TestClass]
public sealed class GemmTests
{
    // Row counts, reduction lengths and vector-dimension lengths around and inside the register blocks
    // (4 rows × 4 registers, 6 rows × 2 registers) at every width, plus the real layer sizes.
    private static readonly int[] RowCounts = [1, 5, 12, 17];
    private static readonly int[] ReductionLengths = [1, 7, 33, 200];
    private static readonly int[] VectorLengths = [1, 7, 17, 33, 200, 784];

    [TestMethod]
    [DataRow(SimdWidthValue.Scalar)]
    [DataRow(SimdWidthValue.Vector128)]
    [DataRow(SimdWidthValue.Vector256)]
    [DataRow(SimdWidthValue.Vector512)]
    public void LinearForwardMatchesReference(int width)
    {
        var random = new Random(1);
        foreach (int rows in RowCounts)
        foreach (int outputs in ReductionLengths)
        foreach (int inputs in VectorLengths)
        {
            float[] x = TestData.Uniform(rows * inputs, random), w = TestData.Uniform(outputs * inputs, random), b = TestData.Uniform(outputs, random);
            var fast = new float[rows * outputs];
            var reference = new double[rows * outputs];
            Gemm.LinearForward(x, w, b, fast, rows, inputs, outputs, (SimdWidth)width);
            ReferenceGemm.LinearForward<double>(TestData.ToDouble(x), TestData.ToDouble(w), TestData.ToDouble(b), reference, rows, inputs, outputs);
            for (int r = 0; r < rows; r++)
            {
                for (int o = 0; o < outputs; o++)
                {
                    // Float rounding grows with the sum of |terms|; the fast kernel sums in a different order.
                    double magnitude = Math.Abs(b[o]);
                    for (int i = 0; i < inputs; i++) magnitude += Math.Abs(x[r * inputs + i] * w[o * inputs + i]);
                    Assert.AreEqual(reference[r * outputs + o], fast[r * outputs + o], 1e-6 * magnitude + 1e-7,
                        $"rows {rows}, inputs {inputs}, outputs {outputs}, element ({r}, {o})");
                }
            }
        }
    }

    [TestMethod]
    [DataRow(SimdWidthValue.Scalar)]
    [DataRow(SimdWidthValue.Vector128)]
    [DataRow(SimdWidthValue.Vector256)]
    [DataRow(SimdWidthValue.Vector512)]
    public void MultiplyMatchesReferenceBitForBit(int width)
    {
        var random = new Random(2);
        foreach (int m in RowCounts)
        foreach (int k in ReductionLengths)
        foreach (int n in VectorLengths)
        {
            float[] a = TestData.Uniform(m * k, random), b = TestData.Uniform(k * n, random);
            var fast = new float[m * n];
            var reference = new float[m * n];
            ReferenceGemm.Multiply<float>(a, b, reference, m, k, n);
            foreach (RegisterBudget registers in Enum.GetValues<RegisterBudget>())
            {
                fast.AsSpan().Fill(float.NaN); // every element must be written
                Gemm.Multiply(a, b, fast, m, k, n, (SimdWidth)width, registers);
                CollectionAssert.AreEqual(reference, fast, $"m {m}, k {k}, n {n}, {registers} registers");
            }
        }
    }

    [TestMethod]
    [DataRow(SimdWidthValue.Scalar)]
    [DataRow(SimdWidthValue.Vector128)]
    [DataRow(SimdWidthValue.Vector256)]
    [DataRow(SimdWidthValue.Vector512)]
    public void TransposeMultiplyMatchesReferenceBitForBit(int width)
    {
        var random = new Random(3);
        foreach (int m in RowCounts)
        foreach (int k in ReductionLengths)
        foreach (int n in VectorLengths)
        {
            float[] a = TestData.Uniform(k * m, random), b = TestData.Uniform(k * n, random);
            var fast = new float[m * n];
            var reference = new float[m * n];
            ReferenceGemm.TransposeMultiply<float>(a, b, reference, m, k, n);
            foreach (RegisterBudget registers in Enum.GetValues<RegisterBudget>())
            {
                fast.AsSpan().Fill(float.NaN); // every element must be written
                Gemm.TransposeMultiply(a, b, fast, m, k, n, (SimdWidth)width, registers);
                CollectionAssert.AreEqual(reference, fast, $"m {m}, k {k}, n {n}, {registers} registers");
            }
        }
    }

    [TestMethod]
    public void ReferenceProductsAgreeWithHandComputedValues()
    {
        // [1 2; 3 4]·[5 6; 7 8] = [19 22; 43 50]; Aᵀ·B with A = [1 3; 2 4] stored [k×m] gives the same.
        var c = new double[4];
        ReferenceGemm.Multiply<double>([1, 2, 3, 4], [5, 6, 7, 8], c, 2, 2, 2);
        CollectionAssert.AreEqual(new double[] { 19, 22, 43, 50 }, c);
        ReferenceGemm.TransposeMultiply<double>([1, 3, 2, 4], [5, 6, 7, 8], c, 2, 2, 2);
        CollectionAssert.AreEqual(new double[] { 19, 22, 43, 50 }, c);
        // x = [1 2], W = [[1 0]; [2 3]; [-1 1]], b = [0.5 0 1]: y = [1.5 8 2].
        var y = new double[3];
        ReferenceGemm.LinearForward<double>([1, 2], [1, 0, 2, 3, -1, 1], [0.5, 0, 1], y, 1, 2, 3);
        CollectionAssert.AreEqual(new double[] { 1.5, 8, 2 }, y);
    }

    [TestMethod]
    public void LinearForwardGivesEachRowTheSameBitsAloneOrInABatch()
    {
        // Inference on one row and training on a batch must agree exactly, whatever 4×4 block a row falls in.
        var random = new Random(4);
        const int rows = 11, inputs = 37, outputs = 13;
        float[] x = TestData.Uniform(rows * inputs, random), w = TestData.Uniform(outputs * inputs, random), b = TestData.Uniform(outputs, random);
        var batch = new float[rows * outputs];
        Gemm.LinearForward(x, w, b, batch, rows, inputs, outputs);
        var single = new float[outputs];
        for (int r = 0; r < rows; r++)
        {
            Gemm.LinearForward(x.AsSpan(r * inputs, inputs), w, b, single, 1, inputs, outputs);
            CollectionAssert.AreEqual(batch[(r * outputs)..((r + 1) * outputs)], single, $"row {r}");
        }
    }

    [TestMethod]
    public void TransposeFillsEachShareExactly()
    {
        // Shapes around the 8×8 register blocks, split into shares the way the training workers split them.
        var random = new Random(5);
        foreach ((int rows, int columns) in new[] { (1, 1), (7, 9), (8, 8), (17, 33), (128, 784), (10, 128) })
        {
            float[] matrix = TestData.Uniform(rows * columns, random);
            foreach (int shares in new[] { 1, 2, 3 })
            {
                var transposed = new float[rows * columns];
                transposed.AsSpan().Fill(float.NaN);
                for (int share = 0; share < shares; share++)
                {
                    (int first, int count) = WorkerPool.Split(columns, shares, share);
                    Gemm.Transpose(matrix, rows, columns, transposed, first, count);
                }
                for (int r = 0; r < rows; r++)
                    for (int c = 0; c < columns; c++)
                        Assert.AreEqual(matrix[r * columns + c], transposed[c * rows + r], $"{rows}×{columns} in {shares} shares, ({r}, {c})");
            }
        }
    }

    [TestMethod]
    [DataRow(SimdWidthValue.Scalar)]
    [DataRow(SimdWidthValue.Vector128)]
    [DataRow(SimdWidthValue.Vector256)]
    [DataRow(SimdWidthValue.Vector512)]
    public void GatheringForwardMatchesReferenceBitForBitAndLeavesTheRowsGathered(int width)
    {
        var random = new Random(5);
        const int sourceRows = 40;
        foreach (int m in (int[])[1, 3, 4, 5, 6, 12, 17, 100])
        foreach (int inputs in (int[])[1, 7, 33, 200, 784])
        foreach (int outputs in (int[])[1, 7, 17, 33, 64, 128, 200])
        {
            float[] source = TestData.Uniform(sourceRows * inputs, random), weightsT = TestData.Uniform(inputs * outputs, random), bias = TestData.Uniform(outputs, random);
            int[] rows = Enumerable.Range(0, m).Select(_ => random.Next(sourceRows)).ToArray(); // repeats too, like a sampled batch
            var expectedInput = new float[m * inputs];
            for (int r = 0; r < m; r++) source.AsSpan(rows[r] * inputs, inputs).CopyTo(expectedInput.AsSpan(r * inputs));
            var expected = new float[m * outputs];
            ReferenceGemm.Multiply<float>(expectedInput, weightsT, expected, m, inputs, outputs);
            for (int i = 0; i < expected.Length; i++) expected[i] += bias[i % outputs];
            foreach (RegisterBudget registers in Enum.GetValues<RegisterBudget>())
            {
                var gathered = new float[m * inputs];
                var output = new float[m * outputs];
                gathered.AsSpan().Fill(float.NaN);
                output.AsSpan().Fill(float.NaN); // every element must be written
                Gemm.LinearForwardTransposedGathering(source, rows, gathered, weightsT, bias, output, inputs, outputs, (SimdWidth)width, registers);
                string shape = $"m {m}, inputs {inputs}, outputs {outputs}, {registers} registers";
                CollectionAssert.AreEqual(expectedInput, gathered, shape);
                CollectionAssert.AreEqual(expected, output, shape);
            }
        }
    }

    [TestMethod]
    public void GatheringForwardRejectsARowOutsideTheSource()
    {
        var source = new float[3 * 8];
        var buffer = new float[64];
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() =>
            Gemm.LinearForwardTransposedGathering(source, [0, 3], buffer, buffer.AsSpan(0, 8 * 4), buffer.AsSpan(0, 4), buffer.AsSpan(0, 8), 8, 4, SimdWidth.Vector256, RegisterBudget.ThirtyTwo));
        Assert.AreEqual("rows", error.ParamName);
    }

    [TestMethod]
    public void TooShortSpansAreRejected()
    {
        var ok = new float[64];
        Assert.ThrowsExactly<ArgumentException>(() => Gemm.LinearForward(ok.AsSpan(0, 5), ok, ok, ok, 2, 3, 4));
        Assert.ThrowsExactly<ArgumentException>(() => Gemm.Multiply(ok, ok.AsSpan(0, 11), ok, 2, 3, 4));
        Assert.ThrowsExactly<ArgumentException>(() => Gemm.TransposeMultiply(ok, ok, ok.AsSpan(0, 7), 2, 3, 4));
    }
}

/// <summary><see cref="SimdWidth"/> values as ints, for data rows of public test methods.</summary>
internal static class SimdWidthValue
{
    public const int Scalar = (int)SimdWidth.Scalar;
    public const int Vector128 = (int)SimdWidth.Vector128;
    public const int Vector256 = (int)SimdWidth.Vector256;
    public const int Vector512 = (int)SimdWidth.Vector512;
}
