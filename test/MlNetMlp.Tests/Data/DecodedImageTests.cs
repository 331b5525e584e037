using MlNetMlp.Data;
using SkiaSharp;

namespace MlNetMlp.Tests.Data;

/// <summary>
/// Image reading through SkiaSharp (<see cref="DecodedImage"/>), which replaced the hand-written PNG decoder: every
/// supported format loads, from files another encoder (Pillow) wrote; grayscale conversion, resizing, transparency and
/// the dark-on-light judgement behave as the Fashion-MNIST inputs need.
/// </summary>
[TestClass]
public sealed class DecodedImageTests
{
    [TestMethod]
    [DataRow("halves.jpg", "Jpeg", 3f)]
    [DataRow("halves.png", "Png", 0f)]
    [DataRow("halves.bmp", "Bmp", 0f)]
    [DataRow("halves.gif", "Gif", 0f)]
    [DataRow("halves.webp", "Webp", 0f)]
    public void EverySupportedFormatLoads(string name, string format, float tolerance)
    {
        // test/generate_image_fixtures.py: 16×8, left half gray 40, right half gray 200.
        string path = TestImages.Fixture(name);
        var image = DecodedImage.Load(path);
        Assert.AreEqual(format, image.Format);
        Assert.AreEqual((16, 8), (image.Width, image.Height));
        Assert.AreEqual((16, 8), DecodedImage.ReadSize(path));
        var full = image.ToLightOnBlack(16, 8, invert: false);
        for (int y = 0; y < 8; y++)
        {
            Assert.AreEqual(40f, full[y * 16 + 1], tolerance, $"{name} left, row {y}");
            Assert.AreEqual(200f, full[y * 16 + 14], tolerance, $"{name} right, row {y}");
        }
        var halves = ImageFolder.LoadImage(path, width: 2, height: 1);
        Assert.AreEqual(40f, halves[0], tolerance + 0.5f, name);
        Assert.AreEqual(200f, halves[1], tolerance + 0.5f, name);
        CollectionAssert.AreEqual(halves.Select(v => 255 - v).ToArray(), ImageFolder.LoadImage(path, 2, 1, invert: true), name);
    }

    [TestMethod]
    public void ColorBecomesRec601Luminance()
    {
        byte[] rgba = [255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255, 10, 20, 30, 255];
        var image = DecodedImage.Decode(TestImages.EncodeRgba(rgba, 4, 1), "colors.png");
        var gray = image.ToLightOnBlack(4, 1, invert: false);
        float[] expected = [0.299f * 255, 0.587f * 255, 0.114f * 255, 0.299f * 10 + 0.587f * 20 + 0.114f * 30];
        for (int i = 0; i < 4; i++) Assert.AreEqual(expected[i], gray[i], 1e-3f, $"pixel {i}");
    }

    [TestMethod]
    public void ShrinkingAveragesAndGrowingInterpolates()
    {
        // 4×4 made of 2×2 blocks 0, 100, 200, 60: each block becomes one pixel of the 2×2 result.
        byte[] pixels = new byte[16];
        for (int y = 0; y < 4; y++)
            for (int x = 0; x < 4; x++)
                pixels[y * 4 + x] = (y < 2, x < 2) switch { (true, true) => 0, (true, false) => 100, (false, true) => 200, _ => 60 };
        var image = DecodedImage.Decode(TestImages.EncodeGray8(pixels, 4, 4), "blocks.png");
        CollectionAssert.AreEqual(new[] { 0f, 100f, 200f, 60f }, image.ToLightOnBlack(2, 2, invert: false));

        var two = DecodedImage.Decode(TestImages.EncodeGray8([0, 100], 2, 1), "two.png");
        CollectionAssert.AreEqual(new[] { 0f, 25f, 75f, 100f }, two.ToLightOnBlack(4, 1, invert: false));
    }

    [TestMethod]
    public void TransparencyIsBackgroundWhetherOrNotInverted()
    {
        // A half-transparent white pixel, an opaque black one, a fully transparent white one.
        byte[] rgba = [255, 255, 255, 128, 0, 0, 0, 255, 255, 255, 255, 0];
        var image = DecodedImage.Decode(TestImages.EncodeRgba(rgba, 3, 1), "alpha.png");
        var plain = image.ToLightOnBlack(3, 1, invert: false);
        var inverted = image.ToLightOnBlack(3, 1, invert: true);
        Assert.AreEqual(128f, plain[0], 1f);
        Assert.AreEqual(0f, inverted[0], 1f, "inverted white at half opacity: black");
        CollectionAssert.AreEqual(new[] { 0f, 0f }, plain[1..]);
        CollectionAssert.AreEqual(new[] { 255f, 0f }, inverted[1..]);
    }

    [TestMethod]
    public void DarkOnLightIsJudgedFromTheBorderOrTheOpaqueObject()
    {
        static DecodedImage Picture(byte background, byte item, byte backgroundAlpha = 255)
        {
            var rgba = new byte[5 * 5 * 4];
            for (int i = 0; i < 25; i++)
            {
                bool border = i / 5 is 0 or 4 || i % 5 is 0 or 4;
                byte value = border ? background : item;
                rgba[4 * i] = rgba[4 * i + 1] = rgba[4 * i + 2] = value;
                rgba[4 * i + 3] = border ? backgroundAlpha : (byte)255;
            }
            return DecodedImage.Decode(TestImages.EncodeRgba(rgba, 5, 5), "picture.png");
        }
        Assert.IsTrue(Picture(background: 250, item: 20).LooksDarkOnLight(), "white background, dark object");
        Assert.IsFalse(Picture(background: 0, item: 230).LooksDarkOnLight(), "Fashion-MNIST style");
        Assert.IsTrue(Picture(background: 0, item: 30, backgroundAlpha: 0).LooksDarkOnLight(), "transparent background, dark object");
        Assert.IsFalse(Picture(background: 255, item: 220, backgroundAlpha: 0).LooksDarkOnLight(), "transparent background, light object");
    }

    [TestMethod]
    public void AJpegPhotoOfADarkObjectOnWhiteIsInvertedByDetection()
    {
        var pixels = Enumerable.Repeat((byte)245, 40 * 40).ToArray();
        for (int y = 10; y < 30; y++)
            for (int x = 12; x < 28; x++)
                pixels[y * 40 + x] = 15;
        var image = DecodedImage.Decode(TestImages.EncodeGray8(pixels, 40, 40, SKEncodedImageFormat.Jpeg), "shirt.jpg");
        Assert.IsTrue(image.LooksDarkOnLight());
        var input = image.ToLightOnBlack(28, 28, invert: image.LooksDarkOnLight());
        Assert.IsLessThan(20f, input[0], "the background becomes dark");
        Assert.IsGreaterThan(220f, input[14 * 28 + 14], "the object becomes light");
    }
}
