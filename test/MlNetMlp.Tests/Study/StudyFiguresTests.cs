using MlNetMlp.Data;
using MlNetMlp.Plots;
using MlNetMlp.Study;

namespace MlNetMlp.Tests.Study;

/// <summary>The figures are real PNGs (decoded by SkiaSharp, through <see cref="DecodedImage"/>) of the promised size and not blank.</summary>
[TestClass]
public sealed class StudyFiguresTests
{
    private static DecodedImage Decode(byte[] png, string name)
    {
        CollectionAssert.AreEqual(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, png[..8], $"{name}: PNG signature");
        var image = DecodedImage.Decode(png, name);
        Assert.AreEqual("Png", image.Format, name);
        var gray = image.ToLightOnBlack(image.Width, image.Height, invert: false);
        float min = gray.Min(), max = gray.Max();
        Assert.IsGreaterThan(0.3f, max - min, $"{name} looks blank (gray range {min}..{max})");
        return image;
    }

    [TestMethod]
    public void LearningCurvesConfusionMatrixAndAccuracyVsTimeArePngs()
    {
        var result = StudyTestData.Result("relu-2x128", "2×128 ReLU", 0.75, predictions: [0, 1, 2, 2, 1, 0]);
        var curves = Decode(StudyFigures.LearningCurves(result, 800, 300), "curves");
        Assert.AreEqual(800, curves.Width);
        Assert.AreEqual(300, curves.Height);

        var confusion = Decode(StudyFigures.ConfusionMatrix(result, [0, 1, 2, 1, 1, 0], StudyTestData.ClassNames, 500), "confusion");
        Assert.AreEqual(500, confusion.Width);

        var report = new StudyReport { Results = [result, StudyTestData.Result("softmax", "softmax", 0.7)], ClassNames = StudyTestData.ClassNames };
        var scatter = Decode(StudyFigures.AccuracyVsTime(report, 640, 400), "accuracy-vs-time");
        Assert.AreEqual(640, scatter.Width);
        Assert.AreEqual(400, scatter.Height);
    }

    [TestMethod]
    public void TestImageGridShowsTheImages()
    {
        var test = StudyTestData.Images(12);
        var grid = Decode(StudyFigures.TestImageGrid(test, [0, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0], StudyTestData.ClassNames, columns: 4, rows: 2), "grid");
        Assert.IsGreaterThan(4 * 28 * 3, grid.Width);
        Assert.IsGreaterThan(2 * 28 * 3, grid.Height);
    }

    [TestMethod]
    public void AllMakesCurvesPerExperimentAndFiguresForTheBestModel()
    {
        var test = StudyTestData.Images(6);
        var report = new StudyReport
        {
            CurveRows = 500,
            ClassNames = StudyTestData.ClassNames,
            TestLabels = test.Labels,
            Results =
            [
                StudyTestData.Result("softmax", "softmax", 0.6, predictions: [0, 0, 0, 0, 0, 0]),
                StudyTestData.Result("relu-2x128", "2×128 ReLU", 0.9, predictions: [0, 1, 2, 0, 1, 1]),
            ],
        };
        var figures = StudyFigures.All(report, test);
        CollectionAssert.AreEqual(new[] { "curves-softmax.png", "curves-relu-2x128.png", "confusion-best.png", "test-images-best.png", "accuracy-vs-time.png" },
            figures.Select(f => f.FileName).ToArray());
        StringAssert.Contains(figures[2].Title, "2×128 ReLU");
        foreach (var f in figures) Decode(f.Png, f.FileName);
    }

    [TestMethod]
    public void ConfusionMatrixNeedsPredictions()
    {
        var result = StudyTestData.Result("cnn", "CNN", null, ExperimentStatus.Skipped);
        Assert.ThrowsExactly<ArgumentException>(() => StudyFigures.ConfusionMatrix(result, [0], StudyTestData.ClassNames));
    }
}
