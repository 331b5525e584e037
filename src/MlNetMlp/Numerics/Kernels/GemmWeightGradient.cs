namespace MlNetMlp.Numerics;

// C = Aᵀ·B: the backward weight gradient dW = dYᵀ·X.
internal static partial class Gemm
{
    /// <summary><c>c[m×n] = aᵀ·b</c> where <paramref name="a"/> is stored [k×m] and <paramref name="b"/> is [k×n].</summary>
    public static void TransposeMultiply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n) =>
        TransposeMultiply(a, b, c, m, k, n, Simd.Best);

    public static void TransposeMultiply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, SimdWidth width) =>
        TransposeMultiply(a, b, c, m, k, n, width, Simd.Registers);

    public static void TransposeMultiply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, SimdWidth width, RegisterBudget registers)
    {
        CheckSize(a.Length, k, m, nameof(a));
        BroadcastMultiply(a, aRowStride: 1, aColumnStride: m, b, c, m, k, n, width, registers);
    }
}
