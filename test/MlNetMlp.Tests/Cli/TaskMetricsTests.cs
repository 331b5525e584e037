using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetMlp.Cli.Tables;

namespace MlNetMlp.Tests.Cli;

/// <summary>
/// Each task's metrics (names and values as ML.NET's evaluators give them) and the table pipeline around a scorer,
/// for binary and regression too: a stand-in scorer made of ML.NET's <c>Expression</c> transform appends the columns
/// a binary or regression trainer appends, so everything but the trainer itself is tested before those trainers exist.
/// </summary>
[TestClass]
public sealed class TaskMetricsTests
{
    private string _dir = null!;

    [TestInitialize]
    public void Start() => _dir = Directory.CreateTempSubdirectory("mlnetmlp-metrics-").FullName;

    [TestCleanup]
    public void Stop() => Directory.Delete(_dir, recursive: true);

    [TestMethod]
    public void MulticlassMetricsAreMlNetsUnderTheirJsonNames()
    {
        var mlContext = new MLContext(seed: 1);
        var rows = new[]
        {
            new ScoredClass { Truth = "a", Predicted = "a", Score = [0.8f, 0.1f, 0.1f] },
            new ScoredClass { Truth = "b", Predicted = "b", Score = [0.2f, 0.7f, 0.1f] },
            new ScoredClass { Truth = "c", Predicted = "a", Score = [0.5f, 0.1f, 0.4f] },
            new ScoredClass { Truth = "c", Predicted = "c", Score = [0.1f, 0.1f, 0.8f] },
        };
        var raw = mlContext.Data.LoadFromEnumerable(rows);
        var classes = mlContext.Data.LoadFromEnumerable(new[] { new ClassName { Value = "a" }, new ClassName { Value = "b" }, new ClassName { Value = "c" } });
        var data = mlContext.Transforms.Conversion.MapValueToKey("Label", "Truth", keyData: classes)
            .Append(mlContext.Transforms.Conversion.MapValueToKey("PredictedLabel", "Predicted", keyData: classes)).Fit(raw).Transform(raw);
        var metrics = mlContext.MulticlassClassification.Evaluate(data);
        var task = TaskMetrics.From(metrics);
        var json = task.Json();
        Assert.AreEqual("multiclass", json["task"]);
        Assert.AreEqual(0.75, (double)json["micro_accuracy"]!, 1e-12);
        Assert.AreEqual(metrics.MacroAccuracy, (double)json["macro_accuracy"]!);
        Assert.AreEqual(metrics.LogLoss, (double)json["log_loss"]!);
    }

    [TestMethod]
    public void BinaryPipelineMapsThePositiveClassAndReportsItsMetrics()
    {
        // y is "sick" when x > 0, except one row, so the metrics are not all perfect.
        var lines = new List<string> { "x,noise,y" };
        for (int i = 0; i < 40; i++)
        {
            float x = (i - 20) / 4f;
            bool sick = x > 0 ^ i == 3;
            lines.Add(FormattableString.Invariant($"{x},{(i * 7919) % 13},{(sick ? "sick" : "well")}"));
        }
        var (mlContext, schema, data, model) = BuildWithStandInScorer(lines, "y", TableTask.Binary,
            ml => ml.Transforms.Expression("Score", "v => -3 * v", "x")
                .Append(ml.Transforms.Expression("Probability", "s => 1 / (1 + exp(-s))", "Score"))
                .Append(ml.Transforms.Expression("PredictedLabel", "s => s > 0", "Score")));
        Assert.AreEqual(TableTask.Binary, schema.Task);
        Assert.AreEqual("well", schema.PositiveClass, "20 rows each: the later value on a tie");

        var metrics = TaskMetrics.Evaluate(mlContext, TableTask.Binary, model, data, "the stand-in");
        var json = metrics.Json();
        Assert.AreEqual("binary", json["task"]);
        foreach (var key in new[] { "auc", "accuracy", "f1_score", "log_loss" })
            Assert.IsTrue(json.ContainsKey(key), key);
        // The one "sick" row among the negative x outscores 17 of the 20 "well" rows: AUC = 1 − 17/400.
        Assert.AreEqual(1 - 17 / 400.0, (double)json["auc"]!, 1e-9);

        // Read back from the saved file as evaluate/predict do: the task, raw label, positive class and needed columns.
        var path = Path.Combine(_dir, "binary.zip");
        mlContext.Model.Save(model, data.Schema, path);
        var loaded = TableModel.Load(new MLContext(), path);
        Assert.AreEqual(TableTask.Binary, loaded.Task);
        Assert.AreEqual("y", loaded.LabelColumn);
        Assert.AreEqual("well", loaded.PositiveClass);
        CollectionAssert.AreEquivalent(new[] { "sick", "well" }, loaded.Classes.ToArray());
        CollectionAssert.AreEquivalent(new[] { "x", "noise" }, loaded.FeatureColumns.ToArray());
        var predicted = loaded.Model.Transform(data).GetColumn<ReadOnlyMemory<char>>("PredictedLabel").Select(v => v.ToString()).ToArray();
        Assert.AreEqual("well", predicted[0], "x = -5: the stand-in's true, mapped back to the label's value");
        Assert.AreEqual("sick", predicted[^1]);
    }

    [TestMethod]
    public void RegressionMetricsAreMlNetsUnderTheirJsonNames()
    {
        var lines = new List<string> { "x,colour,target" };
        for (int i = 0; i < 50; i++)
            lines.Add(FormattableString.Invariant($"{i * 0.37},{(i % 2 == 0 ? "red" : "blue")},{2 * i * 0.37 + 1 + (i % 3 - 1) * 0.5}"));
        var (mlContext, schema, data, model) = BuildWithStandInScorer(lines, "target", TableTask.Regression,
            ml => ml.Transforms.Expression("Score", "v => 2 * v + 1", "x"));
        Assert.AreEqual(TableTask.Regression, schema.Task, schema.TaskReason);
        var metrics = TaskMetrics.Evaluate(mlContext, TableTask.Regression, model, data, "the stand-in");
        var json = metrics.Json();
        Assert.AreEqual("regression", json["task"]);
        Assert.IsGreaterThan(0.99, (double)json["r_squared"]!);
        // Residuals of ±0.5 on the 33 rows whose i % 3 is not 1.
        Assert.AreEqual(Math.Sqrt(33 * 0.25 / 50), (double)json["rmse"]!, 1e-4);
        Assert.AreEqual(33 * 0.5 / 50, (double)json["mae"]!, 1e-4);

        var path = Path.Combine(_dir, "regression.zip");
        mlContext.Model.Save(model, data.Schema, path);
        var loaded = TableModel.Load(new MLContext(), path);
        Assert.AreEqual(TableTask.Regression, loaded.Task);
        Assert.AreEqual("target", loaded.LabelColumn);
    }

    [TestMethod]
    public void NonFiniteScoresAreRefusedNamingTheModel()
    {
        var lines = new List<string> { "x,target" };
        for (int i = 0; i < 30; i++) lines.Add(FormattableString.Invariant($"{i + 0.5},{i * 1.5}"));
        var (mlContext, _, data, model) = BuildWithStandInScorer(lines, "target", TableTask.Regression,
            ml => ml.Transforms.Expression("Score", "v => v > 20 ? v / 0 : v", "x"));
        var e = Assert.ThrowsExactly<InvalidDataException>(() => TaskMetrics.Evaluate(mlContext, TableTask.Regression, model, data, "Model file 'm.zip'"));
        StringAssert.Contains(e.Message, "Model file 'm.zip'");
        StringAssert.Contains(e.Message, "row 20");
    }

    /// <summary>The table pipeline of <c>train --dataset</c> with <paramref name="scorer"/> where the trainer goes.</summary>
    private (MLContext, TableSchema, IDataView, ITransformer) BuildWithStandInScorer(List<string> lines, string label, TableTask task,
        Func<MLContext, IEstimator<ITransformer>> scorer)
    {
        var path = Path.Combine(_dir, "table.csv");
        File.WriteAllLines(path, lines);
        var file = TableFile.Read(path, null, null);
        var schema = TableSchema.Decide(file, label, task == TableTask.Binary ? TaskChoice.Auto : TaskChoice.Regression, [], null);
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.CreateTextLoader(TablePipeline.LoaderOptions(file.Separator, file.HasHeader, TablePipeline.Columns(schema))).Load(path);
        var pipeline = TablePipeline.Featurize(mlContext, schema).Append(TablePipeline.Label(mlContext, schema)).Append(scorer(mlContext));
        var fitted = pipeline.Fit(data);
        var model = new TransformerChain<ITransformer>([.. fitted]);
        if (TablePipeline.PredictionToValue(mlContext, schema) is { } toValue)
            model = model.Append(toValue.Fit(model.Transform(data)));
        return (mlContext, schema, data, model);
    }

    private sealed class ClassName
    {
        public string Value { get; set; } = "";
    }

    private sealed class ScoredClass
    {
        public string Truth { get; set; } = "";

        public string Predicted { get; set; } = "";

        [VectorType(3)]
        public float[] Score { get; set; } = [];
    }
}
