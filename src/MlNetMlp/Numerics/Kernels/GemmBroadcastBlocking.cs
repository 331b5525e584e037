using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace MlNetMlp.Numerics;

// How the broadcast products are split into register tiles and k-blocks; the tiles are in GemmBroadcastTiles.cs.
internal static partial class Gemm
{
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
    /// Rows of B per k-block of the broadcast kernels: a strip's block stays in L1 while every row tile passes over it
    /// (see <see cref="BroadcastColumns{TOps, TVector}"/>).
    /// </summary>
    private static int KBlock(int lanes) => Math.Max(16, 1024 / lanes);

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
}
