namespace MlNetMlp.Numerics;

// Y = X·Wᵀ + b from weights stored transposed [inputs × outputs]: the broadcast product plus the bias.
internal static partial class Gemm
{
    /// <summary>
    /// Whether a layer with <paramref name="outputs"/> outputs computes its forward product faster from transposed
    /// weights ([inputs × outputs], <see cref="LinearForwardTransposed"/>): the broadcast kernel runs at full register
    /// width with no horizontal sums, ~1.5–2× the dot-product kernel on the reference shapes, once a layer is at least
    /// two registers wide (narrower layers, like a 10-class output, would run mostly in the scalar tail: measured
    /// 23 vs 40 GFLOP/s for 128→10 with 256-bit registers).
    /// </summary>
    public static bool ForwardPrefersTransposed(int outputs, SimdWidth width) => width != SimdWidth.Scalar && outputs >= 2 * (int)width;

    /// <summary>
    /// <c>output[r, o] = bias[o] + Σ_i input[r, i]·weightsTransposed[i, o]</c>: the forward product from weights stored
    /// [inputs × outputs] (see <see cref="Transpose"/>).
    /// </summary>
    public static void LinearForwardTransposed(ReadOnlySpan<float> input, ReadOnlySpan<float> weightsTransposed, ReadOnlySpan<float> bias, Span<float> output,
        int rows, int inputs, int outputs, SimdWidth width)
    {
        CheckSize(bias.Length, 1, outputs, nameof(bias));
        Multiply(input, weightsTransposed, output, rows, inputs, outputs, width);
        AddBias(output, bias, rows, outputs);
    }

    /// <summary><c>output[r, :] += bias</c> for each of <paramref name="rows"/> rows, after the products.</summary>
    private static void AddBias(Span<float> output, ReadOnlySpan<float> bias, int rows, int outputs)
    {
        for (int r = 0; r < rows; r++)
        {
            Span<float> row = output.Slice(r * outputs, outputs);
            System.Numerics.Tensors.TensorPrimitives.Add(row, bias, row);
        }
    }
}
