using System.Numerics;

namespace MlNetMlp.Numerics;

/// <summary>
/// Plain triple loops for the products in <see cref="Gemm"/>, in any IEEE type: the float versions
/// are what the SIMD kernels are tested against, the double versions feed the gradient check.
/// <see cref="Multiply{T}"/> and <see cref="TransposeMultiply{T}"/> accumulate with fused multiply-add
/// in the same order as the fast kernels, so for float the two agree bit for bit.
/// </summary>
internal static class ReferenceGemm
{
    /// <summary><c>output[r, o] = bias[o] + Σ_i input[r, i]·weights[o, i]</c>.</summary>
    public static void LinearForward<T>(ReadOnlySpan<T> input, ReadOnlySpan<T> weights, ReadOnlySpan<T> bias, Span<T> output, int rows, int inputs, int outputs)
        where T : IFloatingPointIeee754<T>
    {
        for (int r = 0; r < rows; r++)
        {
            for (int o = 0; o < outputs; o++)
            {
                T sum = T.Zero;
                for (int i = 0; i < inputs; i++)
                    sum += input[r * inputs + i] * weights[o * inputs + i];
                output[r * outputs + o] = sum + bias[o];
            }
        }
    }

    /// <summary><c>c[m×n] = a[m×k]·b[k×n]</c>.</summary>
    public static void Multiply<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int k, int n)
        where T : IFloatingPointIeee754<T>
    {
        for (int r = 0; r < m; r++)
        {
            for (int col = 0; col < n; col++)
            {
                T sum = T.Zero;
                for (int s = 0; s < k; s++)
                    sum = T.FusedMultiplyAdd(a[r * k + s], b[s * n + col], sum);
                c[r * n + col] = sum;
            }
        }
    }

    /// <summary><c>c[m×n] = aᵀ·b</c> with <paramref name="a"/> stored [k×m].</summary>
    public static void TransposeMultiply<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int k, int n)
        where T : IFloatingPointIeee754<T>
    {
        for (int r = 0; r < m; r++)
        {
            for (int col = 0; col < n; col++)
            {
                T sum = T.Zero;
                for (int s = 0; s < k; s++)
                    sum = T.FusedMultiplyAdd(a[s * m + r], b[s * n + col], sum);
                c[r * n + col] = sum;
            }
        }
    }
}
