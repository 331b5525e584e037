using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using MlNetMlp.Numerics;

namespace MlNetMlp.Cnn;

/// <summary>
/// Per-channel loops over NHWC data (<c>pixels × channels</c>, channels contiguous), vectorized across channels:
/// the statistics and affine maps of batch normalization and the bias gradient of a convolution.
/// </summary>
internal static class ChannelMath
{
    /// <summary>
    /// Adds to <paramref name="sum"/> and <paramref name="sumOfSquares"/> (double, per channel) the sums of
    /// <c>x − shift</c> and <c>(x − shift)²</c> over <paramref name="pixels"/> pixels. Sums run in float over blocks
    /// of pixels and are added to the doubles block by block.
    /// </summary>
    public static void AddShiftedMoments(ReadOnlySpan<float> x, int pixels, int channels, ReadOnlySpan<float> shift, Span<double> sum, Span<double> sumOfSquares)
    {
        const int Block = 64;
        Span<float> s1 = channels <= 1024 ? stackalloc float[channels] : new float[channels];
        Span<float> s2 = channels <= 1024 ? stackalloc float[channels] : new float[channels];
        for (int start = 0; start < pixels; start += Block)
        {
            int count = Math.Min(Block, pixels - start);
            s1.Clear();
            s2.Clear();
            for (int p = start; p < start + count; p++)
                AccumulateShifted(x.Slice(p * channels, channels), shift, s1, s2);
            for (int c = 0; c < channels; c++)
            {
                sum[c] += s1[c];
                sumOfSquares[c] += s2[c];
            }
        }
    }

    private static void AccumulateShifted(ReadOnlySpan<float> x, ReadOnlySpan<float> shift, Span<float> s1, Span<float> s2)
    {
        int c = 0;
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float kr = ref MemoryMarshal.GetReference(shift);
        ref float ar = ref MemoryMarshal.GetReference(s1);
        ref float br = ref MemoryMarshal.GetReference(s2);
        if (Vector512.IsHardwareAccelerated)
        {
            for (; c + 16 <= x.Length; c += 16)
            {
                var d = Vector512.LoadUnsafe(ref xr, (nuint)c) - Vector512.LoadUnsafe(ref kr, (nuint)c);
                (Vector512.LoadUnsafe(ref ar, (nuint)c) + d).StoreUnsafe(ref ar, (nuint)c);
                Vector512.FusedMultiplyAdd(d, d, Vector512.LoadUnsafe(ref br, (nuint)c)).StoreUnsafe(ref br, (nuint)c);
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            for (; c + 8 <= x.Length; c += 8)
            {
                var d = Vector256.LoadUnsafe(ref xr, (nuint)c) - Vector256.LoadUnsafe(ref kr, (nuint)c);
                (Vector256.LoadUnsafe(ref ar, (nuint)c) + d).StoreUnsafe(ref ar, (nuint)c);
                Vector256.FusedMultiplyAdd(d, d, Vector256.LoadUnsafe(ref br, (nuint)c)).StoreUnsafe(ref br, (nuint)c);
            }
        }
        for (; c < x.Length; c++)
        {
            float d = x[c] - shift[c];
            s1[c] += d;
            s2[c] = MathF.FusedMultiplyAdd(d, d, s2[c]);
        }
    }

    /// <summary>
    /// Adds to <paramref name="sumDy"/> and <paramref name="sumDyXhat"/> the sums of <c>dy</c> and
    /// <c>dy·(x − mean)·invStd</c> over <paramref name="pixels"/> pixels (float blocks added to doubles).
    /// </summary>
    public static void AddGradientMoments(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, int pixels, int channels,
        ReadOnlySpan<float> mean, ReadOnlySpan<float> invStd, Span<double> sumDy, Span<double> sumDyXhat)
    {
        const int Block = 64;
        Span<float> s1 = channels <= 1024 ? stackalloc float[channels] : new float[channels];
        Span<float> s2 = channels <= 1024 ? stackalloc float[channels] : new float[channels];
        for (int start = 0; start < pixels; start += Block)
        {
            int count = Math.Min(Block, pixels - start);
            s1.Clear();
            s2.Clear();
            for (int p = start; p < start + count; p++)
                AccumulateGradient(x.Slice(p * channels, channels), dy.Slice(p * channels, channels), mean, s1, s2);
            for (int c = 0; c < channels; c++)
            {
                sumDy[c] += s1[c];
                sumDyXhat[c] += (double)s2[c] * invStd[c];
            }
        }
    }

    // s1 += dy, s2 += dy·(x − mean)  (invStd is applied per block by the caller)
    private static void AccumulateGradient(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, ReadOnlySpan<float> mean, Span<float> s1, Span<float> s2)
    {
        int c = 0;
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float gr = ref MemoryMarshal.GetReference(dy);
        ref float mr = ref MemoryMarshal.GetReference(mean);
        ref float ar = ref MemoryMarshal.GetReference(s1);
        ref float br = ref MemoryMarshal.GetReference(s2);
        if (Vector512.IsHardwareAccelerated)
        {
            for (; c + 16 <= x.Length; c += 16)
            {
                var g = Vector512.LoadUnsafe(ref gr, (nuint)c);
                var d = Vector512.LoadUnsafe(ref xr, (nuint)c) - Vector512.LoadUnsafe(ref mr, (nuint)c);
                (Vector512.LoadUnsafe(ref ar, (nuint)c) + g).StoreUnsafe(ref ar, (nuint)c);
                Vector512.FusedMultiplyAdd(g, d, Vector512.LoadUnsafe(ref br, (nuint)c)).StoreUnsafe(ref br, (nuint)c);
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            for (; c + 8 <= x.Length; c += 8)
            {
                var g = Vector256.LoadUnsafe(ref gr, (nuint)c);
                var d = Vector256.LoadUnsafe(ref xr, (nuint)c) - Vector256.LoadUnsafe(ref mr, (nuint)c);
                (Vector256.LoadUnsafe(ref ar, (nuint)c) + g).StoreUnsafe(ref ar, (nuint)c);
                Vector256.FusedMultiplyAdd(g, d, Vector256.LoadUnsafe(ref br, (nuint)c)).StoreUnsafe(ref br, (nuint)c);
            }
        }
        for (; c < x.Length; c++)
        {
            s1[c] += dy[c];
            s2[c] = MathF.FusedMultiplyAdd(dy[c], x[c] - mean[c], s2[c]);
        }
    }

    /// <summary><c>y = x·scale + shift</c> per channel.</summary>
    public static void Affine(ReadOnlySpan<float> x, Span<float> y, int pixels, int channels, ReadOnlySpan<float> scale, ReadOnlySpan<float> shift)
    {
        for (int p = 0; p < pixels; p++)
            AffineRow(x.Slice(p * channels, channels), y.Slice(p * channels, channels), scale, shift);
    }

    private static void AffineRow(ReadOnlySpan<float> x, Span<float> y, ReadOnlySpan<float> scale, ReadOnlySpan<float> shift)
    {
        int c = 0;
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        ref float sr = ref MemoryMarshal.GetReference(scale);
        ref float tr = ref MemoryMarshal.GetReference(shift);
        if (Vector512.IsHardwareAccelerated)
        {
            for (; c + 16 <= x.Length; c += 16)
                Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref xr, (nuint)c), Vector512.LoadUnsafe(ref sr, (nuint)c), Vector512.LoadUnsafe(ref tr, (nuint)c)).StoreUnsafe(ref yr, (nuint)c);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            for (; c + 8 <= x.Length; c += 8)
                Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref xr, (nuint)c), Vector256.LoadUnsafe(ref sr, (nuint)c), Vector256.LoadUnsafe(ref tr, (nuint)c)).StoreUnsafe(ref yr, (nuint)c);
        }
        for (; c < x.Length; c++)
            y[c] = MathF.FusedMultiplyAdd(x[c], scale[c], shift[c]);
    }

    /// <summary>
    /// Batch-norm input gradient: <c>dx = a·(dy − b − (x − mean)·c)</c> per channel, with
    /// <c>a = γ·invStd</c>, <c>b = Σdy / M</c>, <c>c = invStd·Σ(dy·x̂) / M</c>.
    /// </summary>
    public static void NormalizationGradient(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx, int pixels, int channels,
        ReadOnlySpan<float> mean, ReadOnlySpan<float> a, ReadOnlySpan<float> b, ReadOnlySpan<float> c)
    {
        for (int p = 0; p < pixels; p++)
        {
            int o = p * channels;
            GradientRow(x.Slice(o, channels), dy.Slice(o, channels), dx.Slice(o, channels), mean, a, b, c);
        }
    }

    private static void GradientRow(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx, ReadOnlySpan<float> mean,
        ReadOnlySpan<float> a, ReadOnlySpan<float> b, ReadOnlySpan<float> c)
    {
        int i = 0;
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float gr = ref MemoryMarshal.GetReference(dy);
        ref float dr = ref MemoryMarshal.GetReference(dx);
        ref float mr = ref MemoryMarshal.GetReference(mean);
        ref float ar = ref MemoryMarshal.GetReference(a);
        ref float br = ref MemoryMarshal.GetReference(b);
        ref float cr = ref MemoryMarshal.GetReference(c);
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i + 16 <= x.Length; i += 16)
            {
                nuint n = (nuint)i;
                var centered = Vector512.LoadUnsafe(ref xr, n) - Vector512.LoadUnsafe(ref mr, n);
                var inner = Vector512.LoadUnsafe(ref gr, n) - Vector512.LoadUnsafe(ref br, n) - centered * Vector512.LoadUnsafe(ref cr, n);
                (Vector512.LoadUnsafe(ref ar, n) * inner).StoreUnsafe(ref dr, n);
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            for (; i + 8 <= x.Length; i += 8)
            {
                nuint n = (nuint)i;
                var centered = Vector256.LoadUnsafe(ref xr, n) - Vector256.LoadUnsafe(ref mr, n);
                var inner = Vector256.LoadUnsafe(ref gr, n) - Vector256.LoadUnsafe(ref br, n) - centered * Vector256.LoadUnsafe(ref cr, n);
                (Vector256.LoadUnsafe(ref ar, n) * inner).StoreUnsafe(ref dr, n);
            }
        }
        for (; i < x.Length; i++)
            dx[i] = a[i] * (dy[i] - b[i] - (x[i] - mean[i]) * c[i]);
    }

    /// <summary>Adds the per-channel sums of <paramref name="x"/> over <paramref name="pixels"/> pixels to <paramref name="sums"/>.</summary>
    public static void AddChannelSums(ReadOnlySpan<float> x, int pixels, int channels, Span<float> sums)
    {
        ref float sr = ref MemoryMarshal.GetReference(sums);
        for (int p = 0; p < pixels; p++)
        {
            ref float xr = ref MemoryMarshal.GetReference(x.Slice(p * channels, channels));
            int c = 0;
            if (Vector512.IsHardwareAccelerated)
            {
                for (; c + 16 <= channels; c += 16)
                    (Vector512.LoadUnsafe(ref sr, (nuint)c) + Vector512.LoadUnsafe(ref xr, (nuint)c)).StoreUnsafe(ref sr, (nuint)c);
            }
            else if (Vector256.IsHardwareAccelerated)
            {
                for (; c + 8 <= channels; c += 8)
                    (Vector256.LoadUnsafe(ref sr, (nuint)c) + Vector256.LoadUnsafe(ref xr, (nuint)c)).StoreUnsafe(ref sr, (nuint)c);
            }
            for (; c < channels; c++)
                Unsafe.Add(ref sr, c) += Unsafe.Add(ref xr, c);
        }
    }

    /// <summary><c>y = max(x, 0)</c>.</summary>
    public static void Relu(ReadOnlySpan<float> x, Span<float> y)
    {
        int i = 0;
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i + 16 <= x.Length; i += 16)
                Vector512.Max(Vector512.LoadUnsafe(ref xr, (nuint)i), Vector512<float>.Zero).StoreUnsafe(ref yr, (nuint)i);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            for (; i + 8 <= x.Length; i += 8)
                Vector256.Max(Vector256.LoadUnsafe(ref xr, (nuint)i), Vector256<float>.Zero).StoreUnsafe(ref yr, (nuint)i);
        }
        for (; i < x.Length; i++)
            y[i] = x[i] > 0 ? x[i] : 0;
    }

    /// <summary><c>dx = dy where y &gt; 0, else 0</c> (PyTorch's gradient at 0 is 0).</summary>
    public static void ReluGradient(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        int i = 0;
        ref float yr = ref MemoryMarshal.GetReference(y);
        ref float gr = ref MemoryMarshal.GetReference(dy);
        ref float dr = ref MemoryMarshal.GetReference(dx);
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i + 16 <= y.Length; i += 16)
                Vector512.ConditionalSelect(Vector512.GreaterThan(Vector512.LoadUnsafe(ref yr, (nuint)i), Vector512<float>.Zero),
                    Vector512.LoadUnsafe(ref gr, (nuint)i), Vector512<float>.Zero).StoreUnsafe(ref dr, (nuint)i);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            for (; i + 8 <= y.Length; i += 8)
                Vector256.ConditionalSelect(Vector256.GreaterThan(Vector256.LoadUnsafe(ref yr, (nuint)i), Vector256<float>.Zero),
                    Vector256.LoadUnsafe(ref gr, (nuint)i), Vector256<float>.Zero).StoreUnsafe(ref dr, (nuint)i);
        }
        for (; i < y.Length; i++)
            dx[i] = y[i] > 0 ? dy[i] : 0;
    }
}
