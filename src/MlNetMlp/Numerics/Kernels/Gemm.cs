using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

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

    /// <summary>
    /// <c>output[r, o] = bias[o] + Σ_i input[r, i]·weights[o, i]</c>. Both operands are read along
    /// their contiguous rows, so each output is a dot product: 4 rows × 4 outputs share every load.
    /// </summary>
    public static void LinearForward(ReadOnlySpan<float> input, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, Span<float> output, int rows, int inputs, int outputs) =>
        LinearForward(input, weights, bias, output, rows, inputs, outputs, DotProductWidth);

    /// <summary>
    /// Dot products end in a horizontal sum per output, and unaligned 64-byte loads always straddle two
    /// cache lines; on CPUs that execute 512-bit FMAs as two 256-bit halves (AMD Zen 4) 256-bit
    /// registers are measurably faster here (~100 vs ~90 GFLOP/s for 784→256, 4.0 vs 4.4 µs for one
    /// 784→128 row), so this kernel stops at 256 bits.
    /// </summary>
    public static readonly SimdWidth DotProductWidth = Simd.Best == SimdWidth.Vector512 ? SimdWidth.Vector256 : Simd.Best;

    public static void LinearForward(ReadOnlySpan<float> input, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, Span<float> output, int rows, int inputs, int outputs, SimdWidth width)
    {
        CheckSize(input.Length, rows, inputs, nameof(input));
        CheckSize(weights.Length, outputs, inputs, nameof(weights));
        CheckSize(bias.Length, 1, outputs, nameof(bias));
        CheckSize(output.Length, rows, outputs, nameof(output));
        ref float x = ref MemoryMarshal.GetReference(input);
        ref float w = ref MemoryMarshal.GetReference(weights);
        ref float b = ref MemoryMarshal.GetReference(bias);
        ref float y = ref MemoryMarshal.GetReference(output);
        switch (width)
        {
            case SimdWidth.Vector512: LinearForward<Vector512Ops, Vector512<float>>(ref x, ref w, ref b, ref y, rows, inputs, outputs); break;
            case SimdWidth.Vector256: LinearForward<Vector256Ops, Vector256<float>>(ref x, ref w, ref b, ref y, rows, inputs, outputs); break;
            case SimdWidth.Vector128: LinearForward<Vector128Ops, Vector128<float>>(ref x, ref w, ref b, ref y, rows, inputs, outputs); break;
            default: LinearForward<ScalarOps, float>(ref x, ref w, ref b, ref y, rows, inputs, outputs); break;
        }
    }

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

    /// <summary>
    /// Rows of B per k-block of the broadcast kernels: a strip's block stays in L1 while every row tile passes over it
    /// (see <see cref="BroadcastColumns{TOps, TVector}"/>).
    /// </summary>
    private static int KBlock(int lanes) => Math.Max(16, 1024 / lanes);

    /// <summary>
    /// Rows <paramref name="firstRow"/> .. +<paramref name="rowCount"/> of the transpose of <paramref name="matrix"/>
    /// ([<paramref name="rows"/> × <paramref name="columns"/>] row-major): <c>transposed[c, r] = matrix[r, c]</c>, so
    /// workers can each fill a share.
    /// </summary>
    public static void Transpose(ReadOnlySpan<float> matrix, int rows, int columns, Span<float> transposed, int firstRow, int rowCount)
    {
        CheckSize(matrix.Length, rows, columns, nameof(matrix));
        CheckSize(transposed.Length, columns, rows, nameof(transposed));
        if (firstRow < 0 || rowCount < 0 || firstRow + rowCount > columns) throw new ArgumentOutOfRangeException(nameof(rowCount));
        int end = firstRow + rowCount;
        int c = firstRow;
        if (Avx.IsSupported)
        {
            // 8×8 blocks transposed in registers: whole 32-byte rows in and out instead of one strided float at a time
            // (measured 4–5× faster for 128×784, which training transposes every step).
            ref float source = ref MemoryMarshal.GetReference(matrix);
            ref float target = ref MemoryMarshal.GetReference(transposed);
            int blockRows = rows - rows % 8;
            for (; c + 8 <= end; c += 8)
            {
                for (int r = 0; r < blockRows; r += 8)
                    Transpose8x8(ref Unsafe.Add(ref source, (nint)r * columns + c), columns, ref Unsafe.Add(ref target, (nint)c * rows + r), rows);
                for (int r = blockRows; r < rows; r++)
                    for (int j = 0; j < 8; j++)
                        transposed[(c + j) * rows + r] = matrix[r * columns + c + j];
            }
        }
        for (; c < end; c++)
        {
            Span<float> destination = transposed.Slice(c * rows, rows);
            for (int r = 0; r < rows; r++)
                destination[r] = matrix[r * columns + c];
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(ref float source, nint sourceStride, ref float target, nint targetStride)
    {
        Vector256<float> r0 = Vector256.LoadUnsafe(ref source), r1 = Vector256.LoadUnsafe(ref source, (nuint)sourceStride);
        Vector256<float> r2 = Vector256.LoadUnsafe(ref source, (nuint)(2 * sourceStride)), r3 = Vector256.LoadUnsafe(ref source, (nuint)(3 * sourceStride));
        Vector256<float> r4 = Vector256.LoadUnsafe(ref source, (nuint)(4 * sourceStride)), r5 = Vector256.LoadUnsafe(ref source, (nuint)(5 * sourceStride));
        Vector256<float> r6 = Vector256.LoadUnsafe(ref source, (nuint)(6 * sourceStride)), r7 = Vector256.LoadUnsafe(ref source, (nuint)(7 * sourceStride));
        // Interleave pairs of rows, then pairs of pairs, then swap 128-bit halves.
        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1), t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5), t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);
        Vector256<float> u0 = Avx.Shuffle(t0, t2, 0x44), u1 = Avx.Shuffle(t0, t2, 0xEE), u2 = Avx.Shuffle(t1, t3, 0x44), u3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> u4 = Avx.Shuffle(t4, t6, 0x44), u5 = Avx.Shuffle(t4, t6, 0xEE), u6 = Avx.Shuffle(t5, t7, 0x44), u7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Permute2x128(u0, u4, 0x20).StoreUnsafe(ref target);
        Avx.Permute2x128(u1, u5, 0x20).StoreUnsafe(ref target, (nuint)targetStride);
        Avx.Permute2x128(u2, u6, 0x20).StoreUnsafe(ref target, (nuint)(2 * targetStride));
        Avx.Permute2x128(u3, u7, 0x20).StoreUnsafe(ref target, (nuint)(3 * targetStride));
        Avx.Permute2x128(u0, u4, 0x31).StoreUnsafe(ref target, (nuint)(4 * targetStride));
        Avx.Permute2x128(u1, u5, 0x31).StoreUnsafe(ref target, (nuint)(5 * targetStride));
        Avx.Permute2x128(u2, u6, 0x31).StoreUnsafe(ref target, (nuint)(6 * targetStride));
        Avx.Permute2x128(u3, u7, 0x31).StoreUnsafe(ref target, (nuint)(7 * targetStride));
    }

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

    private static void CheckSize(int length, int rows, int columns, string name)
    {
        if (rows < 0 || columns < 0 || length < (long)rows * columns)
            throw new ArgumentException($"'{name}' holds {length} values; {rows}×{columns} are needed.", name);
    }

    // ---- Y = X·Wᵀ + b: dot products ------------------------------------------------------------

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void LinearForward<TOps, TVector>(ref float input, ref float weights, ref float bias, ref float output, int rows, int inputs, int outputs)
        where TOps : struct, IVectorOps<TVector>
        where TVector : struct
    {
        nuint length = (nuint)inputs;
        nuint vectorEnd = length - length % (nuint)TOps.Count;
        int row = 0;
        for (; row + 4 <= rows; row += 4)
        {
            ref float x = ref Unsafe.Add(ref input, (nint)row * inputs);
            ref float y = ref Unsafe.Add(ref output, (nint)row * outputs);
            int o = 0;
            for (; o + 4 <= outputs; o += 4)
                Dot4x4<TOps, TVector>(ref x, ref Unsafe.Add(ref weights, (nint)o * inputs), inputs, ref Unsafe.Add(ref bias, o), ref Unsafe.Add(ref y, o), outputs, vectorEnd, length);
            for (; o < outputs; o++)
                Dot4x1<TOps, TVector>(ref x, ref Unsafe.Add(ref weights, (nint)o * inputs), inputs, Unsafe.Add(ref bias, o), ref Unsafe.Add(ref y, o), outputs, vectorEnd, length);
        }
        for (; row < rows; row++)
        {
            ref float x = ref Unsafe.Add(ref input, (nint)row * inputs);
            ref float y = ref Unsafe.Add(ref output, (nint)row * outputs);
            int o = 0;
            for (; o + 4 <= outputs; o += 4)
                Dot1x4<TOps, TVector>(ref x, ref Unsafe.Add(ref weights, (nint)o * inputs), inputs, ref Unsafe.Add(ref bias, o), ref Unsafe.Add(ref y, o), vectorEnd, length);
            for (; o < outputs; o++)
                Unsafe.Add(ref y, o) = Dot1x1<TOps, TVector>(ref x, ref Unsafe.Add(ref weights, (nint)o * inputs), vectorEnd, length) + Unsafe.Add(ref bias, o);
        }
    }

    /// <summary>Horizontal sum of the vector part, then the leftover elements with scalar FMA.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float FinishDot<TOps, TVector>(TVector partial, ref float x, ref float w, nuint vectorEnd, nuint length)
        where TOps : struct, IVectorOps<TVector>
        where TVector : struct
    {
        float sum = TOps.Sum(partial);
        for (nuint i = vectorEnd; i < length; i++)
            sum = MathF.FusedMultiplyAdd(Unsafe.Add(ref x, i), Unsafe.Add(ref w, i), sum);
        return sum;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Dot4x4<TOps, TVector>(ref float x0, ref float w0, nint stride, ref float bias, ref float y, nint yStride, nuint vectorEnd, nuint length)
        where TOps : struct, IVectorOps<TVector>
        where TVector : struct
    {
        ref float x1 = ref Unsafe.Add(ref x0, stride);
        ref float x2 = ref Unsafe.Add(ref x1, stride);
        ref float x3 = ref Unsafe.Add(ref x2, stride);
        ref float w1 = ref Unsafe.Add(ref w0, stride);
        ref float w2 = ref Unsafe.Add(ref w1, stride);
        ref float w3 = ref Unsafe.Add(ref w2, stride);
        TVector s00 = default, s01 = default, s02 = default, s03 = default;
        TVector s10 = default, s11 = default, s12 = default, s13 = default;
        TVector s20 = default, s21 = default, s22 = default, s23 = default;
        TVector s30 = default, s31 = default, s32 = default, s33 = default;
        for (nuint i = 0; i < vectorEnd; i += (nuint)TOps.Count)
        {
            TVector wv0 = TOps.Load(ref w0, i), wv1 = TOps.Load(ref w1, i), wv2 = TOps.Load(ref w2, i), wv3 = TOps.Load(ref w3, i);
            TVector xv = TOps.Load(ref x0, i);
            s00 = TOps.MultiplyAdd(xv, wv0, s00); s01 = TOps.MultiplyAdd(xv, wv1, s01); s02 = TOps.MultiplyAdd(xv, wv2, s02); s03 = TOps.MultiplyAdd(xv, wv3, s03);
            xv = TOps.Load(ref x1, i);
            s10 = TOps.MultiplyAdd(xv, wv0, s10); s11 = TOps.MultiplyAdd(xv, wv1, s11); s12 = TOps.MultiplyAdd(xv, wv2, s12); s13 = TOps.MultiplyAdd(xv, wv3, s13);
            xv = TOps.Load(ref x2, i);
            s20 = TOps.MultiplyAdd(xv, wv0, s20); s21 = TOps.MultiplyAdd(xv, wv1, s21); s22 = TOps.MultiplyAdd(xv, wv2, s22); s23 = TOps.MultiplyAdd(xv, wv3, s23);
            xv = TOps.Load(ref x3, i);
            s30 = TOps.MultiplyAdd(xv, wv0, s30); s31 = TOps.MultiplyAdd(xv, wv1, s31); s32 = TOps.MultiplyAdd(xv, wv2, s32); s33 = TOps.MultiplyAdd(xv, wv3, s33);
        }
        float b0 = bias, b1 = Unsafe.Add(ref bias, 1), b2 = Unsafe.Add(ref bias, 2), b3 = Unsafe.Add(ref bias, 3);
        ref float y1 = ref Unsafe.Add(ref y, yStride);
        ref float y2 = ref Unsafe.Add(ref y1, yStride);
        ref float y3 = ref Unsafe.Add(ref y2, yStride);
        y = FinishDot<TOps, TVector>(s00, ref x0, ref w0, vectorEnd, length) + b0;
        Unsafe.Add(ref y, 1) = FinishDot<TOps, TVector>(s01, ref x0, ref w1, vectorEnd, length) + b1;
        Unsafe.Add(ref y, 2) = FinishDot<TOps, TVector>(s02, ref x0, ref w2, vectorEnd, length) + b2;
        Unsafe.Add(ref y, 3) = FinishDot<TOps, TVector>(s03, ref x0, ref w3, vectorEnd, length) + b3;
        y1 = FinishDot<TOps, TVector>(s10, ref x1, ref w0, vectorEnd, length) + b0;
        Unsafe.Add(ref y1, 1) = FinishDot<TOps, TVector>(s11, ref x1, ref w1, vectorEnd, length) + b1;
        Unsafe.Add(ref y1, 2) = FinishDot<TOps, TVector>(s12, ref x1, ref w2, vectorEnd, length) + b2;
        Unsafe.Add(ref y1, 3) = FinishDot<TOps, TVector>(s13, ref x1, ref w3, vectorEnd, length) + b3;
        y2 = FinishDot<TOps, TVector>(s20, ref x2, ref w0, vectorEnd, length) + b0;
        Unsafe.Add(ref y2, 1) = FinishDot<TOps, TVector>(s21, ref x2, ref w1, vectorEnd, length) + b1;
        Unsafe.Add(ref y2, 2) = FinishDot<TOps, TVector>(s22, ref x2, ref w2, vectorEnd, length) + b2;
        Unsafe.Add(ref y2, 3) = FinishDot<TOps, TVector>(s23, ref x2, ref w3, vectorEnd, length) + b3;
        y3 = FinishDot<TOps, TVector>(s30, ref x3, ref w0, vectorEnd, length) + b0;
        Unsafe.Add(ref y3, 1) = FinishDot<TOps, TVector>(s31, ref x3, ref w1, vectorEnd, length) + b1;
        Unsafe.Add(ref y3, 2) = FinishDot<TOps, TVector>(s32, ref x3, ref w2, vectorEnd, length) + b2;
        Unsafe.Add(ref y3, 3) = FinishDot<TOps, TVector>(s33, ref x3, ref w3, vectorEnd, length) + b3;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Dot4x1<TOps, TVector>(ref float x0, ref float w, nint stride, float bias, ref float y, nint yStride, nuint vectorEnd, nuint length)
        where TOps : struct, IVectorOps<TVector>
        where TVector : struct
    {
        ref float x1 = ref Unsafe.Add(ref x0, stride);
        ref float x2 = ref Unsafe.Add(ref x1, stride);
        ref float x3 = ref Unsafe.Add(ref x2, stride);
        TVector s0 = default, s1 = default, s2 = default, s3 = default;
        for (nuint i = 0; i < vectorEnd; i += (nuint)TOps.Count)
        {
            TVector wv = TOps.Load(ref w, i);
            s0 = TOps.MultiplyAdd(TOps.Load(ref x0, i), wv, s0);
            s1 = TOps.MultiplyAdd(TOps.Load(ref x1, i), wv, s1);
            s2 = TOps.MultiplyAdd(TOps.Load(ref x2, i), wv, s2);
            s3 = TOps.MultiplyAdd(TOps.Load(ref x3, i), wv, s3);
        }
        y = FinishDot<TOps, TVector>(s0, ref x0, ref w, vectorEnd, length) + bias;
        Unsafe.Add(ref y, yStride) = FinishDot<TOps, TVector>(s1, ref x1, ref w, vectorEnd, length) + bias;
        Unsafe.Add(ref y, 2 * yStride) = FinishDot<TOps, TVector>(s2, ref x2, ref w, vectorEnd, length) + bias;
        Unsafe.Add(ref y, 3 * yStride) = FinishDot<TOps, TVector>(s3, ref x3, ref w, vectorEnd, length) + bias;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Dot1x4<TOps, TVector>(ref float x, ref float w0, nint stride, ref float bias, ref float y, nuint vectorEnd, nuint length)
        where TOps : struct, IVectorOps<TVector>
        where TVector : struct
    {
        ref float w1 = ref Unsafe.Add(ref w0, stride);
        ref float w2 = ref Unsafe.Add(ref w1, stride);
        ref float w3 = ref Unsafe.Add(ref w2, stride);
        TVector s0 = default, s1 = default, s2 = default, s3 = default;
        for (nuint i = 0; i < vectorEnd; i += (nuint)TOps.Count)
        {
            TVector xv = TOps.Load(ref x, i);
            s0 = TOps.MultiplyAdd(xv, TOps.Load(ref w0, i), s0);
            s1 = TOps.MultiplyAdd(xv, TOps.Load(ref w1, i), s1);
            s2 = TOps.MultiplyAdd(xv, TOps.Load(ref w2, i), s2);
            s3 = TOps.MultiplyAdd(xv, TOps.Load(ref w3, i), s3);
        }
        y = FinishDot<TOps, TVector>(s0, ref x, ref w0, vectorEnd, length) + bias;
        Unsafe.Add(ref y, 1) = FinishDot<TOps, TVector>(s1, ref x, ref w1, vectorEnd, length) + Unsafe.Add(ref bias, 1);
        Unsafe.Add(ref y, 2) = FinishDot<TOps, TVector>(s2, ref x, ref w2, vectorEnd, length) + Unsafe.Add(ref bias, 2);
        Unsafe.Add(ref y, 3) = FinishDot<TOps, TVector>(s3, ref x, ref w3, vectorEnd, length) + Unsafe.Add(ref bias, 3);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float Dot1x1<TOps, TVector>(ref float x, ref float w, nuint vectorEnd, nuint length)
        where TOps : struct, IVectorOps<TVector>
        where TVector : struct
    {
        TVector s = default;
        for (nuint i = 0; i < vectorEnd; i += (nuint)TOps.Count)
            s = TOps.MultiplyAdd(TOps.Load(ref x, i), TOps.Load(ref w, i), s);
        return FinishDot<TOps, TVector>(s, ref x, ref w, vectorEnd, length);
    }

    // ---- C = A·B and C = Aᵀ·B: broadcast one A element against a row strip of B -------------------
    // A(r, s) = a[r·aRowStride + s·aColumnStride] covers both A and Aᵀ. Each C element is
    // c = fma(A(r, s), B(s, col), c) for s = 0, 1, ..., k−1, starting from 0, in every path.

    // Register tiles of the broadcast kernels: 4 rows × 4 registers needs 16 accumulators plus 5 operand registers,
    // which spills with 16 registers (x64 without AVX-512); 6 rows × 2 registers needs 12 + 3. Measured with 256-bit
    // registers on a 16-register CPU (AMD Zen 3), 100-row shares: 784→128 input gradient 51 → 79 GFLOP/s, weight
    // gradient 49 → 72, forward from transposed weights 48 → 63.

    private static void BroadcastMultiply(ReadOnlySpan<float> a, int aRowStride, int aColumnStride, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, SimdWidth width, RegisterBudget registers)
    {
        CheckSize(b.Length, k, n, nameof(b));
        CheckSize(c.Length, m, n, nameof(c));
        ref float aRef = ref MemoryMarshal.GetReference(a);
        ref float bRef = ref MemoryMarshal.GetReference(b);
        ref float cRef = ref MemoryMarshal.GetReference(c);
        int done = width switch
        {
            SimdWidth.Vector512 => BroadcastMultiply<Vector512Ops, Vector512<float>>(ref aRef, aRowStride, aColumnStride, ref bRef, ref cRef, m, k, n, registers),
            SimdWidth.Vector256 => BroadcastMultiply<Vector256Ops, Vector256<float>>(ref aRef, aRowStride, aColumnStride, ref bRef, ref cRef, m, k, n, registers),
            SimdWidth.Vector128 => BroadcastMultiply<Vector128Ops, Vector128<float>>(ref aRef, aRowStride, aColumnStride, ref bRef, ref cRef, m, k, n, registers),
            _ => 0,
        };
        BroadcastColumns<ScalarOps, float>(ref aRef, aRowStride, aColumnStride, ref bRef, ref cRef, m, k, n, done);
    }

    /// <summary>All columns at one register width, in tiles sized for <paramref name="registers"/>; returns the first column left over (fewer than one register).</summary>
    private static int BroadcastMultiply<TOps, TVector>(ref float a, nint aRowStride, nint aColumnStride, ref float b, ref float c, int m, int k, int n, RegisterBudget registers)
        where TOps : struct, IVectorOps<TVector>
        where TVector : struct
    {
        int column = registers == RegisterBudget.Sixteen ? BroadcastSixByTwo<TOps, TVector>(ref a, aRowStride, aColumnStride, ref b, ref c, m, k, n) : 0;
        return BroadcastColumns<TOps, TVector>(ref a, aRowStride, aColumnStride, ref b, ref c, m, k, n, column);
    }

    /// <summary>
    /// The columns in whole strips of 2 registers, rows in tiles of 6 (k-blocked like the 4×4 path); the 0–5 rows left
    /// over take single-row strips. Returns the first column not filled.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int BroadcastSixByTwo<TOps, TVector>(ref float a, nint aRowStride, nint aColumnStride, ref float b, ref float c, int m, int k, int n)
        where TOps : struct, IVectorOps<TVector>
        where TVector : struct
    {
        int width = TOps.Count;
        int kBlock = KBlock(width);
        int tiledRows = m - m % 6;
        int column = 0;
        for (; column + 2 * width <= n; column += 2 * width)
            for (int k0 = 0; k0 < k; k0 += kBlock)
            {
                int kLength = Math.Min(kBlock, k - k0);
                ref float aBlock = ref Unsafe.Add(ref a, k0 * aColumnStride);
                ref float bBlock = ref Unsafe.Add(ref b, (nint)k0 * n + column);
                for (int row = 0; row < tiledRows; row += 6)
                    Broadcast6x2<TOps, TVector>(ref Unsafe.Add(ref aBlock, row * aRowStride), aRowStride, aColumnStride, ref bBlock, n, ref Unsafe.Add(ref c, (nint)row * n + column), n, kLength, accumulate: k0 > 0);
            }
        for (int row = tiledRows; row < m; row++)
        {
            ref float aRow = ref Unsafe.Add(ref a, row * aRowStride);
            ref float cRow = ref Unsafe.Add(ref c, (nint)row * n);
            int strip = 0;
            for (; strip + 8 * width <= column; strip += 8 * width)
                Broadcast1x8<TOps, TVector>(ref aRow, aColumnStride, ref Unsafe.Add(ref b, strip), n, ref Unsafe.Add(ref cRow, strip), k);
            for (; strip < column; strip += width)
                Broadcast1x1<TOps, TVector>(ref aRow, aColumnStride, ref Unsafe.Add(ref b, strip), n, ref Unsafe.Add(ref cRow, strip), k);
        }
        return column;
    }

    /// <summary>
    /// Fills columns from <paramref name="firstColumn"/> on; returns the first column left over. Rows go in
    /// tiles of 4 (strips of 4 registers, then 1); the 0–3 rows left over (a single row when scoring one at a
    /// time) take strips of 8 registers first, so 8 independent FMA chains hide the latency 4 chains cannot.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int BroadcastColumns<TOps, TVector>(ref float a, nint aRowStride, nint aColumnStride, ref float b, ref float c, int m, int k, int n, int firstColumn)
        where TOps : struct, IVectorOps<TVector>
        where TVector : struct
    {
        int width = TOps.Count;
        int tiledRows = m - m % 4;
        int column = firstColumn;
        // Cache blocking: kBlock rows of a 4-register strip of B (16 KB) stay in L1 while every 4-row tile passes
        // over them; without it each tile streams the whole strip from L2, which bounds the kernel below its FMA rate.
        // A tile's accumulators go to C between blocks and come back, so each element's FMA sequence is unchanged.
        int kBlock = KBlock(width);
        for (; column + 4 * width <= n; column += 4 * width)
            for (int k0 = 0; k0 < k; k0 += kBlock)
            {
                int kLength = Math.Min(kBlock, k - k0);
                ref float aBlock = ref Unsafe.Add(ref a, k0 * aColumnStride);
                ref float bBlock = ref Unsafe.Add(ref b, (nint)k0 * n + column);
                for (int row = 0; row < tiledRows; row += 4)
                    Broadcast4x4<TOps, TVector>(ref Unsafe.Add(ref aBlock, row * aRowStride), aRowStride, aColumnStride, ref bBlock, n, ref Unsafe.Add(ref c, (nint)row * n + column), n, kLength, accumulate: k0 > 0);
            }
        for (; column + width <= n; column += width)
            for (int row = 0; row < tiledRows; row += 4)
                Broadcast4x1<TOps, TVector>(ref Unsafe.Add(ref a, row * aRowStride), aRowStride, aColumnStride, ref Unsafe.Add(ref b, column), n, ref Unsafe.Add(ref c, (nint)row * n + column), n, k);
        for (int row = tiledRows; row < m; row++)
        {
            ref float aRow = ref Unsafe.Add(ref a, row * aRowStride);
            ref float cRow = ref Unsafe.Add(ref c, (nint)row * n);
            int strip = firstColumn;
            for (; strip + 8 * width <= n; strip += 8 * width)
                Broadcast1x8<TOps, TVector>(ref aRow, aColumnStride, ref Unsafe.Add(ref b, strip), n, ref Unsafe.Add(ref cRow, strip), k);
            for (; strip + 4 * width <= n; strip += 4 * width)
                Broadcast1x4<TOps, TVector>(ref aRow, aColumnStride, ref Unsafe.Add(ref b, strip), n, ref Unsafe.Add(ref cRow, strip), k);
            for (; strip + width <= n; strip += width)
                Broadcast1x1<TOps, TVector>(ref aRow, aColumnStride, ref Unsafe.Add(ref b, strip), n, ref Unsafe.Add(ref cRow, strip), k);
        }
        return column;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Broadcast4x4<TOps, TVector>(ref float a, nint aRowStride, nint aColumnStride, ref float b, nint bStride, ref float c, nint cStride, int k, bool accumulate)
        where TOps : struct, IVectorOps<TVector>
        where TVector : struct
    {
        nuint w = (nuint)TOps.Count;
        TVector c00 = default, c01 = default, c02 = default, c03 = default;
        TVector c10 = default, c11 = default, c12 = default, c13 = default;
        TVector c20 = default, c21 = default, c22 = default, c23 = default;
        TVector c30 = default, c31 = default, c32 = default, c33 = default;
        if (accumulate)
        {
            // Continue the sums of an earlier k-block.
            ref float r1 = ref Unsafe.Add(ref c, cStride);
            ref float r2 = ref Unsafe.Add(ref r1, cStride);
            ref float r3 = ref Unsafe.Add(ref r2, cStride);
            c00 = TOps.Load(ref c, 0); c01 = TOps.Load(ref c, w); c02 = TOps.Load(ref c, 2 * w); c03 = TOps.Load(ref c, 3 * w);
            c10 = TOps.Load(ref r1, 0); c11 = TOps.Load(ref r1, w); c12 = TOps.Load(ref r1, 2 * w); c13 = TOps.Load(ref r1, 3 * w);
            c20 = TOps.Load(ref r2, 0); c21 = TOps.Load(ref r2, w); c22 = TOps.Load(ref r2, 2 * w); c23 = TOps.Load(ref r2, 3 * w);
            c30 = TOps.Load(ref r3, 0); c31 = TOps.Load(ref r3, w); c32 = TOps.Load(ref r3, 2 * w); c33 = TOps.Load(ref r3, 3 * w);
        }
        for (int s = 0; s < k; s++)
        {
            TVector b0 = TOps.Load(ref b, 0), b1 = TOps.Load(ref b, w), b2 = TOps.Load(ref b, 2 * w), b3 = TOps.Load(ref b, 3 * w);
            TVector av = TOps.Broadcast(a);
            c00 = TOps.MultiplyAdd(av, b0, c00); c01 = TOps.MultiplyAdd(av, b1, c01); c02 = TOps.MultiplyAdd(av, b2, c02); c03 = TOps.MultiplyAdd(av, b3, c03);
            av = TOps.Broadcast(Unsafe.Add(ref a, aRowStride));
            c10 = TOps.MultiplyAdd(av, b0, c10); c11 = TOps.MultiplyAdd(av, b1, c11); c12 = TOps.MultiplyAdd(av, b2, c12); c13 = TOps.MultiplyAdd(av, b3, c13);
            av = TOps.Broadcast(Unsafe.Add(ref a, 2 * aRowStride));
            c20 = TOps.MultiplyAdd(av, b0, c20); c21 = TOps.MultiplyAdd(av, b1, c21); c22 = TOps.MultiplyAdd(av, b2, c22); c23 = TOps.MultiplyAdd(av, b3, c23);
            av = TOps.Broadcast(Unsafe.Add(ref a, 3 * aRowStride));
            c30 = TOps.MultiplyAdd(av, b0, c30); c31 = TOps.MultiplyAdd(av, b1, c31); c32 = TOps.MultiplyAdd(av, b2, c32); c33 = TOps.MultiplyAdd(av, b3, c33);
            a = ref Unsafe.Add(ref a, aColumnStride);
            b = ref Unsafe.Add(ref b, bStride);
        }
        TOps.Store(c00, ref c, 0); TOps.Store(c01, ref c, w); TOps.Store(c02, ref c, 2 * w); TOps.Store(c03, ref c, 3 * w);
        c = ref Unsafe.Add(ref c, cStride);
        TOps.Store(c10, ref c, 0); TOps.Store(c11, ref c, w); TOps.Store(c12, ref c, 2 * w); TOps.Store(c13, ref c, 3 * w);
        c = ref Unsafe.Add(ref c, cStride);
        TOps.Store(c20, ref c, 0); TOps.Store(c21, ref c, w); TOps.Store(c22, ref c, 2 * w); TOps.Store(c23, ref c, 3 * w);
        c = ref Unsafe.Add(ref c, cStride);
        TOps.Store(c30, ref c, 0); TOps.Store(c31, ref c, w); TOps.Store(c32, ref c, 2 * w); TOps.Store(c33, ref c, 3 * w);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Broadcast6x2<TOps, TVector>(ref float a, nint aRowStride, nint aColumnStride, ref float b, nint bStride, ref float c, nint cStride, int k, bool accumulate)
        where TOps : struct, IVectorOps<TVector>
        where TVector : struct
    {
        nuint w = (nuint)TOps.Count;
        TVector c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        TVector c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        ref float r1 = ref Unsafe.Add(ref c, cStride);
        ref float r2 = ref Unsafe.Add(ref r1, cStride);
        ref float r3 = ref Unsafe.Add(ref r2, cStride);
        ref float r4 = ref Unsafe.Add(ref r3, cStride);
        ref float r5 = ref Unsafe.Add(ref r4, cStride);
        if (accumulate)
        {
            // Continue the sums of an earlier k-block.
            c00 = TOps.Load(ref c, 0); c01 = TOps.Load(ref c, w);
            c10 = TOps.Load(ref r1, 0); c11 = TOps.Load(ref r1, w);
            c20 = TOps.Load(ref r2, 0); c21 = TOps.Load(ref r2, w);
            c30 = TOps.Load(ref r3, 0); c31 = TOps.Load(ref r3, w);
            c40 = TOps.Load(ref r4, 0); c41 = TOps.Load(ref r4, w);
            c50 = TOps.Load(ref r5, 0); c51 = TOps.Load(ref r5, w);
        }
        for (int s = 0; s < k; s++)
        {
            TVector b0 = TOps.Load(ref b, 0), b1 = TOps.Load(ref b, w);
            TVector av = TOps.Broadcast(a);
            c00 = TOps.MultiplyAdd(av, b0, c00); c01 = TOps.MultiplyAdd(av, b1, c01);
            av = TOps.Broadcast(Unsafe.Add(ref a, aRowStride));
            c10 = TOps.MultiplyAdd(av, b0, c10); c11 = TOps.MultiplyAdd(av, b1, c11);
            av = TOps.Broadcast(Unsafe.Add(ref a, 2 * aRowStride));
            c20 = TOps.MultiplyAdd(av, b0, c20); c21 = TOps.MultiplyAdd(av, b1, c21);
            av = TOps.Broadcast(Unsafe.Add(ref a, 3 * aRowStride));
            c30 = TOps.MultiplyAdd(av, b0, c30); c31 = TOps.MultiplyAdd(av, b1, c31);
            av = TOps.Broadcast(Unsafe.Add(ref a, 4 * aRowStride));
            c40 = TOps.MultiplyAdd(av, b0, c40); c41 = TOps.MultiplyAdd(av, b1, c41);
            av = TOps.Broadcast(Unsafe.Add(ref a, 5 * aRowStride));
            c50 = TOps.MultiplyAdd(av, b0, c50); c51 = TOps.MultiplyAdd(av, b1, c51);
            a = ref Unsafe.Add(ref a, aColumnStride);
            b = ref Unsafe.Add(ref b, bStride);
        }
        TOps.Store(c00, ref c, 0); TOps.Store(c01, ref c, w);
        TOps.Store(c10, ref r1, 0); TOps.Store(c11, ref r1, w);
        TOps.Store(c20, ref r2, 0); TOps.Store(c21, ref r2, w);
        TOps.Store(c30, ref r3, 0); TOps.Store(c31, ref r3, w);
        TOps.Store(c40, ref r4, 0); TOps.Store(c41, ref r4, w);
        TOps.Store(c50, ref r5, 0); TOps.Store(c51, ref r5, w);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Broadcast1x4<TOps, TVector>(ref float a, nint aColumnStride, ref float b, nint bStride, ref float c, int k)
        where TOps : struct, IVectorOps<TVector>
        where TVector : struct
    {
        nuint w = (nuint)TOps.Count;
        TVector c0 = default, c1 = default, c2 = default, c3 = default;
        for (int s = 0; s < k; s++)
        {
            TVector av = TOps.Broadcast(a);
            c0 = TOps.MultiplyAdd(av, TOps.Load(ref b, 0), c0);
            c1 = TOps.MultiplyAdd(av, TOps.Load(ref b, w), c1);
            c2 = TOps.MultiplyAdd(av, TOps.Load(ref b, 2 * w), c2);
            c3 = TOps.MultiplyAdd(av, TOps.Load(ref b, 3 * w), c3);
            a = ref Unsafe.Add(ref a, aColumnStride);
            b = ref Unsafe.Add(ref b, bStride);
        }
        TOps.Store(c0, ref c, 0); TOps.Store(c1, ref c, w); TOps.Store(c2, ref c, 2 * w); TOps.Store(c3, ref c, 3 * w);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Broadcast1x8<TOps, TVector>(ref float a, nint aColumnStride, ref float b, nint bStride, ref float c, int k)
        where TOps : struct, IVectorOps<TVector>
        where TVector : struct
    {
        nuint w = (nuint)TOps.Count;
        TVector c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
        for (int s = 0; s < k; s++)
        {
            TVector av = TOps.Broadcast(a);
            c0 = TOps.MultiplyAdd(av, TOps.Load(ref b, 0), c0);
            c1 = TOps.MultiplyAdd(av, TOps.Load(ref b, w), c1);
            c2 = TOps.MultiplyAdd(av, TOps.Load(ref b, 2 * w), c2);
            c3 = TOps.MultiplyAdd(av, TOps.Load(ref b, 3 * w), c3);
            c4 = TOps.MultiplyAdd(av, TOps.Load(ref b, 4 * w), c4);
            c5 = TOps.MultiplyAdd(av, TOps.Load(ref b, 5 * w), c5);
            c6 = TOps.MultiplyAdd(av, TOps.Load(ref b, 6 * w), c6);
            c7 = TOps.MultiplyAdd(av, TOps.Load(ref b, 7 * w), c7);
            a = ref Unsafe.Add(ref a, aColumnStride);
            b = ref Unsafe.Add(ref b, bStride);
        }
        TOps.Store(c0, ref c, 0); TOps.Store(c1, ref c, w); TOps.Store(c2, ref c, 2 * w); TOps.Store(c3, ref c, 3 * w);
        TOps.Store(c4, ref c, 4 * w); TOps.Store(c5, ref c, 5 * w); TOps.Store(c6, ref c, 6 * w); TOps.Store(c7, ref c, 7 * w);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Broadcast4x1<TOps, TVector>(ref float a, nint aRowStride, nint aColumnStride, ref float b, nint bStride, ref float c, nint cStride, int k)
        where TOps : struct, IVectorOps<TVector>
        where TVector : struct
    {
        TVector c0 = default, c1 = default, c2 = default, c3 = default;
        for (int s = 0; s < k; s++)
        {
            TVector bv = TOps.Load(ref b, 0);
            c0 = TOps.MultiplyAdd(TOps.Broadcast(a), bv, c0);
            c1 = TOps.MultiplyAdd(TOps.Broadcast(Unsafe.Add(ref a, aRowStride)), bv, c1);
            c2 = TOps.MultiplyAdd(TOps.Broadcast(Unsafe.Add(ref a, 2 * aRowStride)), bv, c2);
            c3 = TOps.MultiplyAdd(TOps.Broadcast(Unsafe.Add(ref a, 3 * aRowStride)), bv, c3);
            a = ref Unsafe.Add(ref a, aColumnStride);
            b = ref Unsafe.Add(ref b, bStride);
        }
        TOps.Store(c0, ref c, 0);
        TOps.Store(c1, ref c, (nuint)cStride);
        TOps.Store(c2, ref c, (nuint)(2 * cStride));
        TOps.Store(c3, ref c, (nuint)(3 * cStride));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Broadcast1x1<TOps, TVector>(ref float a, nint aColumnStride, ref float b, nint bStride, ref float c, int k)
        where TOps : struct, IVectorOps<TVector>
        where TVector : struct
    {
        TVector sum = default;
        for (int s = 0; s < k; s++)
        {
            sum = TOps.MultiplyAdd(TOps.Broadcast(a), TOps.Load(ref b, 0), sum);
            a = ref Unsafe.Add(ref a, aColumnStride);
            b = ref Unsafe.Add(ref b, bStride);
        }
        TOps.Store(sum, ref c, 0);
    }
}
