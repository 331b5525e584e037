using MlNetMlp.Cnn;
using MlNetMlp.Numerics;

namespace MlNetMlp.Tests.Cnn;

/// <summary>
/// The NHWC direct-convolution kernels against the scalar NCHW reference (<see cref="ReferenceConv"/>) on awkward
/// shapes — channel counts that fill no register, widths that end mid-tile, strides, 1×1 and 5×5 kernels, padding
/// and none — at every SIMD width, forward, weight gradient and input gradient.
/// </summary>
[TestClass]
public sealed class ConvKernelTests
{
    private static readonly ConvGeometry[] Shapes =
    [
        new(1, 1, 1, 1, 0, 1, 1),
        new(1, 32, 3, 1, 1, 28, 28),
        new(3, 5, 3, 1, 1, 9, 11),
        new(7, 33, 3, 1, 0, 6, 13),
        new(2, 3, 5, 1, 2, 8, 8),
        new(5, 37, 3, 2, 1, 11, 9),
        new(17, 19, 5, 3, 2, 13, 10),
        new(13, 4, 1, 1, 0, 5, 6),
        new(33, 65, 3, 1, 1, 7, 8),
        new(4, 16, 2, 2, 0, 9, 9),
        new(6, 8, 4, 1, 1, 10, 7),
    ];

    private static float[] Random(int length, Random random)
    {
        var values = new float[length];
        for (int i = 0; i < length; i++) values[i] = (float)(random.NextDouble() * 2 - 1);
        return values;
    }

    [TestMethod]
    public void FastPathMatchesTheScalarReferenceOnAwkwardShapes()
    {
        foreach (SimdWidth width in Simd.All)
        foreach (RegisterBudget registers in Enum.GetValues<RegisterBudget>())
            foreach (var g in Shapes)
            {
                var random = new Random(g.GetHashCode());
                const int images = 3;
                float[] x = Random(images * g.InputImageSize, random), w = Random(g.WeightCount, random), b = Random(g.OutChannels, random);
                float[] dy = Random(images * g.OutputImageSize, random);
                float[] y = ReferenceConv.Forward(x, w, b, images, g);
                var (dx, dw, db) = ReferenceConv.Backward(x, w, dy, images, g);

                float[] hwio = TensorLayout.OihwToHwio(w, g.OutChannels, g.InChannels, g.Kernel);
                var padded = new float[images * g.PaddedImageSize + ConvKernels.Slack(g)];
                ConvKernels.PadImages(TensorLayout.NchwToNhwc(x, images, g.InChannels, g.Height, g.Width), images, g.Height, g.Width, g.InChannels,
                    g.Padding, 1, g.PaddedHeight, g.PaddedWidth, padded);
                var packed = new float[ConvKernels.PackedLength(g, width)];
                ConvKernels.Pack(hwio, g, packed, width);
                var packedBias = new float[ConvKernels.Blocks(g.OutChannels, width) * ConvKernels.BlockWidth(width)];
                ConvKernels.PackBias(b, g.OutChannels, packedBias, width);
                var output = new float[images * g.OutputImageSize];
                ConvKernels.Forward(padded, images, packed, packedBias, output, g, width, registers);
                CnnFixture.AssertClose(y, TensorLayout.NhwcToNchw(output, images, g.OutChannels, g.OutHeight, g.OutWidth), 1e-5, 1e-5, $"{width} {registers} {g} forward");

                var gradient = new float[images * g.OutputImageSize + ConvKernels.Slack(g)];
                TensorLayout.NchwToNhwc(dy, images, g.OutChannels, g.OutHeight, g.OutWidth).CopyTo(gradient, 0);
                var packedGradient = new float[packed.Length];
                ConvKernels.AccumulateWeightGradient(padded, gradient, images, packedGradient, g, width, registers);
                int bw = ConvKernels.BlockWidth(width);
                var weightGradient = new float[g.WeightCount];
                for (int r = 0; r < g.ReductionLength; r++)
                    for (int o = 0; o < g.OutChannels; o++)
                        weightGradient[r * g.OutChannels + o] = packedGradient[(o / bw * g.ReductionLength + r) * bw + o % bw];
                CnnFixture.AssertClose(dw, TensorLayout.HwioToOihw(weightGradient, g.OutChannels, g.InChannels, g.Kernel), 1e-4, 1e-5, $"{width} {registers} {g} weight gradient");

                var back = g.InputGradient();
                var paddedGradient = new float[images * back.PaddedImageSize + ConvKernels.Slack(back)];
                ConvKernels.PadImages(gradient, images, g.OutHeight, g.OutWidth, g.OutChannels, g.GradientBorder, g.Stride, back.PaddedHeight, back.PaddedWidth, paddedGradient);
                var flipped = new float[ConvKernels.PackedLength(back, width)];
                ConvKernels.PackFlippedTransposed(hwio, g, flipped, width);
                var inputGradient = new float[images * g.InputImageSize];
                ConvKernels.Forward(paddedGradient, images, flipped, default, inputGradient, back, width, registers);
                CnnFixture.AssertClose(dx, TensorLayout.NhwcToNchw(inputGradient, images, g.InChannels, g.Height, g.Width), 1e-5, 1e-5, $"{width} {registers} {g} input gradient");
                Assert.AreEqual(db.Length, g.OutChannels);
            }
    }

    [TestMethod]
    public void EveryWidthAndTileComputesBitIdenticalResults()
    {
        // Each output is one fixed sequence of fused multiply-adds, so neither the register width nor the tile size can change a bit.
        var g = new ConvGeometry(5, 37, 3, 1, 1, 10, 9);
        var random = new Random(5);
        var hwio = Random(g.WeightCount, random);
        var padded = new float[2 * g.PaddedImageSize + ConvKernels.Slack(g)];
        ConvKernels.PadImages(Random(2 * g.InputImageSize, random), 2, g.Height, g.Width, g.InChannels, g.Padding, 1, g.PaddedHeight, g.PaddedWidth, padded);
        var gradient = Random(2 * g.OutputImageSize + ConvKernels.Slack(g), random);
        float[]? first = null, firstGradient = null;
        foreach (SimdWidth width in Simd.All)
        foreach (RegisterBudget registers in Enum.GetValues<RegisterBudget>())
        {
            var packed = new float[ConvKernels.PackedLength(g, width)];
            ConvKernels.Pack(hwio, g, packed, width);
            var output = new float[2 * g.OutputImageSize];
            ConvKernels.Forward(padded, 2, packed, default, output, g, width, registers);
            var packedGradient = new float[packed.Length];
            ConvKernels.AccumulateWeightGradient(padded, gradient, 2, packedGradient, g, width, registers);
            // Unpack to HWIO so widths with different block sizes compare.
            int bw = ConvKernels.BlockWidth(width);
            var weightGradient = new float[g.WeightCount];
            for (int r = 0; r < g.ReductionLength; r++)
                for (int o = 0; o < g.OutChannels; o++)
                    weightGradient[r * g.OutChannels + o] = packedGradient[(o / bw * g.ReductionLength + r) * bw + o % bw];
            first ??= output;
            firstGradient ??= weightGradient;
            CollectionAssert.AreEqual(first, output, $"{width} {registers} forward");
            CollectionAssert.AreEqual(firstGradient, weightGradient, $"{width} {registers} weight gradient");
        }
    }

    [TestMethod]
    public void ShortBuffersAreRejected()
    {
        var g = new ConvGeometry(3, 4, 3, 1, 1, 6, 6);
        var packed = new float[ConvKernels.PackedLength(g, Simd.Best)];
        Assert.ThrowsExactly<ArgumentException>(() => ConvKernels.Forward(new float[g.PaddedImageSize], 1, packed, default, new float[g.OutputImageSize], g, Simd.Best));
        Assert.ThrowsExactly<ArgumentException>(() => ConvKernels.AccumulateWeightGradient(new float[g.PaddedImageSize + ConvKernels.Slack(g)], new float[g.OutputImageSize], 1, packed, g, Simd.Best));
    }
}
