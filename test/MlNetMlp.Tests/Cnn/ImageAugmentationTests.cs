using Microsoft.ML;
using MlNetMlp.Cnn;

namespace MlNetMlp.Tests.Cnn;

[TestClass]
public sealed class ImageAugmentationTests
{
    private static readonly TensorShape TwoChannels3x4 = new(2, 3, 4);

    // Pixel (c, y, x) holds 100·c + 10·y + x + 1, so every value names its place (0 = zero fill).
    private static float[] Numbered(TensorShape shape)
    {
        var image = new float[shape.Size];
        for (int c = 0; c < shape.Channels; c++)
            for (int y = 0; y < shape.Height; y++)
                for (int x = 0; x < shape.Width; x++)
                    image[(c * shape.Height + y) * shape.Width + x] = 100 * c + 10 * y + x + 1;
        return image;
    }

    private static float At(float[] image, TensorShape shape, int c, int y, int x) => image[(c * shape.Height + y) * shape.Width + x];

    [TestMethod]
    public void NoFlipAndNoShiftCopiesTheImage()
    {
        var source = Numbered(TwoChannels3x4);
        var destination = new float[source.Length];
        ImageAugmentation.Transform(source, destination, TwoChannels3x4, flip: false, dx: 0, dy: 0);
        CollectionAssert.AreEqual(source, destination);
    }

    [TestMethod]
    public void FlipMirrorsEveryRowOfEveryChannel()
    {
        var shape = TwoChannels3x4;
        var source = Numbered(shape);
        var destination = new float[source.Length];
        ImageAugmentation.Transform(source, destination, shape, flip: true, dx: 0, dy: 0);
        for (int c = 0; c < 2; c++)
            for (int y = 0; y < 3; y++)
                for (int x = 0; x < 4; x++)
                    Assert.AreEqual(At(source, shape, c, y, 3 - x), At(destination, shape, c, y, x), $"({c},{y},{x})");
    }

    [TestMethod]
    public void ShiftMovesContentAndFillsWithZeros()
    {
        var shape = TwoChannels3x4;
        var source = Numbered(shape);
        var destination = new float[source.Length];
        ImageAugmentation.Transform(source, destination, shape, flip: false, dx: 1, dy: -1);
        for (int c = 0; c < 2; c++)
            for (int y = 0; y < 3; y++)
                for (int x = 0; x < 4; x++)
                {
                    int sy = y + 1, sx = x - 1;
                    float expected = sy >= 3 || sx < 0 ? 0 : At(source, shape, c, sy, sx);
                    Assert.AreEqual(expected, At(destination, shape, c, y, x), $"({c},{y},{x})");
                }
        // Flip first, then shift: x' = x − dx on the mirrored image.
        ImageAugmentation.Transform(source, destination, shape, flip: true, dx: -2, dy: 0);
        Assert.AreEqual(At(source, shape, 0, 0, 1), At(destination, shape, 0, 0, 0)); // mirrored column 2 → source column 1
        Assert.AreEqual(0f, At(destination, shape, 1, 2, 3));
    }

    [TestMethod]
    public void DrawsAreReproduciblePerRowAndCoverEveryShiftAndBothFlips()
    {
        var shape = new TensorShape(1, 9, 9);
        var source = new float[shape.Size];
        source[4 * 9 + 4] = 1; // one lit pixel in the middle: its new place gives the draw
        var augmentation = new ImageAugmentation(HorizontalFlip: false, MaxShift: 2, Seed: 5);
        var seen = new HashSet<(int, int)>();
        var a = new float[shape.Size];
        var b = new float[shape.Size];
        for (int position = 0; position < 400; position++)
        {
            augmentation.Apply(source, a, shape, step: 7, batchPosition: position);
            augmentation.Apply(source, b, shape, step: 7, batchPosition: position);
            CollectionAssert.AreEqual(a, b, "same (seed, step, position) → same draw");
            int lit = Array.IndexOf(a, 1f);
            seen.Add((lit / 9 - 4, lit % 9 - 4));
        }
        Assert.HasCount(25, seen, "every (dx, dy) in [−2, 2]² occurs");
        Assert.IsTrue(seen.All(d => Math.Abs(d.Item1) <= 2 && Math.Abs(d.Item2) <= 2));

        var flip = new ImageAugmentation(HorizontalFlip: true, MaxShift: 0, Seed: 5);
        var asymmetric = new float[shape.Size];
        asymmetric[0] = 1; // top-left corner: top-right when mirrored
        int flipped = 0;
        for (int position = 0; position < 1000; position++)
        {
            flip.Apply(asymmetric, a, shape, step: 3, batchPosition: position);
            flipped += a[8] == 1 ? 1 : 0;
        }
        Assert.IsTrue(flipped is > 400 and < 600, $"{flipped} of 1000 flipped");
    }

    [TestMethod]
    public void AugmentationChangesTrainingReproduciblyAndNeverScoring()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(CnnTrainerTests.Shapes.Make(300, 7));
        var train = ml.Transforms.Conversion.MapValueToKey("Label").Fit(data).Transform(data);
        CnnModelParameters Train(bool flip, int shift)
        {
            var options = CnnTrainerTests.SmallOptions(epochs: 2);
            options.RandomHorizontalFlip = flip;
            options.RandomShift = shift;
            return new CnnTrainer(ml, options).Fit(train).Model;
        }
        float[] Weights(CnnModelParameters m) => m.ParameterNames.SelectMany(m.GetTensor).ToArray();
        var plain = Train(false, 0);
        var augmented = Train(true, 2);
        CollectionAssert.AreEqual(Weights(augmented), Weights(Train(true, 2)), "same seed → same augmented model");
        CollectionAssert.AreNotEqual(Weights(plain), Weights(augmented), "the options take effect");

        // Scoring is deterministic: the same image scores the same every time (no augmentation at inference).
        var image = CnnTrainerTests.Shapes.Make(1, 99)[0].Image;
        CollectionAssert.AreEqual(augmented.PredictProbabilities(image), augmented.PredictProbabilities(image));

        var tooFar = CnnTrainerTests.SmallOptions();
        tooFar.RandomShift = CnnTrainerTests.Shapes.Side;
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new CnnTrainer(ml, tooFar).Fit(train));
        Assert.AreEqual(nameof(CnnTrainer.Options.RandomShift), e.ParamName);
    }
}
