using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using static MlNetMlp.Tests.Cli.CliTests;

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
        var train = CliTests.Run("train", "--dataset", Fixture("plants.csv"), "--label", "species", "--out", model, "--json");
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
        Assert.AreEqual(0, CliTests.Run("train", "--dataset", Fixture("plants.csv"), "--label", "species", "--out", model).exitCode);

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
        CliTests.AssertOneLineError(CliTests.Run("train", "--dataset", wine, "--label", "class", "--images", _dir), "--images");
        CliTests.AssertOneLineError(CliTests.Run("train", "--dataset", wine, "--label", "class", "--test-dataset", wine, "--test-fraction", "0.3"), "--test-fraction", "--test-dataset");

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
    public void BreastCancerTrainsBinaryAboveTheAucBar()
    {
        var model = Path.Combine(_dir, "cancer.zip");
        var train = CliTests.Run("train", "--dataset", Fixture("breast_cancer.csv"), "--label", "diagnosis", "--out", model, "--json");
        Assert.AreEqual(0, train.exitCode, train.stderr);
        StringAssert.Contains(train.stdout, "task: binary (text label with 2 values (benign, malignant))");
        StringAssert.Contains(train.stdout, "positive class 'malignant' (the other: 'benign')");
        var result = LastJson(train.stdout);
        Assert.AreEqual("binary", result.GetProperty("task").GetString());
        Assert.AreEqual("malignant", result.GetProperty("positive_class").GetString());
        foreach (var key in new[] { "train_seconds", "rows", "features", "auc", "accuracy", "f1_score", "log_loss" })
            Assert.IsTrue(result.TryGetProperty(key, out _), $"JSON lacks {key}");
        Assert.AreEqual(456, result.GetProperty("rows").GetInt32());
        Assert.AreEqual(30, result.GetProperty("features").GetInt32());
        double auc = result.GetProperty("auc").GetDouble();
        TestContext.WriteLine(string.Create(CultureInfo.InvariantCulture, $"breast cancer: AUC {auc:F4}, accuracy {result.GetProperty("accuracy").GetDouble():F4}, F1 {result.GetProperty("f1_score").GetDouble():F4}, log-loss {result.GetProperty("log_loss").GetDouble():F4}, trained in {result.GetProperty("train_seconds").GetDouble():F2} s"));
        Assert.IsGreaterThanOrEqualTo(0.985, auc);

        var evaluate = CliTests.Run("evaluate", model, "--dataset", Fixture("breast_cancer.csv"), "--json");
        Assert.AreEqual(0, evaluate.exitCode, evaluate.stderr);
        Assert.AreEqual("binary", LastJson(evaluate.stdout).GetProperty("task").GetString());
        Assert.AreEqual(569, LastJson(evaluate.stdout).GetProperty("rows").GetInt32());

        // Predictions in the label's own values, with the probability of the positive class.
        var output = Path.Combine(_dir, "cancer-predictions.csv");
        Assert.AreEqual(0, CliTests.Run("predict", model, "--dataset", Fixture("breast_cancer.csv"), "--output", output).exitCode);
        using var reader = File.OpenText(output);
        var rows = MlNetMlp.Cli.Tables.DelimitedText.ReadRecords(reader, ',').ToList();
        Assert.HasCount(570, rows);
        CollectionAssert.AreEqual(new[] { "diagnosis", "PredictedLabel", "Probability", "Score" }, rows[0][^4..]);
        foreach (var row in rows.Skip(1))
        {
            double probability = double.Parse(row[^2], CultureInfo.InvariantCulture);
            Assert.AreEqual(probability > 0.5 ? "malignant" : "benign", row[^3], $"{probability}");
        }
        Assert.IsGreaterThan(0.95, rows.Skip(1).Count(r => r[^4] == r[^3]) / 569.0);
    }

    [TestMethod]
    public void DiabetesTrainsRegressionAboveTheRSquaredBar()
    {
        var model = Path.Combine(_dir, "diabetes.zip");
        var train = CliTests.Run("train", "--dataset", Fixture("diabetes.csv"), "--label", "progression", "--out", model, "--json");
        Assert.AreEqual(0, train.exitCode, train.stderr);
        StringAssert.Contains(train.stdout, "task: regression (numeric label with 214 distinct values");
        var result = LastJson(train.stdout);
        Assert.AreEqual("regression", result.GetProperty("task").GetString());
        foreach (var key in new[] { "train_seconds", "rows", "features", "r_squared", "rmse", "mae" })
            Assert.IsTrue(result.TryGetProperty(key, out _), $"JSON lacks {key}");
        double r2 = result.GetProperty("r_squared").GetDouble();
        TestContext.WriteLine(string.Create(CultureInfo.InvariantCulture, $"diabetes: R² {r2:F4}, RMSE {result.GetProperty("rmse").GetDouble():F2}, MAE {result.GetProperty("mae").GetDouble():F2}, trained in {result.GetProperty("train_seconds").GetDouble():F2} s"));
        Assert.IsGreaterThanOrEqualTo(0.30, r2);

        // The regression model scores raw rows in this process: the prediction is on the target's scale.
        var mlContext = new MLContext();
        var loaded = mlContext.Model.Load(model, out DataViewSchema inputSchema);
        Assert.AreEqual(11, inputSchema.Count);
        var engine = mlContext.Model.CreatePredictionEngine<DiabetesRow, DiabetesPrediction>(loaded);
        float score = engine.Predict(new DiabetesRow { Age = 59, Sex = 2, Bmi = 32.1f, Bp = 101, Tc = 157, Ldl = 93.2f, Hdl = 38, Tch = 4, Ltg = 4.8598f, Glu = 87 }).Score;
        Assert.IsTrue(score is > 25 and < 346, $"{score}");
    }

    public sealed class DiabetesRow
    {
        [ColumnName("age")] public float Age { get; set; }
        [ColumnName("sex")] public float Sex { get; set; }
        [ColumnName("bmi")] public float Bmi { get; set; }
        [ColumnName("bp")] public float Bp { get; set; }
        [ColumnName("tc")] public float Tc { get; set; }
        [ColumnName("ldl")] public float Ldl { get; set; }
        [ColumnName("hdl")] public float Hdl { get; set; }
        [ColumnName("tch")] public float Tch { get; set; }
        [ColumnName("ltg")] public float Ltg { get; set; }
        [ColumnName("glu")] public float Glu { get; set; }
        [ColumnName("progression")] public float Progression { get; set; }
    }

    public sealed class DiabetesPrediction
    {
        public float Score { get; set; }
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
