using System.Runtime.CompilerServices;

namespace MlNetMlp.Numerics;

// The register tiles of the broadcast products: one A element broadcast against a row strip of B.
internal static partial class Gemm
{
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
