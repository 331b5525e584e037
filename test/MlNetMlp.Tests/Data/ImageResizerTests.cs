using MlNetMlp.Data;

namespace MlNetMlp.Tests.Data;

[TestClass]
public sealed class ImageResizerTests
{
    private static void AssertClose(float[] expected, float[] actual)
    {
        Assert.HasCount(expected.Length, actual);
        for (int i = 0; i < expected.Length; i++)
            Assert.AreEqual(expected[i], actual[i], 1e-4f, $"at {i}");
    }

    [TestMethod]
    public void SameSizeIsACopy()
    {
        var source = Enumerable.Range(0, 12).Select(i => (float)i).ToArray();
        AssertClose(source, ImageResizer.Resize(source, 4, 3, 4, 3));
    }

    [TestMethod]
    public void HalvingAveragesEachTwoByTwoBlock()
    {
        var source = new float[]
        {
            0, 2, 10, 20,
            4, 6, 30, 40,
            1, 1, 255, 255,
            1, 1, 255, 0,
        };
        AssertClose([3, 25, 1, 191.25f], ImageResizer.Resize(source, 4, 4, 2, 2));
    }

    [TestMethod]
    public void NonIntegerShrinkWeighsPartialPixels()
    {
        // Three pixels into two: each output covers 1.5 source pixels.
        AssertClose([(0 * 1 + 30 * 0.5f) / 1.5f, (30 * 0.5f + 90 * 1) / 1.5f], ImageResizer.Resize([0, 30, 90], 3, 1, 2, 1));
    }

    [TestMethod]
    public void EnlargingInterpolatesBetweenPixelCenters()
    {
        // Output centers at source positions -0.25, 0.25, 0.75, 1.25 (clamped at the edges).
        AssertClose([0, 25, 75, 100], ImageResizer.Resize([0, 100], 2, 1, 4, 1));
        AssertClose([0, 25, 75, 100], ImageResizer.Resize([0, 100], 1, 2, 1, 4));
    }

    [TestMethod]
    public void ShrinkingAFashionSizedImageKeepsTheMeanAndRange()
    {
        var random = new Random(7);
        var source = Enumerable.Range(0, 280 * 140).Select(_ => (float)random.Next(256)).ToArray();
        var resized = ImageResizer.Resize(source, 280, 140, 28, 28);
        Assert.HasCount(784, resized);
        Assert.AreEqual(source.Average(), resized.Average(), 1e-2);
        Assert.IsTrue(resized.All(v => v is >= 0 and <= 255));
        // The first output pixel averages the top-left 10×5 block.
        float block = Enumerable.Range(0, 5).SelectMany(y => Enumerable.Range(0, 10).Select(x => source[y * 280 + x])).Average();
        Assert.AreEqual(block, resized[0], 1e-3f);
    }

    [TestMethod]
    public void ConstantImageStaysConstantAtAnySize()
    {
        var source = Enumerable.Repeat(77f, 13 * 7).ToArray();
        foreach (var (w, h) in new[] { (28, 28), (5, 3), (1, 1), (40, 9) })
            Assert.IsTrue(ImageResizer.Resize(source, 13, 7, w, h).All(v => Math.Abs(v - 77f) < 1e-3f), $"{w}×{h}");
    }

    [TestMethod]
    public void MismatchedSourceLengthIsRejected() =>
        Assert.ThrowsExactly<ArgumentException>(() => ImageResizer.Resize(new float[5], 2, 3, 28, 28));
}
