using MlNetMlp.Plots;

namespace MlNetMlp.Tests.Study;

[TestClass]
public sealed class LabelLayoutTests
{
    [TestMethod]
    public void ClusteredLabelsOverlapNeitherEachOtherNorThePoints()
    {
        // Five points within a few pixels of each other (the 2×128 cluster of the study) and two far away.
        var items = new List<LabelLayout.Item>
        {
            new(300, 200, 80, 15), new(304, 203, 90, 15), new(308, 198, 70, 15), new(302, 207, 85, 15), new(306, 201, 60, 15),
            new(100, 350, 50, 15), new(500, 60, 40, 15),
        };
        const double gap = 7;
        var placements = LabelLayout.Place(items, gap, (0, 0, 640, 400));
        var boxes = items.Select((item, i) => (L: placements[i].Left, T: placements[i].CenterY - item.Height / 2,
            R: placements[i].Left + item.Width, B: placements[i].CenterY + item.Height / 2)).ToArray();
        for (int i = 0; i < boxes.Length; i++)
        {
            Assert.IsTrue(boxes[i].L >= 0 && boxes[i].R <= 640 && boxes[i].T >= 0 && boxes[i].B <= 400, $"label {i} is inside the bounds");
            for (int j = 0; j < boxes.Length; j++)
            {
                if (j != i)
                    Assert.IsFalse(boxes[i].L < boxes[j].R && boxes[j].L < boxes[i].R && boxes[i].T < boxes[j].B && boxes[j].T < boxes[i].B, $"labels {i} and {j} overlap");
                bool coversPoint = items[j].X > boxes[i].L - gap && items[j].X < boxes[i].R + gap && items[j].Y > boxes[i].T - gap && items[j].Y < boxes[i].B + gap;
                Assert.IsFalse(coversPoint, $"label {i} covers point {j}");
            }
        }
        // Isolated points keep their label beside them, on their own row.
        Assert.IsFalse(placements[5].Moved);
        Assert.AreEqual(100 + gap, placements[5].Left);
        Assert.IsFalse(placements[6].Moved);
    }
}
