namespace MlNetMlp.Numerics;

/// <summary>
/// The three matrix products of a linear layer, as register-blocked SIMD micro-kernels.
/// All matrices are dense row-major; weights are [outputs × inputs] like nn.Linear.
/// <list type="bullet">
/// <item><see cref="LinearForward(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, int, int, SimdWidth)"/>: Y = X·Wᵀ + b (forward).</item>
/// <item><see cref="Multiply(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, int, int, SimdWidth)"/>: C = A·B (backward dX = dY·W).</item>
/// <item><see cref="TransposeMultiply(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, int, int, SimdWidth)"/>: C = Aᵀ·B (backward dW = dYᵀ·X).</item>
/// </list>
/// Every output element is computed by one fixed sequence of operations that does not depend on
/// its position in a block, so results are identical however the rows are split across threads.
/// <see cref="ReferenceGemm"/> holds the plain loops these are tested against. The kernels are JIT-compiled
/// fully optimized on first use (AggressiveOptimization): they run hot from the first batch.
/// </summary>
internal static partial class Gemm
{
    private static void CheckSize(int length, int rows, int columns, string name)
    {
        if (rows < 0 || columns < 0 || length < (long)rows * columns)
            throw new ArgumentException($"'{name}' holds {length} values; {rows}×{columns} are needed.", name);
    }
}
