using MlNetMlp.Study;

namespace MlNetMlp.Tests.Study;

[TestClass]
public sealed class KFoldTests
{
    private static void AssertPartition(IReadOnlyList<KFoldSplit> splits, int rowCount, int folds)
    {
        Assert.HasCount(folds, splits);
        var seen = new int[rowCount];
        foreach (var split in splits)
        {
            CollectionAssert.AreEqual(split.ValidationRows.Order().ToArray(), split.ValidationRows, "validation rows sorted");
            Assert.AreEqual(0, split.TrainRows.Intersect(split.ValidationRows).Count(), $"fold {split.Fold}: train and validation overlap");
            CollectionAssert.AreEquivalent(Enumerable.Range(0, rowCount).ToArray(), split.TrainRows.Concat(split.ValidationRows).ToArray(),
                $"fold {split.Fold}: train ∪ validation is not every row exactly once");
            foreach (int row in split.ValidationRows) seen[row]++;
        }
        Assert.IsTrue(seen.All(n => n == 1), "every row must be in exactly one validation fold");
        int min = splits.Min(s => s.ValidationRows.Length), max = splits.Max(s => s.ValidationRows.Length);
        Assert.IsLessThanOrEqualTo(1, max - min, $"fold sizes {min}..{max}");
    }

    [TestMethod]
    [DataRow(10, 2)]
    [DataRow(101, 3)]
    [DataRow(1000, 5)]
    [DataRow(7, 7)]
    public void SplitFoldsAreDisjointAndCoverEveryRow(int rows, int folds) => AssertPartition(KFold.Split(rows, folds, seed: 3), rows, folds);

    [TestMethod]
    public void StratifiedFoldsKeepClassProportions()
    {
        // 600 rows: class 0 is half, class 1 a third, class 2 a sixth.
        var labels = Enumerable.Range(0, 600).Select(i => (byte)(i % 6 < 3 ? 0 : i % 6 < 5 ? 1 : 2)).ToArray();
        var splits = KFold.Stratified(labels, 4, seed: 11);
        AssertPartition(splits, labels.Length, 4);
        foreach (var split in splits)
        {
            var counts = new int[3];
            foreach (int row in split.ValidationRows) counts[labels[row]]++;
            Assert.IsLessThanOrEqualTo(1, Math.Abs(counts[0] - 75), $"fold {split.Fold}: class 0 has {counts[0]}");
            Assert.IsLessThanOrEqualTo(1, Math.Abs(counts[1] - 50), $"fold {split.Fold}: class 1 has {counts[1]}");
            Assert.IsLessThanOrEqualTo(1, Math.Abs(counts[2] - 25), $"fold {split.Fold}: class 2 has {counts[2]}");
        }
    }

    [TestMethod]
    public void SameSeedSameFoldsOtherSeedOtherFolds()
    {
        var a = KFold.Split(200, 4, seed: 5);
        var b = KFold.Split(200, 4, seed: 5);
        var c = KFold.Split(200, 4, seed: 6);
        for (int f = 0; f < 4; f++) CollectionAssert.AreEqual(a[f].ValidationRows, b[f].ValidationRows);
        Assert.IsFalse(a[0].ValidationRows.SequenceEqual(c[0].ValidationRows), "a different seed should deal the rows differently");
    }

    [TestMethod]
    public void TooFewFoldsOrRowsAreRejectedByName()
    {
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => KFold.Split(10, 1, 0));
        Assert.AreEqual("folds", e.ParamName);
        var rows = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => KFold.Split(3, 4, 0));
        Assert.AreEqual("rowCount", rows.ParamName);
    }

    [TestMethod]
    public void HoldOutSplitHasTheRequestedSizeAndNoOverlap()
    {
        var labels = Enumerable.Range(0, 300).Select(i => (byte)(i % 3)).ToArray();
        var (train, holdOut) = StudySubsets.HoldOutSplit(labels, 50, seed: 2);
        Assert.HasCount(50, holdOut);
        Assert.HasCount(250, train);
        Assert.AreEqual(0, train.Intersect(holdOut).Count());
    }
}
