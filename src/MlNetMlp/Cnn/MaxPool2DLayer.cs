using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace MlNetMlp.Cnn;

/// <summary>
/// 2-D max pooling on NHWC activations (PyTorch's <c>nn.MaxPool2d</c>: output <c>⌊(H + 2p − k)/s⌋ + 1</c>, padding
/// acts as −∞). The gradient goes to the first maximum of each window in row-major order, as PyTorch's; overlapping
/// windows accumulate. The common 2×2 / stride 2 case runs vectorized across channels, recomputing which input
/// held the maximum from the saved input and output; other shapes run a plain loop.
/// </summary>
internal sealed class MaxPool2DLayer(TensorShape input, int size, int stride, int padding)
    : CnnLayer(input, OutputShape(input, size, stride, padding))
{
    public int Size { get; } = size;

    public int Stride { get; } = stride;

    public int Padding { get; } = padding;

    private bool IsHalving => Size == 2 && Stride == 2 && Padding == 0;

    public static TensorShape OutputShape(TensorShape input, int size, int stride, int padding)
    {
        int h = (input.Height + 2 * padding - size) / stride + 1, w = (input.Width + 2 * padding - size) / stride + 1;
        if (input.Height + 2 * padding < size || input.Width + 2 * padding < size || h < 1 || w < 1)
            throw new ArgumentOutOfRangeException(nameof(input), $"A {size}×{size} pooling window with stride {stride} and padding {padding} does not fit a {input} input.");
        return new TensorShape(input.Channels, h, w);
    }

    public override void Forward(CnnPass pass, CnnWorkspace work, int index)
    {
        ReadOnlySpan<float> x = InputOf(work, index);
        Span<float> y = OutputOf(work, index);
        for (int n = 0; n < work.Rows; n++)
        {
            ReadOnlySpan<float> image = x.Slice(n * Input.Size, Input.Size);
            Span<float> pooled = y.Slice(n * Output.Size, Output.Size);
            if (IsHalving) HalveForward(image, pooled);
            else GeneralForward(image, pooled);
        }
    }

    public override void Backward(CnnPass pass, CnnWorkspace work, int index, float[] outputGradient, float[] inputGradient, bool needInputGradient)
    {
        if (!needInputGradient) return;
        ReadOnlySpan<float> x = InputOf(work, index);
        ReadOnlySpan<float> y = OutputOf(work, index);
        for (int n = 0; n < work.Rows; n++)
        {
            ReadOnlySpan<float> image = x.Slice(n * Input.Size, Input.Size);
            ReadOnlySpan<float> pooled = y.Slice(n * Output.Size, Output.Size);
            ReadOnlySpan<float> dy = outputGradient.AsSpan(n * Output.Size, Output.Size);
            Span<float> dx = inputGradient.AsSpan(n * Input.Size, Input.Size);
            if (IsHalving) HalveBackward(image, pooled, dy, dx);
            else GeneralBackward(image, dy, dx);
        }
    }

    private void HalveForward(ReadOnlySpan<float> x, Span<float> y)
    {
        int c = Input.Channels, w = Input.Width;
        for (int oy = 0; oy < Output.Height; oy++)
            for (int ox = 0; ox < Output.Width; ox++)
            {
                int top = ((2 * oy) * w + 2 * ox) * c, bottom = top + w * c;
                Max4(x.Slice(top, c), x.Slice(top + c, c), x.Slice(bottom, c), x.Slice(bottom + c, c), y.Slice((oy * Output.Width + ox) * c, c));
            }
    }

    private static void Max4(ReadOnlySpan<float> a, ReadOnlySpan<float> b, ReadOnlySpan<float> c, ReadOnlySpan<float> d, Span<float> y)
    {
        int i = 0;
        ref float ar = ref MemoryMarshal.GetReference(a), br = ref MemoryMarshal.GetReference(b);
        ref float cr = ref MemoryMarshal.GetReference(c), dr = ref MemoryMarshal.GetReference(d);
        ref float yr = ref MemoryMarshal.GetReference(y);
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i + 16 <= y.Length; i += 16)
            {
                nuint n = (nuint)i;
                Vector512.Max(Vector512.Max(Vector512.LoadUnsafe(ref ar, n), Vector512.LoadUnsafe(ref br, n)),
                    Vector512.Max(Vector512.LoadUnsafe(ref cr, n), Vector512.LoadUnsafe(ref dr, n))).StoreUnsafe(ref yr, n);
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            for (; i + 8 <= y.Length; i += 8)
            {
                nuint n = (nuint)i;
                Vector256.Max(Vector256.Max(Vector256.LoadUnsafe(ref ar, n), Vector256.LoadUnsafe(ref br, n)),
                    Vector256.Max(Vector256.LoadUnsafe(ref cr, n), Vector256.LoadUnsafe(ref dr, n))).StoreUnsafe(ref yr, n);
            }
        }
        for (; i < y.Length; i++)
            y[i] = MathF.Max(MathF.Max(a[i], b[i]), MathF.Max(c[i], d[i]));
    }

    private void HalveBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        int c = Input.Channels, w = Input.Width;
        if (Input.Height % 2 != 0 || Input.Width % 2 != 0) dx.Clear(); // the last row/column of an odd size is in no window
        for (int oy = 0; oy < Output.Height; oy++)
            for (int ox = 0; ox < Output.Width; ox++)
            {
                int top = ((2 * oy) * w + 2 * ox) * c, bottom = top + w * c, o = (oy * Output.Width + ox) * c;
                Route4(x, top, top + c, bottom, bottom + c, y.Slice(o, c), dy.Slice(o, c), dx);
            }
    }

    /// <summary>Sends each channel's gradient to the first of the four inputs (row-major) that equals the maximum; the others get 0.</summary>
    private static void Route4(ReadOnlySpan<float> x, int p0, int p1, int p2, int p3, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        int i = 0, c = y.Length;
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float dr = ref MemoryMarshal.GetReference(dx);
        ref float yr = ref MemoryMarshal.GetReference(y);
        ref float gr = ref MemoryMarshal.GetReference(dy);
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i + 16 <= c; i += 16)
            {
                nuint n = (nuint)i;
                var m = Vector512.LoadUnsafe(ref yr, n);
                var g = Vector512.LoadUnsafe(ref gr, n);
                var taken = Vector512.Equals(Vector512.LoadUnsafe(ref xr, (nuint)p0 + n), m);
                Vector512.BitwiseAnd(g, taken).StoreUnsafe(ref dr, (nuint)p0 + n);
                var hit = Vector512.AndNot(Vector512.Equals(Vector512.LoadUnsafe(ref xr, (nuint)p1 + n), m), taken);
                Vector512.BitwiseAnd(g, hit).StoreUnsafe(ref dr, (nuint)p1 + n);
                taken |= hit;
                hit = Vector512.AndNot(Vector512.Equals(Vector512.LoadUnsafe(ref xr, (nuint)p2 + n), m), taken);
                Vector512.BitwiseAnd(g, hit).StoreUnsafe(ref dr, (nuint)p2 + n);
                taken |= hit;
                hit = Vector512.AndNot(Vector512.Equals(Vector512.LoadUnsafe(ref xr, (nuint)p3 + n), m), taken);
                Vector512.BitwiseAnd(g, hit).StoreUnsafe(ref dr, (nuint)p3 + n);
            }
        }
        for (; i < c; i++)
        {
            float m = y[i], g = dy[i];
            bool taken = x[p0 + i] == m;
            dx[p0 + i] = taken ? g : 0;
            bool hit = !taken && x[p1 + i] == m;
            dx[p1 + i] = hit ? g : 0;
            taken |= hit;
            hit = !taken && x[p2 + i] == m;
            dx[p2 + i] = hit ? g : 0;
            taken |= hit;
            dx[p3 + i] = !taken && x[p3 + i] == m ? g : 0;
        }
    }

    /// <summary>Index (pixel·C + channel) of the first maximum of an output's window; −1 if the window holds only padding.</summary>
    private int ArgMax(ReadOnlySpan<float> x, int oy, int ox, int channel)
    {
        int c = Input.Channels, best = -1;
        float max = float.NegativeInfinity;
        for (int ky = 0; ky < Size; ky++)
        {
            int iy = oy * Stride + ky - Padding;
            if ((uint)iy >= (uint)Input.Height) continue;
            for (int kx = 0; kx < Size; kx++)
            {
                int ix = ox * Stride + kx - Padding;
                if ((uint)ix >= (uint)Input.Width) continue;
                int at = (iy * Input.Width + ix) * c + channel;
                float v = x[at];
                if (best < 0 || v > max || float.IsNaN(v)) // PyTorch: first maximum, NaN wins
                {
                    if (best >= 0 && float.IsNaN(max)) continue;
                    max = v;
                    best = at;
                }
            }
        }
        return best;
    }

    private void GeneralForward(ReadOnlySpan<float> x, Span<float> y)
    {
        int c = Input.Channels;
        for (int oy = 0; oy < Output.Height; oy++)
            for (int ox = 0; ox < Output.Width; ox++)
                for (int ch = 0; ch < c; ch++)
                {
                    int at = ArgMax(x, oy, ox, ch);
                    y[(oy * Output.Width + ox) * c + ch] = at < 0 ? float.NegativeInfinity : x[at];
                }
    }

    private void GeneralBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx)
    {
        int c = Input.Channels;
        dx.Clear();
        for (int oy = 0; oy < Output.Height; oy++)
            for (int ox = 0; ox < Output.Width; ox++)
                for (int ch = 0; ch < c; ch++)
                {
                    int at = ArgMax(x, oy, ox, ch);
                    if (at >= 0) dx[at] += dy[(oy * Output.Width + ox) * c + ch];
                }
    }
}
