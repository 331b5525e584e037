using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace MlNetMlp.Numerics;

internal static partial class Gemm
{
    /// <summary>
    /// The first layer's forward product over rows picked from a data set: <c>output[r, o] = bias[o] +
    /// Σ_i source[rows[r], i]·weightsTransposed[i, o]</c>, and <paramref name="gathered"/>[r, :] = source row
    /// <c>rows[r]</c> for the backward pass. Same bits as gathering the rows first and calling
    /// <see cref="LinearForwardTransposed"/>: every output element sees the same FMA sequence.
    /// </summary>
    /// <remarks>
    /// Why: the rows are scattered over the whole training set (188 MB for Fashion-MNIST), so copying them is bound by
    /// memory, about 10 % of a training step. Here the first column strip's 4×4 tiles read each row where it lies and
    /// copy it out as they go, so the hardware prefetcher streams the rows while the FMAs run; the other strips read
    /// the copy, as before. That path needs the 32-register 4×4 tile and at least one strip of 4 registers; otherwise
    /// the rows are copied first. (A 16-register version on 6-row × 2-register tiles was slower than copying first:
    /// its first strip is an eighth of a 128-wide layer, too little arithmetic to hide the reads behind.)
    /// </remarks>
    public static void LinearForwardTransposedGathering(ReadOnlySpan<float> source, ReadOnlySpan<int> rows, Span<float> gathered,
        ReadOnlySpan<float> weightsTransposed, ReadOnlySpan<float> bias, Span<float> output, int inputs, int outputs, SimdWidth width, RegisterBudget registers)
    {
        int m = rows.Length;
        CheckSize(gathered.Length, m, inputs, nameof(gathered));
        CheckSize(weightsTransposed.Length, inputs, outputs, nameof(weightsTransposed));
        CheckSize(bias.Length, 1, outputs, nameof(bias));
        CheckSize(output.Length, m, outputs, nameof(output));
        int sourceRows = inputs == 0 ? 0 : source.Length / inputs;
        foreach (int row in rows)
            if ((uint)row >= (uint)sourceRows)
                throw new ArgumentOutOfRangeException(nameof(rows), row, $"Row {row} is outside the source's {sourceRows} rows of {inputs} values.");

        int strip = width switch
        {
            SimdWidth.Vector512 => 4 * Vector512<float>.Count,
            SimdWidth.Vector256 => 4 * Vector256<float>.Count,
            SimdWidth.Vector128 => 4 * Vector128<float>.Count,
            _ => 0,
        };
        if (strip == 0 || registers == RegisterBudget.Sixteen || outputs < strip || m < 4)
        {
            CopyRows(source, rows, gathered, inputs, first: 0);
            LinearForwardTransposed(gathered[..(m * inputs)], weightsTransposed, bias, output, m, inputs, outputs, width);
            return;
        }
        // The 0–3 rows past the last 4-row tile are few: copy them first; they take the first strip from the copy.
        CopyRows(source, rows, gathered, inputs, first: m - m % 4);

        ref float src = ref MemoryMarshal.GetReference(source);
        ref int rowRef = ref MemoryMarshal.GetReference(rows);
        ref float a = ref MemoryMarshal.GetReference(gathered);
        ref float b = ref MemoryMarshal.GetReference(weightsTransposed);
        ref float c = ref MemoryMarshal.GetReference(output);
        int done = width switch
        {
            SimdWidth.Vector512 => GatheringStrips<Vector512Ops, Vector512<float>>(ref src, ref rowRef, ref a, ref b, ref c, m, inputs, outputs),
            SimdWidth.Vector256 => GatheringStrips<Vector256Ops, Vector256<float>>(ref src, ref rowRef, ref a, ref b, ref c, m, inputs, outputs),
            _ => GatheringStrips<Vector128Ops, Vector128<float>>(ref src, ref rowRef, ref a, ref b, ref c, m, inputs, outputs),
        };
        BroadcastColumns<ScalarOps, float>(ref a, inputs, 1, ref b, ref c, m, inputs, outputs, done);
        AddBias(output, bias, m, outputs);
    }

    /// <summary><paramref name="gathered"/>[r, :] = source row <c>rows[r]</c> for r from <paramref name="first"/> on.</summary>
    private static void CopyRows(ReadOnlySpan<float> source, ReadOnlySpan<int> rows, Span<float> gathered, int inputs, int first)
    {
        for (int r = first; r < rows.Length; r++) source.Slice(rows[r] * inputs, inputs).CopyTo(gathered.Slice(r * inputs, inputs));
    }

    /// <summary>The first strip of the 4-row tiles from the source rows (copying them out), then every other column from the copy; returns the first column left over.</summary>
    private static int GatheringStrips<TOps, TVector>(ref float source, ref int rows, ref float gathered, ref float b, ref float c, int m, int k, int n)
        where TOps : struct, IVectorOps<TVector>
        where TVector : struct
    {
        int tiledRows = m - m % 4; // the rows past it were copied already
        int kBlock = KBlock(TOps.Count);
        for (int k0 = 0; k0 < k; k0 += kBlock)
        {
            int kLength = Math.Min(kBlock, k - k0);
            ref float bBlock = ref Unsafe.Add(ref b, (nint)k0 * n);
            for (int row = 0; row < tiledRows; row += 4)
            {
                ref float a0 = ref Unsafe.Add(ref source, (nint)Unsafe.Add(ref rows, row) * k + k0);
                ref float a1 = ref Unsafe.Add(ref source, (nint)Unsafe.Add(ref rows, row + 1) * k + k0);
                ref float a2 = ref Unsafe.Add(ref source, (nint)Unsafe.Add(ref rows, row + 2) * k + k0);
                ref float a3 = ref Unsafe.Add(ref source, (nint)Unsafe.Add(ref rows, row + 3) * k + k0);
                Broadcast4x4Gathering<TOps, TVector>(ref a0, ref a1, ref a2, ref a3, ref Unsafe.Add(ref gathered, (nint)row * k + k0), k,
                    ref bBlock, n, ref Unsafe.Add(ref c, (nint)row * n), n, kLength, accumulate: k0 > 0);
            }
        }
        int stripEnd = 4 * TOps.Count;
        for (int row = tiledRows; row < m; row++)
            Broadcast1x4<TOps, TVector>(ref Unsafe.Add(ref gathered, (nint)row * k), 1, ref b, n, ref Unsafe.Add(ref c, (nint)row * n), k);
        return BroadcastColumns<TOps, TVector>(ref gathered, k, 1, ref b, ref c, m, k, n, stripEnd);
    }

    /// <summary><see cref="Broadcast4x4{TOps, TVector}"/> with each A row read from its own place and copied to <paramref name="copy"/> (rows <paramref name="copyStride"/> apart).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Broadcast4x4Gathering<TOps, TVector>(ref float a0, ref float a1, ref float a2, ref float a3, ref float copy, nint copyStride,
        ref float b, nint bStride, ref float c, nint cStride, int k, bool accumulate)
        where TOps : struct, IVectorOps<TVector>
        where TVector : struct
    {
        nuint w = (nuint)TOps.Count;
        ref float r1 = ref Unsafe.Add(ref c, cStride);
        ref float r2 = ref Unsafe.Add(ref r1, cStride);
        ref float r3 = ref Unsafe.Add(ref r2, cStride);
        TVector c00 = default, c01 = default, c02 = default, c03 = default;
        TVector c10 = default, c11 = default, c12 = default, c13 = default;
        TVector c20 = default, c21 = default, c22 = default, c23 = default;
        TVector c30 = default, c31 = default, c32 = default, c33 = default;
        if (accumulate)
        {
            c00 = TOps.Load(ref c, 0); c01 = TOps.Load(ref c, w); c02 = TOps.Load(ref c, 2 * w); c03 = TOps.Load(ref c, 3 * w);
            c10 = TOps.Load(ref r1, 0); c11 = TOps.Load(ref r1, w); c12 = TOps.Load(ref r1, 2 * w); c13 = TOps.Load(ref r1, 3 * w);
            c20 = TOps.Load(ref r2, 0); c21 = TOps.Load(ref r2, w); c22 = TOps.Load(ref r2, 2 * w); c23 = TOps.Load(ref r2, 3 * w);
            c30 = TOps.Load(ref r3, 0); c31 = TOps.Load(ref r3, w); c32 = TOps.Load(ref r3, 2 * w); c33 = TOps.Load(ref r3, 3 * w);
        }
        ref float copy1 = ref Unsafe.Add(ref copy, copyStride);
        ref float copy2 = ref Unsafe.Add(ref copy1, copyStride);
        ref float copy3 = ref Unsafe.Add(ref copy2, copyStride);
        for (nint s = 0; s < k; s++)
        {
            TVector b0 = TOps.Load(ref b, 0), b1 = TOps.Load(ref b, w), b2 = TOps.Load(ref b, 2 * w), b3 = TOps.Load(ref b, 3 * w);
            float x = Unsafe.Add(ref a0, s);
            Unsafe.Add(ref copy, s) = x;
            TVector av = TOps.Broadcast(x);
            c00 = TOps.MultiplyAdd(av, b0, c00); c01 = TOps.MultiplyAdd(av, b1, c01); c02 = TOps.MultiplyAdd(av, b2, c02); c03 = TOps.MultiplyAdd(av, b3, c03);
            x = Unsafe.Add(ref a1, s);
            Unsafe.Add(ref copy1, s) = x;
            av = TOps.Broadcast(x);
            c10 = TOps.MultiplyAdd(av, b0, c10); c11 = TOps.MultiplyAdd(av, b1, c11); c12 = TOps.MultiplyAdd(av, b2, c12); c13 = TOps.MultiplyAdd(av, b3, c13);
            x = Unsafe.Add(ref a2, s);
            Unsafe.Add(ref copy2, s) = x;
            av = TOps.Broadcast(x);
            c20 = TOps.MultiplyAdd(av, b0, c20); c21 = TOps.MultiplyAdd(av, b1, c21); c22 = TOps.MultiplyAdd(av, b2, c22); c23 = TOps.MultiplyAdd(av, b3, c23);
            x = Unsafe.Add(ref a3, s);
            Unsafe.Add(ref copy3, s) = x;
            av = TOps.Broadcast(x);
            c30 = TOps.MultiplyAdd(av, b0, c30); c31 = TOps.MultiplyAdd(av, b1, c31); c32 = TOps.MultiplyAdd(av, b2, c32); c33 = TOps.MultiplyAdd(av, b3, c33);
            b = ref Unsafe.Add(ref b, bStride);
        }
        TOps.Store(c00, ref c, 0); TOps.Store(c01, ref c, w); TOps.Store(c02, ref c, 2 * w); TOps.Store(c03, ref c, 3 * w);
        TOps.Store(c10, ref r1, 0); TOps.Store(c11, ref r1, w); TOps.Store(c12, ref r1, 2 * w); TOps.Store(c13, ref r1, 3 * w);
        TOps.Store(c20, ref r2, 0); TOps.Store(c21, ref r2, w); TOps.Store(c22, ref r2, 2 * w); TOps.Store(c23, ref r2, 3 * w);
        TOps.Store(c30, ref r3, 0); TOps.Store(c31, ref r3, w); TOps.Store(c32, ref r3, 2 * w); TOps.Store(c33, ref r3, 3 * w);
    }
}
