using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetMlp.Tests.Cli;

/// <summary>
/// <c>mlnetmlp train/evaluate/predict --dataset</c> on CSV tables, run as a user runs them: scikit-learn's wine
/// (multiclass) and a messy hand-made table (test/fixtures/tables, written by test/generate_table_fixtures.py).
/// </summary>
[TestClass]
public sealed class TableCliTests
{
    public TestContext TestContext { get; set; } = null!;

    internal static string Fixture(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "MlNetMlp.sln")))
                return Path.Combine(dir.FullName, "test", "fixtures", "tables", name);
        throw new InvalidOperationException("Repository root (MlNetMlp.sln) not found above " + AppContext.BaseDirectory);
    }

    private static JsonElement LastJson(string stdout) => JsonDocument.Parse(stdout.Trim().Split('\n')[^1]).RootElement;

    private string _dir = null!;
    private Stopwatch _clock = null!;

    [TestInitialize]
    public void Start()
    {
        _dir = Directory.CreateTempSubdirectory("mlnetmlp-tables-").FullName;
        _clock = Stopwatch.StartNew();
    }

    [TestCleanup]
    public void Stop()
    {
        TestContext.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{TestContext.TestName}: {_clock.Elapsed.TotalSeconds:F1} s"));
        Directory.Delete(_dir, recursive: true);
    }

    [TestMethod]
    public void WineTrainsMulticlassAboveNinetyPercentAndEvaluatesTheSame()
    {
        var model = Path.Combine(_dir, "wine.zip");
        var train = CliTests.Run("train", "--dataset", Fixture("wine.csv"), "--label", "class", "--out", model, "--json");
        Assert.AreEqual(0, train.exitCode, train.stderr);
        StringAssert.Contains(train.stdout, "separator: comma");
        StringAssert.Contains(train.stdout, "header: yes");
        StringAssert.Contains(train.stdout, "task: multiclass (whole-number label with 3 distinct values");
        StringAssert.Contains(train.stdout, "36 held out (20 %, stratified by class, --seed 1)");
        var result = LastJson(train.stdout);
        foreach (var key in new[] { "task", "train_seconds", "rows", "features", "micro_accuracy", "macro_accuracy", "log_loss" })
            Assert.IsTrue(result.TryGetProperty(key, out _), $"JSON lacks {key}");
        Assert.AreEqual("multiclass", result.GetProperty("task").GetString());
        Assert.AreEqual(142, result.GetProperty("rows").GetInt32());
        Assert.AreEqual(36, result.GetProperty("test_rows").GetInt32());
        Assert.AreEqual(13, result.GetProperty("features").GetInt32());
        double accuracy = result.GetProperty("micro_accuracy").GetDouble();
        TestContext.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wine: micro-accuracy {accuracy:F4}, macro {result.GetProperty("macro_accuracy").GetDouble():F4}, log-loss {result.GetProperty("log_loss").GetDouble():F4}, trained in {result.GetProperty("train_seconds").GetDouble():F2} s"));
        Assert.IsGreaterThanOrEqualTo(0.90, accuracy);

        // The same file and seed evaluated from the saved model: all 178 rows, the same metric keys.
        var evaluate = CliTests.Run("evaluate", model, "--dataset", Fixture("wine.csv"), "--json");
        Assert.AreEqual(0, evaluate.exitCode, evaluate.stderr);
        var evaluated = LastJson(evaluate.stdout);
        Assert.AreEqual("multiclass", evaluated.GetProperty("task").GetString());
        Assert.AreEqual(178, evaluated.GetProperty("rows").GetInt32());
        Assert.IsGreaterThanOrEqualTo(0.90, evaluated.GetProperty("micro_accuracy").GetDouble());
    }

    [TestMethod]
    public void MessyTableTrainsWithoutPreparation()
    {
        var model = Path.Combine(_dir, "plants.zip");
        var train = CliTests.Run("train", "--dataset", Fixture("plants.csv"), "--label", "species", "--epochs", "60", "--out", model, "--json");
        Assert.AreEqual(0, train.exitCode, train.stderr);
        var lines = train.stdout.Split('\n').Select(l => l.Trim()).ToList();
        // Each column's handling, decided from the data.
        Assert.IsTrue(lines.Any(l => l.StartsWith("id ", StringComparison.Ordinal) && l.Contains("left out") && l.Contains("ID-like")), train.stdout);
        Assert.IsTrue(lines.Any(l => l.StartsWith("height_cm ", StringComparison.Ordinal) && l.Contains("ReplaceMissingValues (mean) + IndicateMissingValues")), train.stdout);
        Assert.IsTrue(lines.Any(l => l.StartsWith("colour ", StringComparison.Ordinal) && l.Contains("OneHotEncoding")), train.stdout);
        Assert.IsTrue(lines.Any(l => l.StartsWith("notes ", StringComparison.Ordinal) && l.Contains("FeaturizeText")), train.stdout);
        Assert.IsTrue(lines.Any(l => l.StartsWith("species ", StringComparison.Ordinal) && l.Contains("label") && l.Contains("cactus, fern, orchid")), train.stdout);
        StringAssert.Contains(train.stdout, "task: multiclass (text label with 3 distinct values)");
        var result = LastJson(train.stdout);
        TestContext.WriteLine(string.Create(CultureInfo.InvariantCulture, $"plants: micro-accuracy {result.GetProperty("micro_accuracy").GetDouble():F4} with {result.GetProperty("features").GetInt32()} features"));
        Assert.IsGreaterThanOrEqualTo(0.8, result.GetProperty("micro_accuracy").GetDouble());
    }

    [TestMethod]
    public void PredictWritesOneRowPerInputRow()
    {
        var model = Path.Combine(_dir, "plants.zip");
        Assert.AreEqual(0, CliTests.Run("train", "--dataset", Fixture("plants.csv"), "--label", "species", "--epochs", "20", "--out", model).exitCode);
        var output = Path.Combine(_dir, "predictions.csv");
        var predict = CliTests.Run("predict", model, "--dataset", Fixture("plants.csv"), "--output", output, "--json");
        Assert.AreEqual(0, predict.exitCode, predict.stderr);
        Assert.AreEqual(150, LastJson(predict.stdout).GetProperty("rows").GetInt32());

        using var reader = File.OpenText(output);
        var rows = MlNetMlp.Cli.Tables.DelimitedText.ReadRecords(reader, ',').ToList();
        Assert.HasCount(151, rows, "a header and one row per input row");
        CollectionAssert.AreEqual(new[] { "id", "height_cm", "colour", "notes", "indoor", "species", "PredictedLabel", "Score.cactus", "Score.fern", "Score.orchid" }, rows[0]);
        using var inputReader = File.OpenText(Fixture("plants.csv"));
        var input = MlNetMlp.Cli.Tables.DelimitedText.ReadRecords(inputReader, ',').ToList();
        for (int i = 1; i < rows.Count; i++)
        {
            CollectionAssert.AreEqual(input[i], rows[i][..6], $"row {i} is the input row as written");
            CollectionAssert.Contains(new[] { "cactus", "fern", "orchid" }, rows[i][6]);
            var scores = rows[i][7..].Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray();
            Assert.AreEqual(1.0, scores.Sum(), 1e-4);
        }

        // Rows without the label column, to stdout.
        var unlabelled = Path.Combine(_dir, "unlabelled.csv");
        File.WriteAllLines(unlabelled, ["notes,colour,height_cm,indoor", "\"Spines, dry desert sun.\",grey,21,yes", "Fronds damp shade feathery.,,NA,no"]);
        var toStdout = CliTests.Run("predict", model, "--dataset", unlabelled);
        Assert.AreEqual(0, toStdout.exitCode, toStdout.stderr);
        var printed = toStdout.stdout.Trim().Split('\n');
        Assert.HasCount(3, printed, toStdout.stdout);
        StringAssert.StartsWith(printed[0], "notes,colour,height_cm,indoor,PredictedLabel,Score.cactus");

        // What cannot be scored, or would overwrite the input, is refused in one line naming it.
        CliTests.AssertOneLineError(CliTests.Run("evaluate", model, "--dataset", unlabelled), "'species'", unlabelled);
        var noNotes = Path.Combine(_dir, "no-notes.csv");
        File.WriteAllLines(noNotes, ["colour,height_cm,indoor", "grey,21,yes"]);
        CliTests.AssertOneLineError(CliTests.Run("predict", model, "--dataset", noNotes), "'notes'", noNotes);
        CliTests.AssertOneLineError(CliTests.Run("predict", model, "--dataset", unlabelled, "--output", unlabelled), "--output", "same file");
        CliTests.AssertOneLineError(CliTests.Run("predict", model), "--dataset");
    }

    [TestMethod]
    public void SavedModelScoresRawRowsInAnotherMlContext()
    {
        var model = Path.Combine(_dir, "plants.zip");
        Assert.AreEqual(0, CliTests.Run("train", "--dataset", Fixture("plants.csv"), "--label", "species", "--epochs", "40", "--out", model).exitCode);

        var mlContext = new MLContext();
        var loaded = mlContext.Model.Load(model, out DataViewSchema inputSchema);
        // The raw columns, in file order, with the types they were read as.
        CollectionAssert.AreEqual(new[] { "id", "height_cm", "colour", "notes", "indoor", "species" }, inputSchema.Select(c => c.Name).ToArray());
        Assert.AreEqual(NumberDataViewType.Single, inputSchema["height_cm"].Type);
        Assert.AreEqual(TextDataViewType.Instance, inputSchema["notes"].Type);

        var engine = mlContext.Model.CreatePredictionEngine<PlantRow, PlantPrediction>(loaded);
        var cactus = engine.Predict(new PlantRow { HeightCm = float.NaN, Colour = "grey", Notes = "Spines, dry desert sun.", Indoor = "yes" });
        Assert.AreEqual("cactus", cactus.PredictedLabel);
        Assert.HasCount(3, cactus.Score);
        var orchid = engine.Predict(new PlantRow { HeightCm = 60, Colour = "pink", Notes = "Fragrant petals bloom humid.", Indoor = "no" });
        Assert.AreEqual("orchid", orchid.PredictedLabel);
    }

    [TestMethod]
    public void BadInputsAreOneLineErrorsNamingWhatIsWrong()
    {
        string wine = Fixture("wine.csv");
        CliTests.AssertOneLineError(CliTests.Run("train", "--dataset", wine, "--label", "cultivar"), "--label cultivar", "'cultivar'", "alcohol");
        CliTests.AssertOneLineError(CliTests.Run("train", "--dataset", wine), "--label");
        CliTests.AssertOneLineError(CliTests.Run("train", "--dataset", wine, "--label", "class", "--task", "clustering"), "--task", "clustering");
        CliTests.AssertOneLineError(CliTests.Run("train", "--dataset", wine, "--label", "class", "--ignore-columns", "ash,colour"), "--ignore-columns colour", "'colour'");
        CliTests.AssertOneLineError(CliTests.Run("train", "--dataset", wine, "--label", "class", "--model", "cnn"), "--model cnn");
        CliTests.AssertOneLineError(CliTests.Run("train", "--dataset", wine, "--label", "class", "--test-fraction", "1.5"), "--test-fraction 1.5");
        CliTests.AssertOneLineError(CliTests.Run("train", "--label", "class"), "--label", "--dataset");

        var missing = Path.Combine(_dir, "nowhere.csv");
        CliTests.AssertOneLineError(CliTests.Run("train", "--dataset", missing, "--label", "class"), missing);
        var binary = Path.Combine(_dir, "model.csv");
        File.WriteAllBytes(binary, [0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 0, 0x13, 0x37]);
        CliTests.AssertOneLineError(CliTests.Run("train", "--dataset", binary, "--label", "class"), binary, "not a table");
        var prose = Path.Combine(_dir, "notes.txt");
        File.WriteAllLines(prose, ["Dear diary", "today I trained a network", "it went well"]);
        CliTests.AssertOneLineError(CliTests.Run("train", "--dataset", prose, "--label", "class"), prose, "not a table");
        var empty = Path.Combine(_dir, "empty.csv");
        File.WriteAllText(empty, "");
        CliTests.AssertOneLineError(CliTests.Run("train", "--dataset", empty, "--label", "class"), empty, "empty");
    }

    [TestMethod]
    public void BinaryAndRegressionStopUntilTheirTrainersExist()
    {
        // Auto picks binary for the text label with two values and regression for diabetes' progression, and says so.
        var binary = CliTests.Run("train", "--dataset", Fixture("breast_cancer.csv"), "--label", "diagnosis", "--out", Path.Combine(_dir, "b.zip"));
        CliTests.AssertOneLineError(binary, "--task binary", "not available in this build");
        StringAssert.Contains(binary.stdout, "task: binary (text label with 2 values");
        StringAssert.Contains(binary.stdout, "positive class 'malignant'");
        var regression = CliTests.Run("train", "--dataset", Fixture("diabetes.csv"), "--label", "progression", "--out", Path.Combine(_dir, "r.zip"));
        CliTests.AssertOneLineError(regression, "--task regression", "not available in this build");
        StringAssert.Contains(regression.stdout, "task: regression (numeric label with 214 distinct values");
        Assert.IsFalse(File.Exists(Path.Combine(_dir, "b.zip")) || File.Exists(Path.Combine(_dir, "r.zip")), "no model written");
    }

    public sealed class PlantRow
    {
        [ColumnName("id")] public string Id { get; set; } = "";
        [ColumnName("height_cm")] public float HeightCm { get; set; }
        [ColumnName("colour")] public string Colour { get; set; } = "";
        [ColumnName("notes")] public string Notes { get; set; } = "";
        [ColumnName("indoor")] public string Indoor { get; set; } = "";
        [ColumnName("species")] public string Species { get; set; } = "";
    }

    public sealed class PlantPrediction
    {
        public string PredictedLabel { get; set; } = "";
        public float[] Score { get; set; } = [];
    }
}
