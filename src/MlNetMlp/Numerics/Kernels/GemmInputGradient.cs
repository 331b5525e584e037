namespace MlNetMlp.Numerics;

// C = A·B: the backward input gradient dX = dY·W (and the forward from transposed weights).
internal static partial class Gemm
{
    /// <summary><c>c[m×n] = a[m×k]·b[k×n]</c>.</summary>
    public static void Multiply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n) =>
        Multiply(a, b, c, m, k, n, Simd.Best);

    public static void Multiply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, SimdWidth width) =>
        Multiply(a, b, c, m, k, n, width, Simd.Registers);

    public static void Multiply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, SimdWidth width, RegisterBudget registers)
    {
        CheckSize(a.Length, m, k, nameof(a));
        BroadcastMultiply(a, aRowStride: k, aColumnStride: 1, b, c, m, k, n, width, registers);
    }
}
