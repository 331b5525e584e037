using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using MlNetMlp.Numerics;

namespace MlNetMlp.Cnn;

/// <summary>
/// Direct ("implicit GEMM") convolution kernels on NHWC activations, the fast path of <see cref="Conv2DLayer"/>.
/// <para>
/// Layout. Activations are NHWC (channels last); the input is first copied into a zero-padded NHWC buffer so the
/// kernels never test borders. Weights are HWIO (<c>[k, k, C_in, C_out]</c>) and are repacked into blocks of
/// <see cref="BlockWidth"/> output channels: <c>[block][ky][kx·C_in + ic][BlockWidth]</c>, zero-filled past C_out.
/// In a padded NHWC row the values a kernel row reads for one output pixel, over (kx, ic), are contiguous:
/// that run of k·C_in floats is the inner loop of both kernels.
/// </para>
/// <para>
/// Forward: a register tile of 7 consecutive output pixels × 2 vectors of output channels (14 accumulators)
/// broadcasts one input value per pixel and multiplies it with 2 weight vectors per reduction step.
/// Weight gradient: a tile of 12 reduction rows × 2 vectors of output channels (24 accumulators) walks over
/// the output pixels, broadcasting 12 input values against 2 vectors of the output gradient.
/// With 16 registers (x64 without AVX-512) both tiles are 6 × 2 (12 accumulators), which do not spill
/// (<see cref="RegisterBudget"/>).
/// Input gradient: the forward kernel again, over the output gradient dilated by the stride and padded by
/// k − 1 − p, with the weights flipped and transposed (<see cref="PackFlippedTransposed"/>).
/// </para>
/// Every output element is computed by one fixed sequence of fused multiply-adds, whatever the tile it falls in.
/// <see cref="ReferenceConv"/> holds the plain loops these kernels are tested against.
/// </summary>
internal static class ConvKernels
{
    // The largest tiles (32 registers); slack and scratch are sized for them.
    private const int ForwardTilePixels = 7;
    private const int GradientTileRows = 12;

    /// <summary>Tile sizes for one register budget; a type argument, so the JIT drops the unused accumulators.</summary>
    private interface ITiles
    {
        static abstract int ForwardPixels { get; }
        static abstract int GradientRows { get; }
    }

    private readonly struct ThirtyTwoRegisterTiles : ITiles
    {
        public static int ForwardPixels => ForwardTilePixels;
        public static int GradientRows => GradientTileRows;
    }

    private readonly struct SixteenRegisterTiles : ITiles
    {
        public static int ForwardPixels => 6;
        public static int GradientRows => 6;
    }

    /// <summary>Output channels per packed weight block at <paramref name="width"/>: two registers.</summary>
    public static int BlockWidth(SimdWidth width) => 2 * (int)width;

    /// <summary>Floats of the packed weights for <paramref name="g"/>.</summary>
    public static int PackedLength(in ConvGeometry g, SimdWidth width) => Blocks(g.OutChannels, width) * g.ReductionLength * BlockWidth(width);

    public static int Blocks(int outChannels, SimdWidth width) => (outChannels + BlockWidth(width) - 1) / BlockWidth(width);

    /// <summary>
    /// Extra floats every buffer a kernel reads must have past its last element: tiles that straddle the end of a
    /// row read (and discard) a little beyond it.
    /// </summary>
    public static int Slack(in ConvGeometry g) => (ForwardTilePixels * g.Stride + g.Kernel) * g.InChannels + GradientTileRows + 2 * 16 + g.OutChannels;

    /// <summary>HWIO weights [k, k, C_in, C_out] → packed blocks of <see cref="BlockWidth"/> output channels.</summary>
    public static void Pack(ReadOnlySpan<float> hwio, in ConvGeometry g, Span<float> packed, SimdWidth width)
    {
        int bw = BlockWidth(width), k = g.ReductionLength, oc = g.OutChannels;
        int blocks = Blocks(oc, width);
        packed[..(blocks * k * bw)].Clear();
        for (int b = 0; b < blocks; b++)
        {
            int first = b * bw, count = Math.Min(bw, oc - first);
            Span<float> block = packed.Slice(b * k * bw, k * bw);
            for (int r = 0; r < k; r++)
                hwio.Slice(r * oc + first, count).CopyTo(block.Slice(r * bw, count));
        }
    }

    /// <summary>
    /// Packs the weights of the input-gradient convolution: <c>W′[ky, kx, oc, ic] = W[k−1−ky, k−1−kx, ic, oc]</c>,
    /// blocks over C_in (the gradient convolution's output channels).
    /// </summary>
    public static void PackFlippedTransposed(ReadOnlySpan<float> hwio, in ConvGeometry g, Span<float> packed, SimdWidth width)
    {
        int bw = BlockWidth(width), kernel = g.Kernel, ic = g.InChannels, oc = g.OutChannels;
        int k = kernel * kernel * oc;
        int blocks = Blocks(ic, width);
        packed[..(blocks * k * bw)].Clear();
        for (int b = 0; b < blocks; b++)
        {
            int first = b * bw, count = Math.Min(bw, ic - first);
            Span<float> block = packed.Slice(b * k * bw, k * bw);
            for (int ky = 0; ky < kernel; ky++)
                for (int kx = 0; kx < kernel; kx++)
                {
                    int source = ((kernel - 1 - ky) * kernel + (kernel - 1 - kx)) * ic * oc; // W[k−1−ky, k−1−kx, ·, ·]
                    for (int o = 0; o < oc; o++)
                    {
                        Span<float> row = block.Slice(((ky * kernel + kx) * oc + o) * bw, count);
                        for (int c = 0; c < count; c++)
                            row[c] = hwio[source + (first + c) * oc + o];
                    }
                }
        }
    }

    /// <summary>Packs a bias vector into blocks (zero past the last channel).</summary>
    public static void PackBias(ReadOnlySpan<float> bias, int outChannels, Span<float> packed, SimdWidth width)
    {
        int length = Blocks(outChannels, width) * BlockWidth(width);
        packed[..length].Clear();
        if (!bias.IsEmpty) bias[..outChannels].CopyTo(packed);
    }

    /// <summary>
    /// Copies NHWC images into a zero-bordered NHWC buffer: <paramref name="border"/> zero pixels on every side and
    /// <paramref name="dilation"/> − 1 zero pixels between neighbours (the input-gradient convolution of a strided layer).
    /// </summary>
    public static void PadImages(ReadOnlySpan<float> input, int images, int height, int width, int channels, int border, int dilation,
        int paddedHeight, int paddedWidth, Span<float> padded)
    {
        int paddedImage = paddedHeight * paddedWidth * channels, rowLength = width * channels;
        for (int n = 0; n < images; n++)
        {
            Span<float> target = padded.Slice(n * paddedImage, paddedImage);
            ReadOnlySpan<float> source = input.Slice(n * height * rowLength, height * rowLength);
            if (dilation == 1)
            {
                // Only the border needs clearing.
                int top = border * paddedWidth * channels;
                target[..top].Clear();
                int rowStart = top;
                for (int y = 0; y < height; y++)
                {
                    Span<float> row = target.Slice(rowStart, paddedWidth * channels);
                    row[..(border * channels)].Clear();
                    source.Slice(y * rowLength, rowLength).CopyTo(row[(border * channels)..]);
                    row[((border + width) * channels)..].Clear();
                    rowStart += paddedWidth * channels;
                }
                target[rowStart..].Clear();
            }
            else
            {
                target.Clear();
                for (int y = 0; y < height; y++)
                    for (int x = 0; x < width; x++)
                        source.Slice((y * width + x) * channels, channels)
                            .CopyTo(target.Slice(((border + y * dilation) * paddedWidth + border + x * dilation) * channels, channels));
            }
        }
    }

    /// <summary>
    /// <c>output[n, oy, ox, oc] = bias[oc] + Σ input[n, oy·s + ky, ox·s + kx, ic] · W[ky, kx, ic, oc]</c> for images
    /// already padded to <see cref="ConvGeometry.PaddedHeight"/> × <see cref="ConvGeometry.PaddedWidth"/>
    /// (the geometry's padding is not applied again). <paramref name="paddedInput"/> needs <see cref="Slack"/> floats
    /// past the last image. <paramref name="packedBias"/> may be empty (no bias).
    /// </summary>
    public static void Forward(ReadOnlySpan<float> paddedInput, int images, ReadOnlySpan<float> packedWeights, ReadOnlySpan<float> packedBias,
        Span<float> output, in ConvGeometry g, SimdWidth width) =>
        Forward(paddedInput, images, packedWeights, packedBias, output, g, width, Simd.Registers);

    public static void Forward(ReadOnlySpan<float> paddedInput, int images, ReadOnlySpan<float> packedWeights, ReadOnlySpan<float> packedBias,
        Span<float> output, in ConvGeometry g, SimdWidth width, RegisterBudget registers)
    {
        if (images == 0) return;
        int needed = images * g.PaddedImageSize + Slack(g);
        if (paddedInput.Length < needed) throw new ArgumentException($"The padded input holds {paddedInput.Length} floats; {needed} are needed.", nameof(paddedInput));
        if (packedWeights.Length < PackedLength(g, width)) throw new ArgumentException("The packed weights are too short.", nameof(packedWeights));
        if (output.Length < images * g.OutputImageSize) throw new ArgumentException("The output is too short.", nameof(output));
        Span<float> zeroBias = stackalloc float[BlockWidth(width)];
        zeroBias.Clear();
        ref float input = ref MemoryMarshal.GetReference(paddedInput);
        ref float weights = ref MemoryMarshal.GetReference(packedWeights);
        ref float y = ref MemoryMarshal.GetReference(output);
        bool hasBias = !packedBias.IsEmpty;
        if (hasBias && packedBias.Length < Blocks(g.OutChannels, width) * BlockWidth(width)) throw new ArgumentException("The packed bias is too short.", nameof(packedBias));
        ref float bias = ref hasBias ? ref MemoryMarshal.GetReference(packedBias) : ref MemoryMarshal.GetReference(zeroBias);
        if (registers == RegisterBudget.Sixteen)
            Forward<SixteenRegisterTiles>(ref input, images, ref weights, ref bias, hasBias, ref y, g, width);
        else
            Forward<ThirtyTwoRegisterTiles>(ref input, images, ref weights, ref bias, hasBias, ref y, g, width);
    }

    private static void Forward<TTiles>(ref float input, int images, ref float weights, ref float bias, bool hasBias, ref float y, in ConvGeometry g, SimdWidth width)
        where TTiles : struct, ITiles
    {
        switch (width)
        {
            case SimdWidth.Vector512: Forward<Vector512Ops, Vector512<float>, TTiles>(ref input, images, ref weights, ref bias, hasBias, ref y, g); break;
            case SimdWidth.Vector256: Forward<Vector256Ops, Vector256<float>, TTiles>(ref input, images, ref weights, ref bias, hasBias, ref y, g); break;
            case SimdWidth.Vector128: Forward<Vector128Ops, Vector128<float>, TTiles>(ref input, images, ref weights, ref bias, hasBias, ref y, g); break;
            default: Forward<ScalarOps, float, TTiles>(ref input, images, ref weights, ref bias, hasBias, ref y, g); break;
        }
    }

    private static void Forward<TOps, TVector, TTiles>(ref float input, int images, ref float weights, ref float bias, bool hasBias, ref float output, ConvGeometry g)
        where TOps : struct, IVectorOps<TVector>
        where TVector : struct
        where TTiles : struct, ITiles
    {
        int bw = 2 * TOps.Count;
        int blocks = (g.OutChannels + bw - 1) / bw;
        int reduction = g.ReductionLength, outHeight = g.OutHeight, outWidth = g.OutWidth, oc = g.OutChannels;
        nint rowStride = (nint)g.PaddedWidth * g.InChannels;
        nint pixelStep = (nint)g.Stride * g.InChannels;
        nint rowLength = (nint)g.Kernel * g.InChannels;
        Span<float> scratchTile = stackalloc float[ForwardTilePixels * 2 * 16];
        ref float scratch = ref MemoryMarshal.GetReference(scratchTile);
        for (int b = 0; b < blocks; b++)
        {
            ref float blockWeights = ref Unsafe.Add(ref weights, (nint)b * reduction * bw);
            ref float blockBias = ref hasBias ? ref Unsafe.Add(ref bias, b * bw) : ref bias;
            int channels = Math.Min(bw, oc - b * bw);
            for (int n = 0; n < images; n++)
            {
                ref float image = ref Unsafe.Add(ref input, (nint)n * g.PaddedImageSize);
                for (int oy = 0; oy < outHeight; oy++)
                {
                    ref float inRow = ref Unsafe.Add(ref image, oy * g.Stride * rowStride);
                    ref float outRow = ref Unsafe.Add(ref output, ((nint)(n * outHeight + oy) * outWidth) * oc + b * bw);
                    for (int x0 = 0; x0 < outWidth; x0 += TTiles.ForwardPixels)
                        ForwardTile<TOps, TVector, TTiles>(ref Unsafe.Add(ref inRow, x0 * pixelStep), pixelStep, rowStride, g.Kernel, rowLength,
                            ref blockWeights, ref blockBias, ref Unsafe.Add(ref outRow, (nint)x0 * oc), oc, Math.Min(TTiles.ForwardPixels, outWidth - x0), channels, ref scratch);
                }
            }
        }
    }

    /// <summary>7 (or 6) output pixels × 2 registers of output channels.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardTile<TOps, TVector, TTiles>(ref float input, nint pixelStep, nint rowStride, int kernelRows, nint rowLength,
        ref float weights, ref float bias, ref float output, nint outputPixelStride, int pixels, int channels, ref float scratch)
        where TOps : struct, IVectorOps<TVector>
        where TVector : struct
        where TTiles : struct, ITiles
    {
        bool seventh = TTiles.ForwardPixels == 7; // a JIT-time constant
        nuint w = (nuint)TOps.Count;
        TVector b0 = TOps.Load(ref bias, 0), b1 = TOps.Load(ref bias, w);
        TVector c00 = b0, c01 = b1, c10 = b0, c11 = b1, c20 = b0, c21 = b1, c30 = b0, c31 = b1;
        TVector c40 = b0, c41 = b1, c50 = b0, c51 = b1, c60 = b0, c61 = b1;
        ref float wr = ref weights;
        for (int ky = 0; ky < kernelRows; ky++)
        {
            ref float x0 = ref Unsafe.Add(ref input, ky * rowStride);
            ref float x1 = ref Unsafe.Add(ref x0, pixelStep);
            ref float x2 = ref Unsafe.Add(ref x1, pixelStep);
            ref float x3 = ref Unsafe.Add(ref x2, pixelStep);
            ref float x4 = ref Unsafe.Add(ref x3, pixelStep);
            ref float x5 = ref Unsafe.Add(ref x4, pixelStep);
            ref float x6 = ref Unsafe.Add(ref x5, pixelStep);
            for (nint j = 0; j < rowLength; j++)
            {
                TVector w0 = TOps.Load(ref wr, 0), w1 = TOps.Load(ref wr, w);
                TVector a = TOps.Broadcast(Unsafe.Add(ref x0, j));
                c00 = TOps.MultiplyAdd(a, w0, c00); c01 = TOps.MultiplyAdd(a, w1, c01);
                a = TOps.Broadcast(Unsafe.Add(ref x1, j));
                c10 = TOps.MultiplyAdd(a, w0, c10); c11 = TOps.MultiplyAdd(a, w1, c11);
                a = TOps.Broadcast(Unsafe.Add(ref x2, j));
                c20 = TOps.MultiplyAdd(a, w0, c20); c21 = TOps.MultiplyAdd(a, w1, c21);
                a = TOps.Broadcast(Unsafe.Add(ref x3, j));
                c30 = TOps.MultiplyAdd(a, w0, c30); c31 = TOps.MultiplyAdd(a, w1, c31);
                a = TOps.Broadcast(Unsafe.Add(ref x4, j));
                c40 = TOps.MultiplyAdd(a, w0, c40); c41 = TOps.MultiplyAdd(a, w1, c41);
                a = TOps.Broadcast(Unsafe.Add(ref x5, j));
                c50 = TOps.MultiplyAdd(a, w0, c50); c51 = TOps.MultiplyAdd(a, w1, c51);
                if (seventh)
                {
                    a = TOps.Broadcast(Unsafe.Add(ref x6, j));
                    c60 = TOps.MultiplyAdd(a, w0, c60); c61 = TOps.MultiplyAdd(a, w1, c61);
                }
                wr = ref Unsafe.Add(ref wr, 2 * w);
            }
        }
        if (pixels == TTiles.ForwardPixels && channels == (int)(2 * w))
        {
            ref float o = ref output;
            TOps.Store(c00, ref o, 0); TOps.Store(c01, ref o, w); o = ref Unsafe.Add(ref o, outputPixelStride);
            TOps.Store(c10, ref o, 0); TOps.Store(c11, ref o, w); o = ref Unsafe.Add(ref o, outputPixelStride);
            TOps.Store(c20, ref o, 0); TOps.Store(c21, ref o, w); o = ref Unsafe.Add(ref o, outputPixelStride);
            TOps.Store(c30, ref o, 0); TOps.Store(c31, ref o, w); o = ref Unsafe.Add(ref o, outputPixelStride);
            TOps.Store(c40, ref o, 0); TOps.Store(c41, ref o, w); o = ref Unsafe.Add(ref o, outputPixelStride);
            TOps.Store(c50, ref o, 0); TOps.Store(c51, ref o, w);
            if (seventh)
            {
                o = ref Unsafe.Add(ref o, outputPixelStride);
                TOps.Store(c60, ref o, 0); TOps.Store(c61, ref o, w);
            }
            return;
        }
        // Partial tile (row end or last channel block): go through a scratch tile and copy what is valid.
        ref float t = ref scratch;
        nuint s = 2 * w;
        TOps.Store(c00, ref t, 0); TOps.Store(c01, ref t, w);
        TOps.Store(c10, ref t, s); TOps.Store(c11, ref t, s + w);
        TOps.Store(c20, ref t, 2 * s); TOps.Store(c21, ref t, 2 * s + w);
        TOps.Store(c30, ref t, 3 * s); TOps.Store(c31, ref t, 3 * s + w);
        TOps.Store(c40, ref t, 4 * s); TOps.Store(c41, ref t, 4 * s + w);
        TOps.Store(c50, ref t, 5 * s); TOps.Store(c51, ref t, 5 * s + w);
        if (seventh) { TOps.Store(c60, ref t, 6 * s); TOps.Store(c61, ref t, 6 * s + w); }
        for (int p = 0; p < pixels; p++)
            MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref t, p * (nint)s), channels).CopyTo(MemoryMarshal.CreateSpan(ref Unsafe.Add(ref output, p * outputPixelStride), channels));
    }

    /// <summary>
    /// Adds to <paramref name="packedGradient"/> (packed layout, like the weights) the weight gradient of
    /// <paramref name="images"/> images: <c>dW[ky, kx, ic, oc] += Σ_{n,oy,ox} input[n, oy·s+ky, ox·s+kx, ic] · dY[n, oy, ox, oc]</c>.
    /// <paramref name="outputGradient"/> needs <see cref="Slack"/> floats past its end.
    /// </summary>
    public static void AccumulateWeightGradient(ReadOnlySpan<float> paddedInput, ReadOnlySpan<float> outputGradient, int images,
        Span<float> packedGradient, in ConvGeometry g, SimdWidth width) =>
        AccumulateWeightGradient(paddedInput, outputGradient, images, packedGradient, g, width, Simd.Registers);

    public static void AccumulateWeightGradient(ReadOnlySpan<float> paddedInput, ReadOnlySpan<float> outputGradient, int images,
        Span<float> packedGradient, in ConvGeometry g, SimdWidth width, RegisterBudget registers)
    {
        if (images == 0) return;
        if (paddedInput.Length < images * g.PaddedImageSize + Slack(g)) throw new ArgumentException("The padded input is too short.", nameof(paddedInput));
        if (outputGradient.Length < images * g.OutputImageSize + Slack(g)) throw new ArgumentException("The output gradient is too short.", nameof(outputGradient));
        if (packedGradient.Length < PackedLength(g, width)) throw new ArgumentException("The packed gradient is too short.", nameof(packedGradient));
        ref float x = ref MemoryMarshal.GetReference(paddedInput);
        ref float dy = ref MemoryMarshal.GetReference(outputGradient);
        ref float dw = ref MemoryMarshal.GetReference(packedGradient);
        Span<nint> offsets = stackalloc nint[g.ReductionLength + GradientTileRows];
        nint rowStride = (nint)g.PaddedWidth * g.InChannels, rowLength = (nint)g.Kernel * g.InChannels;
        for (int r = 0; r < offsets.Length; r++)
            offsets[r] = r < g.ReductionLength ? (r / rowLength) * rowStride + r % rowLength : offsets[g.ReductionLength - 1];
        ref nint offset = ref MemoryMarshal.GetReference(offsets);
        if (registers == RegisterBudget.Sixteen)
            WeightGradient<SixteenRegisterTiles>(ref x, ref dy, images, ref dw, ref offset, g, width);
        else
            WeightGradient<ThirtyTwoRegisterTiles>(ref x, ref dy, images, ref dw, ref offset, g, width);
    }

    private static void WeightGradient<TTiles>(ref float x, ref float dy, int images, ref float dw, ref nint offset, in ConvGeometry g, SimdWidth width)
        where TTiles : struct, ITiles
    {
        switch (width)
        {
            case SimdWidth.Vector512: WeightGradient<Vector512Ops, Vector512<float>, TTiles>(ref x, ref dy, images, ref dw, ref offset, g); break;
            case SimdWidth.Vector256: WeightGradient<Vector256Ops, Vector256<float>, TTiles>(ref x, ref dy, images, ref dw, ref offset, g); break;
            case SimdWidth.Vector128: WeightGradient<Vector128Ops, Vector128<float>, TTiles>(ref x, ref dy, images, ref dw, ref offset, g); break;
            default: WeightGradient<ScalarOps, float, TTiles>(ref x, ref dy, images, ref dw, ref offset, g); break;
        }
    }

    private static void WeightGradient<TOps, TVector, TTiles>(ref float input, ref float dy, int images, ref float dw, ref nint offsets, ConvGeometry g)
        where TOps : struct, IVectorOps<TVector>
        where TVector : struct
        where TTiles : struct, ITiles
    {
        int tileRows = TTiles.GradientRows;
        int bw = 2 * TOps.Count;
        int blocks = (g.OutChannels + bw - 1) / bw;
        int reduction = g.ReductionLength, outHeight = g.OutHeight, outWidth = g.OutWidth, oc = g.OutChannels;
        nint inputRowStep = (nint)g.Stride * g.PaddedWidth * g.InChannels;
        nint pixelStep = (nint)g.Stride * g.InChannels;
        Span<float> scratch = stackalloc float[GradientTileRows * 2 * 16];
        ref float tile = ref MemoryMarshal.GetReference(scratch);
        for (int n = 0; n < images; n++)
        {
            ref float image = ref Unsafe.Add(ref input, (nint)n * g.PaddedImageSize);
            ref float imageGradient = ref Unsafe.Add(ref dy, (nint)n * outHeight * outWidth * oc);
            for (int b = 0; b < blocks; b++)
            {
                ref float blockGradient = ref Unsafe.Add(ref dw, (nint)b * reduction * bw);
                for (int r0 = 0; r0 < reduction; r0 += tileRows)
                {
                    int rows = Math.Min(tileRows, reduction - r0);
                    ref float target = ref Unsafe.Add(ref blockGradient, (nint)r0 * bw);
                    if (rows == tileRows)
                    {
                        WeightGradientTile<TOps, TVector, TTiles>(ref image, inputRowStep, pixelStep, ref Unsafe.Add(ref offsets, r0),
                            ref Unsafe.Add(ref imageGradient, b * bw), oc, outHeight, outWidth, ref target);
                        continue;
                    }
                    // A short last tile works on a scratch copy so it neither reads nor writes past the block.
                    var partial = MemoryMarshal.CreateSpan(ref target, rows * bw);
                    scratch.Clear();
                    partial.CopyTo(scratch);
                    WeightGradientTile<TOps, TVector, TTiles>(ref image, inputRowStep, pixelStep, ref Unsafe.Add(ref offsets, r0),
                        ref Unsafe.Add(ref imageGradient, b * bw), oc, outHeight, outWidth, ref tile);
                    scratch[..(rows * bw)].CopyTo(partial);
                }
            }
        }
    }

    /// <summary>12 (or 6) reduction rows × 2 registers of output channels, summed over every output pixel of one image.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WeightGradientTile<TOps, TVector, TTiles>(ref float image, nint inputRowStep, nint pixelStep, ref nint offsets,
        ref float dy, nint oc, int outHeight, int outWidth, ref float dw)
        where TOps : struct, IVectorOps<TVector>
        where TVector : struct
        where TTiles : struct, ITiles
    {
        bool twelve = TTiles.GradientRows == 12; // a JIT-time constant: the 6-row tile drops rows 6–11
        nuint w = (nuint)TOps.Count;
        nuint s = 2 * w;
        ref float d = ref dw;
        TVector a00 = TOps.Load(ref d, 0), a01 = TOps.Load(ref d, w);
        TVector a10 = TOps.Load(ref d, s), a11 = TOps.Load(ref d, s + w);
        TVector a20 = TOps.Load(ref d, 2 * s), a21 = TOps.Load(ref d, 2 * s + w);
        TVector a30 = TOps.Load(ref d, 3 * s), a31 = TOps.Load(ref d, 3 * s + w);
        TVector a40 = TOps.Load(ref d, 4 * s), a41 = TOps.Load(ref d, 4 * s + w);
        TVector a50 = TOps.Load(ref d, 5 * s), a51 = TOps.Load(ref d, 5 * s + w);
        TVector a60 = default, a61 = default, a70 = default, a71 = default, a80 = default, a81 = default;
        TVector a90 = default, a91 = default, aa0 = default, aa1 = default, ab0 = default, ab1 = default;
        nint o6 = 0, o7 = 0, o8 = 0, o9 = 0, o10 = 0, o11 = 0;
        if (twelve)
        {
            a60 = TOps.Load(ref d, 6 * s); a61 = TOps.Load(ref d, 6 * s + w);
            a70 = TOps.Load(ref d, 7 * s); a71 = TOps.Load(ref d, 7 * s + w);
            a80 = TOps.Load(ref d, 8 * s); a81 = TOps.Load(ref d, 8 * s + w);
            a90 = TOps.Load(ref d, 9 * s); a91 = TOps.Load(ref d, 9 * s + w);
            aa0 = TOps.Load(ref d, 10 * s); aa1 = TOps.Load(ref d, 10 * s + w);
            ab0 = TOps.Load(ref d, 11 * s); ab1 = TOps.Load(ref d, 11 * s + w);
            o6 = Unsafe.Add(ref offsets, 6); o7 = Unsafe.Add(ref offsets, 7); o8 = Unsafe.Add(ref offsets, 8);
            o9 = Unsafe.Add(ref offsets, 9); o10 = Unsafe.Add(ref offsets, 10); o11 = Unsafe.Add(ref offsets, 11);
        }
        nint o0 = offsets, o1 = Unsafe.Add(ref offsets, 1), o2 = Unsafe.Add(ref offsets, 2), o3 = Unsafe.Add(ref offsets, 3);
        nint o4 = Unsafe.Add(ref offsets, 4), o5 = Unsafe.Add(ref offsets, 5);
        ref float g = ref dy;
        for (int oy = 0; oy < outHeight; oy++)
        {
            ref float x = ref Unsafe.Add(ref image, oy * inputRowStep);
            for (int ox = 0; ox < outWidth; ox++)
            {
                TVector g0 = TOps.Load(ref g, 0), g1 = TOps.Load(ref g, w);
                TVector v = TOps.Broadcast(Unsafe.Add(ref x, o0)); a00 = TOps.MultiplyAdd(v, g0, a00); a01 = TOps.MultiplyAdd(v, g1, a01);
                v = TOps.Broadcast(Unsafe.Add(ref x, o1)); a10 = TOps.MultiplyAdd(v, g0, a10); a11 = TOps.MultiplyAdd(v, g1, a11);
                v = TOps.Broadcast(Unsafe.Add(ref x, o2)); a20 = TOps.MultiplyAdd(v, g0, a20); a21 = TOps.MultiplyAdd(v, g1, a21);
                v = TOps.Broadcast(Unsafe.Add(ref x, o3)); a30 = TOps.MultiplyAdd(v, g0, a30); a31 = TOps.MultiplyAdd(v, g1, a31);
                v = TOps.Broadcast(Unsafe.Add(ref x, o4)); a40 = TOps.MultiplyAdd(v, g0, a40); a41 = TOps.MultiplyAdd(v, g1, a41);
                v = TOps.Broadcast(Unsafe.Add(ref x, o5)); a50 = TOps.MultiplyAdd(v, g0, a50); a51 = TOps.MultiplyAdd(v, g1, a51);
                if (twelve)
                {
                    v = TOps.Broadcast(Unsafe.Add(ref x, o6)); a60 = TOps.MultiplyAdd(v, g0, a60); a61 = TOps.MultiplyAdd(v, g1, a61);
                    v = TOps.Broadcast(Unsafe.Add(ref x, o7)); a70 = TOps.MultiplyAdd(v, g0, a70); a71 = TOps.MultiplyAdd(v, g1, a71);
                    v = TOps.Broadcast(Unsafe.Add(ref x, o8)); a80 = TOps.MultiplyAdd(v, g0, a80); a81 = TOps.MultiplyAdd(v, g1, a81);
                    v = TOps.Broadcast(Unsafe.Add(ref x, o9)); a90 = TOps.MultiplyAdd(v, g0, a90); a91 = TOps.MultiplyAdd(v, g1, a91);
                    v = TOps.Broadcast(Unsafe.Add(ref x, o10)); aa0 = TOps.MultiplyAdd(v, g0, aa0); aa1 = TOps.MultiplyAdd(v, g1, aa1);
                    v = TOps.Broadcast(Unsafe.Add(ref x, o11)); ab0 = TOps.MultiplyAdd(v, g0, ab0); ab1 = TOps.MultiplyAdd(v, g1, ab1);
                }
                x = ref Unsafe.Add(ref x, pixelStep);
                g = ref Unsafe.Add(ref g, oc);
            }
        }
        TOps.Store(a00, ref d, 0); TOps.Store(a01, ref d, w);
        TOps.Store(a10, ref d, s); TOps.Store(a11, ref d, s + w);
        TOps.Store(a20, ref d, 2 * s); TOps.Store(a21, ref d, 2 * s + w);
        TOps.Store(a30, ref d, 3 * s); TOps.Store(a31, ref d, 3 * s + w);
        TOps.Store(a40, ref d, 4 * s); TOps.Store(a41, ref d, 4 * s + w);
        TOps.Store(a50, ref d, 5 * s); TOps.Store(a51, ref d, 5 * s + w);
        if (!twelve) return;
        TOps.Store(a60, ref d, 6 * s); TOps.Store(a61, ref d, 6 * s + w);
        TOps.Store(a70, ref d, 7 * s); TOps.Store(a71, ref d, 7 * s + w);
        TOps.Store(a80, ref d, 8 * s); TOps.Store(a81, ref d, 8 * s + w);
        TOps.Store(a90, ref d, 9 * s); TOps.Store(a91, ref d, 9 * s + w);
        TOps.Store(aa0, ref d, 10 * s); TOps.Store(aa1, ref d, 10 * s + w);
        TOps.Store(ab0, ref d, 11 * s); TOps.Store(ab1, ref d, 11 * s + w);
    }
}
