using MlNetMlp.Numerics;

namespace MlNetMlp.Tests.Numerics;

[TestClass]
public sealed class SoftmaxCrossEntropyTests
{
    [TestMethod]
    public void SoftmaxAndCrossEntropyMatchHandComputedValues()
    {
        double[] logits = [1, 2, 3];
        var p = new double[3];
        SoftmaxCrossEntropy.Softmax<double>(logits, p);
        Assert.AreEqual(0.09003057317038046, p[0], 1e-15);
        Assert.AreEqual(0.24472847105479767, p[1], 1e-15);
        Assert.AreEqual(0.6652409557748219, p[2], 1e-15);
        Assert.AreEqual(0.40760596444438013, SoftmaxCrossEntropy.CrossEntropy<double>(logits, 2), 1e-15);
        Assert.AreEqual(Math.Log(4), SoftmaxCrossEntropy.CrossEntropy<double>([7, 7, 7, 7], 1), 1e-15);

        float[] rows = [1, 2, 3, 5, 5, 5];
        SoftmaxCrossEntropy.SoftmaxRows(rows, 2, 3);
        Assert.AreEqual(0.09003057f, rows[0], 1e-7f);
        Assert.AreEqual(0.66524096f, rows[2], 1e-7f);
        Assert.AreEqual(1f / 3, rows[4], 1e-7f);
    }

    [TestMethod]
    public void HugeLogitsGiveFiniteExactResults()
    {
        double[] huge = [1000, 0, -1000];
        var p = new double[3];
        SoftmaxCrossEntropy.Softmax<double>(huge, p);
        CollectionAssert.AreEqual(new double[] { 1, 0, 0 }, p);
        Assert.AreEqual(0.0, SoftmaxCrossEntropy.CrossEntropy<double>(huge, 0));
        Assert.AreEqual(1000.0, SoftmaxCrossEntropy.CrossEntropy<double>(huge, 1));
        Assert.AreEqual(2000.0, SoftmaxCrossEntropy.CrossEntropy<double>(huge, 2));

        float[] logits = [3e38f, 0f, -3e38f, 88f, 89f, 90f];
        int[] labels = [1, 2];
        var gradient = new float[6];
        double loss = SoftmaxCrossEntropy.LossAndGradient(logits, labels, 2, 3, 1f, gradient);
        Assert.IsTrue(double.IsFinite(loss));
        Assert.AreEqual(3e38 + 0.40760596444438013, loss, 1e32);
        CollectionAssert.AreEqual(new float[] { 1, -1, 0 }, gradient[..3]);
        Assert.IsTrue(gradient.All(float.IsFinite));

        SoftmaxCrossEntropy.SoftmaxRows(logits, 2, 3);
        Assert.IsTrue(logits.All(float.IsFinite));
        Assert.AreEqual(1f, logits[0]);
    }

    [TestMethod]
    public void GradientIsScaledSoftmaxMinusOneHot()
    {
        var random = new Random(7);
        const int rows = 5, classes = 7;
        float[] logits = TestData.Uniform(rows * classes, random, -4f, 4f);
        int[] labels = TestData.Labels(rows, classes, random);
        var gradient = new float[rows * classes];
        double loss = SoftmaxCrossEntropy.LossAndGradient(logits, labels, rows, classes, 0.2f, gradient);

        double expectedLoss = 0;
        for (int r = 0; r < rows; r++)
        {
            double[] row = TestData.ToDouble(logits.AsSpan(r * classes, classes));
            expectedLoss += SoftmaxCrossEntropy.CrossEntropy<double>(row, labels[r]);
            var p = new double[classes];
            SoftmaxCrossEntropy.Softmax<double>(row, p);
            for (int c = 0; c < classes; c++)
            {
                double expected = 0.2 * (p[c] - (c == labels[r] ? 1 : 0));
                Assert.AreEqual(expected, gradient[r * classes + c], 1e-7);
            }
        }
        Assert.AreEqual(expectedLoss, loss, 1e-5);

        // In place, as the training pass uses it.
        float[] inPlace = (float[])logits.Clone();
        Assert.AreEqual(loss, SoftmaxCrossEntropy.LossAndGradient(inPlace, labels, rows, classes, 0.2f, inPlace));
        CollectionAssert.AreEqual(gradient, inPlace);
    }

    [TestMethod]
    public void LossAndCorrectCountCountsFirstMaximumAsPrediction()
    {
        float[] logits = [0, 2, 1, /**/ 3, 3, 0, /**/ 0, 0, 9];
        int[] labels = [1, 1, 0];
        double loss = SoftmaxCrossEntropy.LossAndCorrectCount(logits, labels, 3, 3, out int correct);
        Assert.AreEqual(1, correct); // row 2 ties to class 0, row 3 predicts 2
        double expected = SoftmaxCrossEntropy.CrossEntropy<double>([0, 2, 1], 1)
            + SoftmaxCrossEntropy.CrossEntropy<double>([3, 3, 0], 1)
            + SoftmaxCrossEntropy.CrossEntropy<double>([0, 0, 9], 0);
        Assert.AreEqual(expected, loss, 1e-5);
    }

    [TestMethod]
    public void NaNLogitsSurfaceAsNaNLoss()
    {
        float[] logits = [0, float.NaN, 1];
        double loss = SoftmaxCrossEntropy.LossAndGradient(logits, [0], 1, 3, 1f, new float[3]);
        Assert.IsTrue(double.IsNaN(loss));
        Assert.IsTrue(double.IsNaN(SoftmaxCrossEntropy.CrossEntropy<double>([0, double.NaN, 1], 0)));
    }
}
