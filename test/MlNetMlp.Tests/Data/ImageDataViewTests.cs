using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetMlp.Data;

namespace MlNetMlp.Tests.Data;

[TestClass]
public sealed class ImageDataViewTests
{
    private const int Rows = 7;

    private static LabeledImages Images() => new(
        IdxBytes.Images(Rows, 28, 28, IdxBytes.FakePixel)[16..],
        IdxBytes.FakeLabels(Rows),
        28,
        28,
        FashionMnist.ClassNames);

    private static List<(uint Label, float[] Pixels, ulong Id)> ReadAll(IDataView data, Random? random = null)
    {
        var rows = new List<(uint, float[], ulong)>();
        using var cursor = data.GetRowCursor(data.Schema, random);
        var label = cursor.GetGetter<uint>(data.Schema["Label"]);
        var image = cursor.GetGetter<VBuffer<float>>(data.Schema["Image"]);
        var id = cursor.GetIdGetter();
        uint labelValue = 0;
        VBuffer<float> imageValue = default;
        DataViewRowId idValue = default;
        long expectedPosition = 0;
        while (cursor.MoveNext())
        {
            Assert.AreEqual(expectedPosition++, cursor.Position);
            label(ref labelValue);
            image(ref imageValue);
            id(ref idValue);
            rows.Add((labelValue, imageValue.DenseValues().ToArray(), idValue.Low));
        }
        return rows;
    }

    private static float[] ExpectedPixels(int row) =>
        Enumerable.Range(0, 784).Select(p => (float)IdxBytes.FakePixel(row, p)).ToArray();

    [TestMethod]
    public void SchemaHasKeyLabelWithClassNamesAndA28By28Image()
    {
        var data = Images().ToDataView();

        Assert.AreEqual(2, data.Schema.Count);
        var label = data.Schema["Label"];
        var keyType = (KeyDataViewType)label.Type;
        Assert.AreEqual(typeof(uint), keyType.RawType);
        Assert.AreEqual(10UL, keyType.Count);
        VBuffer<ReadOnlyMemory<char>> names = default;
        label.GetKeyValues(ref names);
        CollectionAssert.AreEqual(FashionMnist.ClassNames.ToArray(), names.DenseValues().Select(n => n.ToString()).ToArray());

        var imageType = (VectorDataViewType)data.Schema["Image"].Type;
        Assert.AreEqual(NumberDataViewType.Single, imageType.ItemType);
        CollectionAssert.AreEqual(new[] { 28, 28 }, imageType.Dimensions.ToArray());
        Assert.AreEqual(784, imageType.Size);
    }

    [TestMethod]
    public void CursorReturnsRowsInOrderWithOneBasedKeysAndRawPixels()
    {
        var data = Images().ToDataView();
        Assert.AreEqual((long)Rows, data.GetRowCount());
        Assert.IsTrue(data.CanShuffle);

        var rows = ReadAll(data);

        Assert.HasCount(Rows, rows);
        for (int i = 0; i < Rows; i++)
        {
            Assert.AreEqual(IdxBytes.FakeLabels(Rows)[i] + 1u, rows[i].Label, "ML.NET keys are 1-based; 0 means missing");
            CollectionAssert.AreEqual(ExpectedPixels(i), rows[i].Pixels);
            Assert.AreEqual((ulong)i, rows[i].Id);
        }
    }

    [TestMethod]
    public void ShuffledCursorIsASeededPermutationOfTheRows()
    {
        var data = Images().ToDataView();
        var inOrder = ReadAll(data);

        var shuffled = ReadAll(data, new Random(42));
        var again = ReadAll(data, new Random(42));

        CollectionAssert.AreEqual(again.Select(r => r.Id).ToArray(), shuffled.Select(r => r.Id).ToArray(), "same seed, same order");
        CollectionAssert.AreNotEqual(inOrder.Select(r => r.Id).ToArray(), shuffled.Select(r => r.Id).ToArray());
        CollectionAssert.AreEquivalent(inOrder.Select(r => r.Id).ToArray(), shuffled.Select(r => r.Id).ToArray());
        foreach (var row in shuffled)
        {
            // The id names the underlying row, and label and pixels travel with it.
            Assert.AreEqual(inOrder[(int)row.Id].Label, row.Label);
            CollectionAssert.AreEqual(inOrder[(int)row.Id].Pixels, row.Pixels);
        }
    }

    [TestMethod]
    public void GettersRefuseInactiveColumnsWrongTypesAndReadsOffRow()
    {
        var data = Images().ToDataView();
        using var cursor = data.GetRowCursor([data.Schema["Label"]]);
        Assert.IsTrue(cursor.IsColumnActive(data.Schema["Label"]));
        Assert.IsFalse(cursor.IsColumnActive(data.Schema["Image"]));
        Assert.ThrowsExactly<InvalidOperationException>(() => cursor.GetGetter<VBuffer<float>>(data.Schema["Image"]));
        var wrongType = Assert.ThrowsExactly<InvalidOperationException>(() => cursor.GetGetter<float>(data.Schema["Label"]));
        StringAssert.Contains(wrongType.Message, "'Label'");

        var label = cursor.GetGetter<uint>(data.Schema["Label"]);
        uint value = 0;
        Assert.ThrowsExactly<InvalidOperationException>(() => label(ref value), "before MoveNext");
        for (int i = 0; i < Rows; i++) Assert.IsTrue(cursor.MoveNext());
        Assert.IsFalse(cursor.MoveNext());
        Assert.ThrowsExactly<InvalidOperationException>(() => label(ref value), "after the last row");
    }

    [TestMethod]
    public void ImageGetterReusesTheCallersBuffer()
    {
        var data = Images().ToDataView();
        using var cursor = data.GetRowCursor([data.Schema["Image"]]);
        var image = cursor.GetGetter<VBuffer<float>>(data.Schema["Image"]);
        VBuffer<float> value = default;
        cursor.MoveNext();
        image(ref value);
        var firstBuffer = value.GetValues().ToArray();
        var editorBuffer = VBufferEditor.CreateFromBuffer(ref value).Values;
        cursor.MoveNext();
        image(ref value);
        Assert.IsTrue(VBufferEditor.CreateFromBuffer(ref value).Values == editorBuffer, "the second row must be written into the first row's array");
        CollectionAssert.AreEqual(ExpectedPixels(1), value.DenseValues().ToArray());
        CollectionAssert.AreNotEqual(firstBuffer, value.DenseValues().ToArray());
    }

    [TestMethod]
    public void MlNetMapsKeysToClassNamesAndShufflesTheView()
    {
        var ml = new MLContext(seed: 3);
        var data = Images().ToDataView();
        var named = ml.Transforms.Conversion.MapKeyToValue("Name", "Label").Fit(data).Transform(data);
        var names = named.GetColumn<ReadOnlyMemory<char>>("Name").Select(n => n.ToString()).ToArray();
        CollectionAssert.AreEqual(IdxBytes.FakeLabels(Rows).Select(l => FashionMnist.ClassNames[l]).ToArray(), names);
        Assert.AreEqual("Ankle boot", names[0]);

        var shuffled = ml.Data.ShuffleRows(data, seed: 5);
        CollectionAssert.AreEquivalent(
            data.GetColumn<uint>("Label").ToArray(),
            shuffled.GetColumn<uint>("Label").ToArray());
        Assert.AreEqual(Rows, ml.Data.TakeRows(data, 100).GetColumn<uint>("Label").Count());
    }

    [TestMethod]
    public void LoadFromAFakeSplitMatchesTheArraysAndHonorsMaxRows()
    {
        using var temp = new TempDirectory();
        var hashes = IdxBytes.WriteFakeSplit(temp.Path, FashionMnistSplit.Test, 6);
        var options = new FashionMnistOptions { ExpectedSha256 = hashes, AllowDownload = false };

        var data = FashionMnist.Load(new MLContext(seed: 1), FashionMnistSplit.Test, temp.Path, maxRows: 4, options: options);

        Assert.AreEqual(4L, data.GetRowCount());
        var rows = ReadAll(data);
        CollectionAssert.AreEqual(IdxBytes.FakeLabels(4).Select(l => l + 1u).ToArray(), rows.Select(r => r.Label).ToArray());
        CollectionAssert.AreEqual(ExpectedPixels(3), rows[3].Pixels);
    }

    [TestMethod]
    public void LabeledImagesRejectsInconsistentArrays()
    {
        Assert.ThrowsExactly<ArgumentException>(() => new LabeledImages(new byte[10], new byte[2], 2, 3, FashionMnist.ClassNames));
        var e = Assert.ThrowsExactly<ArgumentException>(() => new LabeledImages(new byte[12], [0, 10], 2, 3, FashionMnist.ClassNames));
        StringAssert.Contains(e.Message, "Label 10 of image 1");
    }
}
