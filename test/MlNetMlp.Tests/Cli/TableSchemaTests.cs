using MlNetMlp.Cli.Tables;

namespace MlNetMlp.Tests.Cli;

/// <summary>The decisions <c>train --dataset</c> takes from the data: separator, header, task, and each column's handling.</summary>
[TestClass]
public sealed class TableSchemaTests
{
    private string _dir = null!;

    [TestInitialize]
    public void Start() => _dir = Directory.CreateTempSubdirectory("mlnetmlp-schema-").FullName;

    [TestCleanup]
    public void Stop() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, params string[] lines)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllLines(path, lines);
        return path;
    }

    [TestMethod]
    public void SeparatorAndHeaderAreDetected()
    {
        var tsv = TableFile.Read(Write("a.tsv", "x\ty\tname", "1\t2.5\tred", "3\t4\tblue"), null, null);
        Assert.AreEqual('\t', tsv.Separator);
        Assert.IsTrue(tsv.HasHeader, tsv.HeaderReason);
        Assert.AreEqual(2, tsv.Rows);
        CollectionAssert.AreEqual(new[] { "x", "y", "name" }, tsv.Columns.Select(c => c.Name).ToArray());

        var semicolons = TableFile.Read(Write("b.csv", "1;2.5;red", "3;4;blue"), null, null);
        Assert.AreEqual(';', semicolons.Separator);
        Assert.IsFalse(semicolons.HasHeader, semicolons.HeaderReason);
        Assert.AreEqual(2, semicolons.Rows);
        CollectionAssert.AreEqual(new[] { "column1", "column2", "column3" }, semicolons.Columns.Select(c => c.Name).ToArray());

        // Commas inside quotes do not split; an all-text table has a header when its first row recurs nowhere below.
        var quoted = TableFile.Read(Write("c.csv", "colour,notes", "red,\"big, round\"", "blue,\"small, flat\"", "red,\"tall\""), null, null);
        Assert.AreEqual(',', quoted.Separator);
        Assert.IsTrue(quoted.HasHeader);
        Assert.AreEqual(3, quoted.Find("notes")!.Distinct);

        var overridden = TableFile.Read(Write("d.csv", "x,y", "1,2", "3,4"), ',', false);
        Assert.IsFalse(overridden.HasHeader);
        Assert.AreEqual(3, overridden.Rows);
        Assert.IsFalse(overridden.Find("column1")!.IsNumeric, "'x' is text, so the column is");
    }

    [TestMethod]
    public void NotATableIsRefusedNamingTheFile()
    {
        var oneColumn = Write("list.csv", "apples", "pears", "plums");
        var e = Assert.ThrowsExactly<InvalidDataException>(() => TableFile.Read(oneColumn, null, null));
        StringAssert.Contains(e.Message, oneColumn);
        StringAssert.Contains(e.Message, "not a table");
        var binary = Path.Combine(_dir, "x.bin");
        File.WriteAllBytes(binary, [1, 2, 0, 3]);
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => TableFile.Read(binary, null, null)).Message, "binary");
    }

    private static ColumnProfile Profile(string name, IEnumerable<string> cells)
    {
        var profile = new ColumnProfile(name, 0);
        foreach (var cell in cells) profile.Add(cell);
        profile.Complete();
        return profile;
    }

    [TestMethod]
    public void AutoTaskFollowsTheLabelsValues()
    {
        TableTask Auto(IEnumerable<string> cells) { var p = Profile("y", cells); return TableSchema.ChooseTask(p, TaskChoice.Auto, p.Rows).Task; }
        Assert.AreEqual(TableTask.Binary, Auto(Enumerable.Repeat(new[] { "malignant", "benign", "benign" }, 10).SelectMany(x => x)));
        Assert.AreEqual(TableTask.Multiclass, Auto(Enumerable.Repeat(new[] { "a", "b", "c" }, 10).SelectMany(x => x)));
        Assert.AreEqual(TableTask.Binary, Auto(Enumerable.Repeat(new[] { "0", "1" }, 10).SelectMany(x => x)));
        Assert.AreEqual(TableTask.Multiclass, Auto(Enumerable.Range(0, 100).Select(i => (i % 10).ToString())), "10 whole numbers are classes");
        Assert.AreEqual(TableTask.Regression, Auto(Enumerable.Range(0, 100).Select(i => (i % 11).ToString())), "11 whole numbers on 100 rows are a quantity");
        Assert.AreEqual(TableTask.Multiclass, Auto(Enumerable.Range(0, 1000).Select(i => (i % 40).ToString())), "40 values on 1,000 rows: under 5 %");
        Assert.AreEqual(TableTask.Regression, Auto(Enumerable.Range(0, 100).Select(i => (i % 3 + 0.5).ToString(System.Globalization.CultureInfo.InvariantCulture))), "fractions");
        Assert.AreEqual(TableTask.Regression, TableSchema.ChooseTask(Profile("y", ["1", "2"]), TaskChoice.Regression, 2).Task, "--task wins");
    }

    [TestMethod]
    public void EachColumnIsHandledByWhatItHolds()
    {
        var lines = new List<string> { "row_id,age,size,colour,review,code,constant,empty,label" };
        string[] colours = ["red", "green", "blue"];
        for (int i = 0; i < 60; i++)
        {
            string age = i % 7 == 0 ? (i % 2 == 0 ? "NA" : "") : (20 + i % 30).ToString();
            string review = $"\"the {(i % 2 == 0 ? "best" : "worst")} thing number {i}, truly\"";
            lines.Add($"{1000 + i * 7},{age},{i * 0.5 + 1},{colours[i % 3]},{review},X{i:000},same,,{(i % 3 == 0 ? "yes" : "no")}");
        }
        var file = TableFile.Read(Write("mixed.csv", [.. lines]), null, null);
        var schema = TableSchema.Decide(file, "label", TaskChoice.Auto, ["size"], null);
        ColumnTreatment Of(string name) => schema.Columns.Single(c => c.Name == name).Treatment;
        Assert.AreEqual(ColumnTreatment.Identifier, Of("row_id"), "unique whole numbers named like an identifier");
        Assert.AreEqual(ColumnTreatment.NumericWithMissing, Of("age"));
        Assert.AreEqual(ColumnTreatment.Ignored, Of("size"));
        Assert.AreEqual(ColumnTreatment.OneHot, Of("colour"));
        Assert.AreEqual(ColumnTreatment.Text, Of("review"));
        Assert.AreEqual(ColumnTreatment.Identifier, Of("code"), "a code on every row");
        Assert.AreEqual(ColumnTreatment.Constant, Of("constant"));
        Assert.AreEqual(ColumnTreatment.Empty, Of("empty"));
        Assert.AreEqual(TableTask.Binary, schema.Task);
        Assert.AreEqual("yes", schema.PositiveClass, "the true-like value of yes/no");
        StringAssert.Contains(schema.Columns.Single(c => c.Name == "age").How, "9 missing");

        // Unique measurements are not identifiers.
        var measured = TableFile.Read(Write("m.csv", ["weight,y", .. Enumerable.Range(0, 30).Select(i => $"{i * 1.37 + 3},{i % 2}")]), null, null);
        Assert.AreEqual(ColumnTreatment.Numeric, TableSchema.Decide(measured, "y", TaskChoice.Auto, [], null).Columns[0].Treatment);
    }

    [TestMethod]
    public void LabelAndIgnoredColumnsMustExist()
    {
        var file = TableFile.Read(Write("w.csv", "a,b,y", "1,2,x", "3,4,z", "5,6,x"), null, null);
        var e = Assert.ThrowsExactly<ArgumentException>(() => TableSchema.Decide(file, "target", TaskChoice.Auto, [], null));
        Assert.AreEqual("--label", e.ParamName);
        StringAssert.Contains(e.Message, "'target'");
        e = Assert.ThrowsExactly<ArgumentException>(() => TableSchema.Decide(file, "y", TaskChoice.Auto, ["c"], null));
        Assert.AreEqual("--ignore-columns", e.ParamName);
        StringAssert.Contains(e.Message, "'c'");
        e = Assert.ThrowsExactly<ArgumentException>(() => TableSchema.Decide(file, "y", TaskChoice.Regression, [], null));
        Assert.AreEqual("--task", e.ParamName);
        var positive = TableSchema.Decide(file, "y", TaskChoice.Auto, [], null);
        Assert.AreEqual("z", positive.PositiveClass, "the rarer of two text values");
        Assert.AreEqual("x", TableSchema.Decide(file, "y", TaskChoice.Binary, [], "x").PositiveClass);
    }

    [TestMethod]
    public void HeldOutRowsKeepEveryClassesShareAndFollowTheSeed()
    {
        // 100 rows of class 0, 50 of class 1, 10 of class 2, and 5 without a label.
        double[] labels = [.. Enumerable.Repeat(0.0, 100), .. Enumerable.Repeat(1.0, 50), .. Enumerable.Repeat(2.0, 10), .. Enumerable.Repeat(-1.0, 5)];
        var (train, test) = TableSplit.Split(labels, TableTask.Multiclass, 0.2, seed: 7);
        int Count(bool[] rows, double label) => rows.Where((r, i) => r && labels[i] == label).Count();
        Assert.AreEqual(20, Count(test, 0));
        Assert.AreEqual(10, Count(test, 1));
        Assert.AreEqual(2, Count(test, 2));
        Assert.AreEqual(80 + 40 + 8, train.Count(r => r));
        Assert.IsFalse(Enumerable.Range(0, labels.Length).Any(i => train[i] && test[i]));
        Assert.IsFalse(Enumerable.Range(160, 5).Any(i => train[i] || test[i]), "rows without a label are in neither");
        CollectionAssert.AreEqual(test, TableSplit.Split(labels, TableTask.Multiclass, 0.2, seed: 7).Test);
        CollectionAssert.AreNotEqual(test, TableSplit.Split(labels, TableTask.Multiclass, 0.2, seed: 8).Test);
    }
}
