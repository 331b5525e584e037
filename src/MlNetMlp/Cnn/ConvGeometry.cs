namespace MlNetMlp.Cnn;

/// <summary>
/// The shape arithmetic of one 2-D convolution (square kernel, equal stride and zero padding on both
/// axes), PyTorch's rules: output size <c>⌊(H + 2p − k) / s⌋ + 1</c>.
/// </summary>
internal readonly record struct ConvGeometry(int InChannels, int OutChannels, int Kernel, int Stride, int Padding, int Height, int Width)
{
    public override string ToString() => $"{InChannels}→{OutChannels} k{Kernel} s{Stride} p{Padding} on {Height}×{Width}";

    public int OutHeight => (Height + 2 * Padding - Kernel) / Stride + 1;

    public int OutWidth => (Width + 2 * Padding - Kernel) / Stride + 1;

    public int PaddedHeight => Height + 2 * Padding;

    public int PaddedWidth => Width + 2 * Padding;

    /// <summary>Floats of one zero-padded NHWC input image.</summary>
    public int PaddedImageSize => PaddedHeight * PaddedWidth * InChannels;

    public int InputImageSize => Height * Width * InChannels;

    public int OutputImageSize => OutHeight * OutWidth * OutChannels;

    /// <summary>Length of the reduction: k·k·C<sub>in</sub>.</summary>
    public int ReductionLength => checked(Kernel * Kernel * InChannels);

    public int WeightCount => checked(Kernel * Kernel * InChannels * OutChannels);

    /// <summary>Multiply-adds of the forward pass for one image.</summary>
    public long MultiplyAddsPerImage => (long)OutHeight * OutWidth * OutChannels * ReductionLength;

    public bool IsValid => InChannels > 0 && OutChannels > 0 && Kernel > 0 && Stride > 0 && Padding >= 0 && Padding < Kernel
        && Height + 2 * Padding >= Kernel && Width + 2 * Padding >= Kernel;

    /// <summary>
    /// The convolution whose forward pass computes this one's input gradient: stride 1 over the output
    /// gradient dilated by the stride and padded by k − 1 − p, with flipped, transposed weights.
    /// </summary>
    public ConvGeometry InputGradient() => new(OutChannels, InChannels, Kernel, 1, 0, DilatedPaddedHeight, DilatedPaddedWidth);

    /// <summary>Rows of the dilated, padded output gradient (so that the stride-1 valid convolution has <see cref="Height"/> rows).</summary>
    public int DilatedPaddedHeight => Height + Kernel - 1;

    public int DilatedPaddedWidth => Width + Kernel - 1;

    /// <summary>Where output row 0 of the gradient lands in the dilated, padded buffer (top and left border).</summary>
    public int GradientBorder => Kernel - 1 - Padding;
}
