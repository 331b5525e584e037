using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace MlNetMlp.Numerics;

/// <summary>A per-element function of up to three inputs, written once for every register width.</summary>
internal interface IElementwiseFunction
{
    TVector Apply<TOps, TVector>(TVector x, TVector y, TVector z)
        where TOps : struct, IVectorOps<TVector>
        where TVector : struct;
}

/// <summary>Runs an <see cref="IElementwiseFunction"/> over spans: full registers, then a scalar tail.</summary>
internal static class Elementwise
{
    /// <summary><c>result[i] = function(x[i], y[i], z[i])</c>. <paramref name="result"/> may alias an input.</summary>
    public static void Map<TFunction>(TFunction function, ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> z, Span<float> result, SimdWidth width)
        where TFunction : struct, IElementwiseFunction
    {
        int length = result.Length;
        if (x.Length < length || y.Length < length || z.Length < length)
            throw new ArgumentException("Every input must be at least as long as the result.");
        ref float xRef = ref MemoryMarshal.GetReference(x);
        ref float yRef = ref MemoryMarshal.GetReference(y);
        ref float zRef = ref MemoryMarshal.GetReference(z);
        ref float resultRef = ref MemoryMarshal.GetReference(result);
        nuint done = width switch
        {
            SimdWidth.Vector512 => MapVectors<TFunction, Vector512Ops, Vector512<float>>(function, ref xRef, ref yRef, ref zRef, ref resultRef, length),
            SimdWidth.Vector256 => MapVectors<TFunction, Vector256Ops, Vector256<float>>(function, ref xRef, ref yRef, ref zRef, ref resultRef, length),
            SimdWidth.Vector128 => MapVectors<TFunction, Vector128Ops, Vector128<float>>(function, ref xRef, ref yRef, ref zRef, ref resultRef, length),
            _ => 0,
        };
        for (nuint i = done; i < (nuint)length; i++)
        {
            ScalarOps.Store(function.Apply<ScalarOps, float>(
                ScalarOps.Load(ref xRef, i), ScalarOps.Load(ref yRef, i), ScalarOps.Load(ref zRef, i)), ref resultRef, i);
        }
    }

    public static void Map<TFunction>(TFunction function, ReadOnlySpan<float> x, Span<float> result, SimdWidth width)
        where TFunction : struct, IElementwiseFunction =>
        Map(function, x, x, x, result, width);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static nuint MapVectors<TFunction, TOps, TVector>(TFunction function, ref float x, ref float y, ref float z, ref float result, int length)
        where TFunction : struct, IElementwiseFunction
        where TOps : struct, IVectorOps<TVector>
        where TVector : struct
    {
        nuint step = (nuint)TOps.Count;
        nuint end = (nuint)length - (nuint)length % step;
        for (nuint i = 0; i < end; i += step)
        {
            TOps.Store(function.Apply<TOps, TVector>(TOps.Load(ref x, i), TOps.Load(ref y, i), TOps.Load(ref z, i)), ref result, i);
        }
        return end;
    }
}
