using MlNetMlp.Numerics;

namespace MlNetMlp.Cnn;

/// <summary>
/// 2-D convolution with bias on NHWC activations (PyTorch's <c>nn.Conv2d</c>: cross-correlation, zero padding,
/// output <c>⌊(H + 2p − k)/s⌋ + 1</c>). Parameters: weights HWIO <c>[k, k, C_in, C_out]</c>, then the bias.
/// Forward pads the input into a scratch buffer (kept for backward) and runs <see cref="ConvKernels.Forward(ReadOnlySpan{float}, int, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, in ConvGeometry, SimdWidth, RegisterBudget)"/>;
/// backward computes the weight gradient with <see cref="ConvKernels.AccumulateWeightGradient(ReadOnlySpan{float}, ReadOnlySpan{float}, int, Span{float}, in ConvGeometry, SimdWidth, RegisterBudget)"/>, the bias gradient
/// as per-channel sums, and the input gradient as the forward convolution of the dilated, padded output gradient
/// with flipped, transposed weights.
/// </summary>
internal sealed class Conv2DLayer : CnnLayer
{
    private readonly SimdWidth _width;
    // Packed on the first Prepare, so that building a network (e.g. from a file's description, to check its size) allocates nothing big.
    private float[] _packed = [];
    private float[] _packedFlipped = [];
    private float[] _packedBias = [];

    public Conv2DLayer(TensorShape input, int filters, int kernel, int stride, int padding, SimdWidth? width = null)
        : base(input, OutputShape(input, filters, kernel, stride, padding))
    {
        Geometry = new ConvGeometry(input.Channels, filters, kernel, stride, padding, input.Height, input.Width);
        _width = width ?? Simd.Best;
    }

    public ConvGeometry Geometry { get; }

    public static TensorShape OutputShape(TensorShape input, int filters, int kernel, int stride, int padding)
    {
        var g = new ConvGeometry(input.Channels, filters, kernel, stride, padding, input.Height, input.Width);
        if (!g.IsValid)
            throw new ArgumentOutOfRangeException(nameof(input), $"A {kernel}×{kernel} convolution with stride {stride} and padding {padding} does not fit a {input} input.");
        return new TensorShape(filters, g.OutHeight, g.OutWidth);
    }

    public override int ParameterLength => Geometry.WeightCount + Geometry.OutChannels;

    public override int GradientSlack => ConvKernels.Slack(Geometry);

    public override IEnumerable<(string Suffix, int Offset, int Length, bool IsWeight, int[] Shape)> ParameterTensors =>
        [("weight", 0, Geometry.WeightCount, true, [Geometry.OutChannels, Geometry.InChannels, Geometry.Kernel, Geometry.Kernel]),
         ("bias", Geometry.WeightCount, Geometry.OutChannels, false, [Geometry.OutChannels])];

    /// <summary>PyTorch's default: weights and bias uniform in ±1/√(C_in·k·k).</summary>
    public override void Initialize(Span<float> parameters, Span<float> buffers, Random random)
    {
        double bound = 1 / Math.Sqrt(Geometry.ReductionLength);
        for (int i = 0; i < parameters.Length; i++)
            parameters[i] = (float)((2 * random.NextDouble() - 1) * bound);
    }

    public override void Prepare(ReadOnlySpan<float> parameters)
    {
        if (_packedBias.Length == 0)
        {
            _packed = new float[ConvKernels.PackedLength(Geometry, _width)];
            _packedFlipped = new float[ConvKernels.PackedLength(Geometry.InputGradient(), _width)];
            _packedBias = new float[ConvKernels.Blocks(Geometry.OutChannels, _width) * ConvKernels.BlockWidth(_width)];
        }
        ReadOnlySpan<float> weights = parameters[..Geometry.WeightCount];
        ConvKernels.Pack(weights, Geometry, _packed, _width);
        ConvKernels.PackFlippedTransposed(weights, Geometry, _packedFlipped, _width);
        ConvKernels.PackBias(parameters.Slice(Geometry.WeightCount, Geometry.OutChannels), Geometry.OutChannels, _packedBias, _width);
    }

    private sealed class Scratch
    {
        public Scratch(ConvGeometry g, int maxRows, bool training, SimdWidth width)
        {
            Padded = new float[checked(maxRows * g.PaddedImageSize + ConvKernels.Slack(g))];
            if (!training) return;
            var gradient = g.InputGradient();
            PaddedGradient = new float[checked(maxRows * gradient.PaddedImageSize + ConvKernels.Slack(gradient))];
            PackedGradient = new float[ConvKernels.PackedLength(g, width)];
        }

        public float[] Padded { get; }
        public float[] PaddedGradient { get; } = [];
        public float[] PackedGradient { get; } = [];
    }

    public override object? CreateScratch(int maxRows, bool training) => new Scratch(Geometry, maxRows, training, _width);

    public override void Forward(CnnPass pass, CnnWorkspace work, int index)
    {
        var s = (Scratch)work.Scratch[index]!;
        var g = Geometry;
        int rows = work.Rows;
        if (rows == 0) return;
        ConvKernels.PadImages(InputOf(work, index), rows, g.Height, g.Width, g.InChannels, g.Padding, 1, g.PaddedHeight, g.PaddedWidth, s.Padded);
        ConvKernels.Forward(s.Padded, rows, _packed, _packedBias, OutputOf(work, index), g, _width);
    }

    public override void Backward(CnnPass pass, CnnWorkspace work, int index, float[] outputGradient, float[] inputGradient, bool needInputGradient)
    {
        var s = (Scratch)work.Scratch[index]!;
        var g = Geometry;
        int rows = work.Rows;
        Span<float> gradient = ParameterGradient(work);
        gradient.Clear();
        if (rows == 0) return;

        // Weight gradient, accumulated in the packed layout, then unpacked to HWIO.
        Array.Clear(s.PackedGradient);
        ConvKernels.AccumulateWeightGradient(s.Padded, outputGradient, rows, s.PackedGradient, g, _width);
        int bw = ConvKernels.BlockWidth(_width), reduction = g.ReductionLength, oc = g.OutChannels;
        for (int b = 0; b * bw < oc; b++)
        {
            int first = b * bw, count = Math.Min(bw, oc - first);
            for (int r = 0; r < reduction; r++)
                s.PackedGradient.AsSpan((b * reduction + r) * bw, count).CopyTo(gradient.Slice(r * oc + first, count));
        }
        ChannelMath.AddChannelSums(outputGradient, rows * g.OutHeight * g.OutWidth, oc, gradient.Slice(g.WeightCount, oc));

        if (!needInputGradient) return;
        var dx = g.InputGradient();
        ConvKernels.PadImages(outputGradient.AsSpan(0, rows * g.OutputImageSize), rows, g.OutHeight, g.OutWidth, oc, g.GradientBorder, g.Stride,
            dx.PaddedHeight, dx.PaddedWidth, s.PaddedGradient);
        ConvKernels.Forward(s.PaddedGradient, rows, _packedFlipped, default, inputGradient.AsSpan(0, rows * g.InputImageSize), dx, _width);
    }
}
