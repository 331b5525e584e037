using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetMlp.Data;

namespace MlNetMlp.Tests.Data;

/// <summary>The real dataset from the Debian package dataset-fashion-mnist; inconclusive where it is not installed.</summary>
[TestClass]
public sealed class FashionMnistRealDataTests
{
    private static string RealDataDirectory()
    {
        string directory = FashionMnist.SystemDatasetDirectory;
        if (!File.Exists(Path.Combine(directory, "train-images-idx3-ubyte.gz")))
            Assert.Inconclusive($"{directory} is absent (apt-get install dataset-fashion-mnist to run this test).");
        return directory;
    }

    [TestMethod]
    public void TrainSplitLoadsVerifiedAndFast()
    {
        string directory = RealDataDirectory();
        var stopwatch = Stopwatch.StartNew();
        var train = FashionMnist.LoadArrays(FashionMnistSplit.Train, directory);
        stopwatch.Stop();

        Assert.AreEqual(60000, train.Count);
        Assert.AreEqual(28, train.Height);
        Assert.AreEqual(28, train.Width);
        Assert.AreEqual(60000 * 784, train.Pixels.Length);
        Assert.AreEqual(9, train.Labels[0]);
        Assert.AreEqual("Ankle boot", train.ClassNames[train.Labels[0]]);
        // Every class has exactly 6,000 training images.
        CollectionAssert.AreEqual(Enumerable.Repeat(6000, 10).ToArray(),
            Enumerable.Range(0, 10).Select(c => train.Labels.Count(l => l == c)).ToArray());
        // Checksums included; generous bound so a loaded CI machine does not flake, still catching a slow path.
        Assert.IsLessThan(3.0, stopwatch.Elapsed.TotalSeconds, $"loading took {stopwatch.Elapsed}");
    }

    [TestMethod]
    public void TestSplitLoadsAsDataView()
    {
        string directory = RealDataDirectory();
        var ml = new MLContext(seed: 1);
        var data = FashionMnist.Load(ml, FashionMnistSplit.Test, directory);

        Assert.AreEqual(10000L, data.GetRowCount());
        var names = ml.Transforms.Conversion.MapKeyToValue("Name", "Label").Fit(data).Transform(data);
        var firstNames = names.GetColumn<ReadOnlyMemory<char>>("Name").Take(2).Select(n => n.ToString()).ToArray();
        CollectionAssert.AreEqual(new[] { "Ankle boot", "Pullover" }, firstNames);
        var firstImage = data.GetColumn<VBuffer<float>>("Image").First().DenseValues().ToArray();
        Assert.AreEqual(784, firstImage.Length);
        Assert.IsTrue(firstImage.All(v => v >= 0 && v <= 255 && v == MathF.Floor(v)), "raw integer pixel values 0..255");
        Assert.IsGreaterThan(200f, firstImage.Max());
    }

    [TestMethod]
    public void OfficialChecksumsMatchTheInstalledFiles()
    {
        string directory = RealDataDirectory();
        foreach (var (name, sha256) in FashionMnist.OfficialSha256)
            Assert.AreEqual(sha256, IdxReader.ComputeContentSha256(Path.Combine(directory, name + ".gz")), name);
    }

    [TestMethod]
    public void RealImagesSavedAsPngReloadIdenticallyThroughImageFolder()
    {
        string directory = RealDataDirectory();
        var test = FashionMnist.LoadArrays(FashionMnistSplit.Test, directory, maxRows: 30);
        using var temp = new TempDirectory();
        for (int i = 0; i < test.Count; i++)
        {
            // "T-shirt/top" cannot be a folder name; the loader matches "T-shirt_top" to it.
            string folder = temp.Sub(test.ClassNames[test.Labels[i]].Replace('/', '_'));
            TestImages.SaveGray8(Path.Combine(folder, $"{i:D3}.png"), test.Pixels.AsSpan(i * 784, 784), 28, 28);
        }

        var data = ImageFolder.Load(new MLContext(seed: 1), temp.Path, classNames: FashionMnist.ClassNames);

        var labels = data.GetColumn<uint>("Label").ToArray();
        var images = data.GetColumn<VBuffer<float>>("Image").Select(v => v.DenseValues().ToArray()).ToArray();
        // The folder loader orders by class folder, then file name: match rows through the file index instead.
        var expected = Enumerable.Range(0, test.Count)
            .OrderBy(i => test.ClassNames[test.Labels[i]].Replace('/', '_'), StringComparer.Ordinal)
            .ToArray();
        for (int row = 0; row < expected.Length; row++)
        {
            int i = expected[row];
            Assert.AreEqual(test.Labels[i] + 1u, labels[row]);
            CollectionAssert.AreEqual(test.Pixels.AsSpan(i * 784, 784).ToArray().Select(p => (float)p).ToArray(), images[row]);
        }
    }

    [TestMethod]
    public void MaxRowsKeepsTheFirstImages()
    {
        string directory = RealDataDirectory();
        var all = FashionMnist.LoadArrays(FashionMnistSplit.Test, directory);
        var first = FashionMnist.LoadArrays(FashionMnistSplit.Test, directory, maxRows: 100);
        Assert.AreEqual(100, first.Count);
        CollectionAssert.AreEqual(all.Labels[..100], first.Labels);
        CollectionAssert.AreEqual(all.Pixels[..(100 * 784)], first.Pixels);
    }
}
