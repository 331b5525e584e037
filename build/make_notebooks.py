#!/usr/bin/env python3
"""Writes notebooks/*.ipynb from the cell sources below (keeps the notebooks reviewable as code; rerun after edits).

    python3 build/make_notebooks.py                  # write the notebooks; a cell whose source is unchanged keeps its outputs
    python3 build/make_notebooks.py --run [NAME...]  # then run them (all, or the named ones) headless and store the outputs

--run packs src/MlNetMlp, .Data, .Study and .Plots under a version of its own (0.1.0-notebooks.TIMESTAMP.PID) into a
temporary feed, runs a copy of each notebook that points there with dotnet-repl (the repo's local tool) from the
repository root, and copies the outputs back into notebooks/, with the version, the feed and temporary folders
replaced by what a reader's run would show. A failing cell stops it (exit code 1) and nothing of that notebook is
written. The NuGet folder keeps nothing of that version afterwards, as in test/MlNetMlp.Tests/Packaging/TestPackageFeed.cs.
"""
import datetime, json, os, pathlib, re, shutil, subprocess, sys, tempfile, time

ROOT = pathlib.Path(__file__).resolve().parent.parent
NOTEBOOKS = {}

def cell(kind, text):
    lines = text.strip("\n").split("\n")
    source = [l + "\n" for l in lines[:-1]] + [lines[-1]]
    if kind == "md":
        return {"cell_type": "markdown", "metadata": {}, "source": source}
    return {"cell_type": "code", "execution_count": None,
            "metadata": {"dotnet_interactive": {"language": "csharp"}, "polyglot_notebook": {"kernelName": "csharp"}},
            "outputs": [], "source": source}

def notebook(name, cells):
    NOTEBOOKS[name] = {"cells": [cell(k, t) for k, t in cells],
          "metadata": {"kernelspec": {"display_name": ".NET (C#)", "language": "C#", "name": ".net-csharp"},
                       "language_info": {"name": "csharp"},
                       "polyglot_notebook": {"kernelInfo": {"defaultKernelName": "csharp", "items": [{"aliases": [], "name": "csharp"}]}}},
          "nbformat": 4, "nbformat_minor": 5}

PACKAGE = '''
// The locally built packages: `dotnet pack src/MlNetMlp` and `src/MlNetMlp.Data` (Fashion-MNIST, image folders) with
// `-c Release -o artifacts/packages` (nuget.config lists that folder).
#r "nuget: MlNetMlp, 0.1.0"
#r "nuget: MlNetMlp.Data, 0.1.0"
'''

# The data, the study and its figures are packages of their own: src/MlNetMlp.Data, src/MlNetMlp.Study and
# src/MlNetMlp.Plots, packed the same way.
STUDY_PACKAGES = '''
// The locally built packages: `dotnet pack src/MlNetMlp`, `src/MlNetMlp.Data`, `src/MlNetMlp.Study` and `src/MlNetMlp.Plots`
// with `-c Release -o artifacts/packages` (nuget.config lists that folder).
#r "nuget: MlNetMlp, 0.1.0"
#r "nuget: MlNetMlp.Data, 0.1.0"
#r "nuget: MlNetMlp.Study, 0.1.0"
#r "nuget: MlNetMlp.Plots, 0.1.0"
'''

notebook("quickstart.ipynb", [
    ("md", '''
# MlNetMlp quickstart

An ML.NET pipeline with `MlpTrainer` on Fashion-MNIST: load, train, evaluate, save, load again and predict.
Run it from the repository root (so NuGet finds the local package feed). It trains on 6,000 rows for a few epochs, about half a minute.
'''),
    ("code", PACKAGE),
    ("code", '''
using System.IO;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetMlp;
using MlNetMlp.Data;
using MlNetMlp.Transforms;

var mlContext = new MLContext(seed: 1);
IDataView train = FashionMnist.Load(mlContext, FashionMnistSplit.Train, maxRows: 6_000); // Label (key), Image (28×28, 0..255)
IDataView test = FashionMnist.Load(mlContext, FashionMnistSplit.Test, maxRows: 2_000);
train.Schema
'''),
    ("code", '''
var pipeline = mlContext.Transforms.NormalizePixels("Image", mode: PixelNormalizationMode.Standardize)
    .Append(mlContext.Transforms.FlattenImage("Features", "Image"))
    .Append(mlContext.MulticlassClassification.Trainers.Mlp(hiddenLayers: [256, 128], epochs: 5));
var model = pipeline.Fit(train);
var history = model.LastTransformer.Model.History;
history.Select(e => new { e.Epoch, e.TrainLoss, e.TrainAccuracy })
'''),
    ("code", '''
var metrics = mlContext.MulticlassClassification.Evaluate(model.Transform(test));
Console.WriteLine($"micro-accuracy {metrics.MicroAccuracy:F4}, macro-accuracy {metrics.MacroAccuracy:F4}, log-loss {metrics.LogLoss:F4}");
Console.WriteLine(metrics.ConfusionMatrix.GetFormattedConfusionTable());
// A notebook run headless fails when a cell throws: make a broken model fail loudly.
if (metrics.MicroAccuracy < 0.75) throw new Exception($"accuracy {metrics.MicroAccuracy:F4} is too low for 5 epochs on 6,000 rows");
'''),
    ("md", "Save the whole pipeline (pixel transforms and MLP) in ML.NET's format, load it back and predict one image."),
    ("code", '''
var path = Path.Combine(Path.GetTempPath(), $"quickstart-{Environment.ProcessId}.zip");
mlContext.Model.Save(model, train.Schema, path);
var loaded = new MLContext().Model.Load(path, out var inputSchema);
var loadedMetrics = mlContext.MulticlassClassification.Evaluate(loaded.Transform(test));
Console.WriteLine($"after load: micro-accuracy {loadedMetrics.MicroAccuracy:F4} (same: {loadedMetrics.MicroAccuracy == metrics.MicroAccuracy})");
if (loadedMetrics.MicroAccuracy != metrics.MicroAccuracy) throw new Exception("the loaded model scores differently");
File.Delete(path);
'''),
    ("code", '''
public sealed class FashionImage
{
    public uint Label { get; set; }                 // key: 1-based index into FashionMnist.ClassNames

    [VectorType(28, 28)]
    public float[] Image { get; set; } = [];
}

public sealed class FashionPrediction
{
    public uint PredictedLabel { get; set; }
    public float[] Score { get; set; } = [];
}

var engine = mlContext.Model.CreatePredictionEngine<FashionImage, FashionPrediction>(loaded);
var first = mlContext.Data.CreateEnumerable<FashionImage>(test, reuseRowObject: false).First();
var prediction = engine.Predict(first);
Console.WriteLine($"first test image: predicted {FashionMnist.ClassNames[(int)prediction.PredictedLabel - 1]} ({prediction.Score.Max():P1}), truth {FashionMnist.ClassNames[(int)first.Label - 1]}");
'''),
])

notebook("study.ipynb", [
    ("md", '''
# The Fashion-MNIST MLP study, quick settings

Runs the study's plan (the reproduced report's experiments, our best MLP, the CNN and ML.NET baselines) on a small subset
and shows the table and figures inline. The full study is `mlnetmlp experiments` (see README); these settings only show the
mechanics and take about a minute, so the numbers are far from the report's and the report explains why.
'''),
    ("code", STUDY_PACKAGES),
    ("code", '''
using System.IO;
using MlNetMlp;
using MlNetMlp.Data;
using MlNetMlp.Plots;
using MlNetMlp.Study;

var settings = StudySettings.Quick() with { TrainRows = 2_000, TestRows = 1_000, ReproductionEpochs = 3, BestMlpEpochs = 2, CnnEpochs = 1 };
var train = FashionMnist.LoadArrays(FashionMnistSplit.Train, maxRows: settings.TrainRows);
var test = FashionMnist.LoadArrays(FashionMnistSplit.Test, maxRows: settings.TestRows);
var plan = StudyPlan.Create(settings);
var report = StudyRunner.Run(settings, plan, train, test);
Console.WriteLine($"{report.Results.Count} experiments in {report.TotalSeconds:F0} s");
'''),
    ("code", '''
using Microsoft.DotNet.Interactive.Formatting;

string Table(StudyReport r)
{
    var html = new System.Text.StringBuilder("<table><tr>");
    foreach (var h in StudyReportWriter.TableHeader) html.Append($"<th>{System.Net.WebUtility.HtmlEncode(h)}</th>");
    html.Append("</tr>");
    foreach (var row in StudyReportWriter.TableRows(r))
        html.Append("<tr>" + string.Concat(row.Select(c => $"<td>{System.Net.WebUtility.HtmlEncode(c)}</td>")) + "</tr>");
    return html.Append("</table>").ToString();
}
display(HTML(Table(report)));
var failed = report.Results.Where(r => r.Status is ExperimentStatus.Failed).Select(r => $"{r.Id}: {r.Message}").ToList();
if (failed.Count > 0) throw new Exception("failed experiments: " + string.Join("; ", failed));
'''),
    ("md", "The figures of the report (learning curves per experiment, the best model's confusion matrix and test images, accuracy vs training time):"),
    ("code", '''
var figures = StudyFigures.All(report, test);
foreach (var f in figures)
    display(HTML($"<h4>{System.Net.WebUtility.HtmlEncode(f.Title)}</h4><img src=\\"data:image/png;base64,{Convert.ToBase64String(f.Png)}\\"/>"));
'''),
    ("code", '''
// The same report as files: report.md, report.html (self-contained), results.json, figures/*.png.
var directory = Path.Combine(Path.GetTempPath(), $"study-notebook-{Environment.ProcessId}");
var written = StudyReportWriter.Write(directory, report, figures);
Console.WriteLine(string.Join("\\n", written.Select(f => Path.GetRelativePath(directory, f))));
foreach (var line in File.ReadLines(Path.Combine(directory, "report.md")).Where(l => l.StartsWith("### ")).Take(5)) Console.WriteLine(line);
Directory.Delete(directory, recursive: true);
'''),
])

notebook("mlp-vs-cnn.ipynb", [
    ("md", '''
# MLP vs CNN on Fashion-MNIST

The same training rows for MlNetMlp's best MLP configuration (784-512-256-10 LeakyReLU, Adam, dropout 0.3, cosine) and its CNN
(`CnnTrainer.DefaultLayers`), as ML.NET pipelines: accuracy, training time, learning curves and confusion matrices side by side.
Small settings (4,000 rows, a couple of epochs) keep it to about a minute; `mlnetmlp experiments` runs both on the full data.
'''),
    ("code", STUDY_PACKAGES),
    ("code", '''
using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetMlp;
using MlNetMlp.Data;
using MlNetMlp.Plots;
using MlNetMlp.Study;
using MlNetMlp.Transforms;

var mlContext = new MLContext(seed: 1);
var train = FashionMnist.Load(mlContext, FashionMnistSplit.Train, maxRows: 4_000);
var test = FashionMnist.Load(mlContext, FashionMnistSplit.Test, maxRows: 1_000);
var testLabels = FashionMnist.LoadArrays(FashionMnistSplit.Test, maxRows: 1_000).Labels;

// Fits a pipeline, times it, and evaluates it: the parts of a study row the figures need.
ExperimentResult Run(string title, IEstimator<ITransformer> pipeline, Func<ITransformer, IReadOnlyList<EpochRecord>> history)
{
    var stopwatch = Stopwatch.StartNew();
    var model = pipeline.Fit(train);
    double seconds = stopwatch.Elapsed.TotalSeconds;
    var scored = model.Transform(test);
    var metrics = mlContext.MulticlassClassification.Evaluate(scored);
    var predictions = scored.GetColumn<uint>("PredictedLabel").Select(k => (int)k - 1).ToArray();
    Console.WriteLine($"{title}: micro-accuracy {metrics.MicroAccuracy:F4}, log-loss {metrics.LogLoss:F4}, trained in {seconds:F1} s");
    return new ExperimentResult { Id = title, Title = title, MicroAccuracy = metrics.MicroAccuracy, MacroAccuracy = metrics.MacroAccuracy,
        LogLoss = metrics.LogLoss, TrainSeconds = seconds, History = history(model), Predictions = predictions };
}
'''),
    ("code", '''
var mlpOptions = StudyPlan.BestMlpOptions(epochs: 4);
mlpOptions.Seed = 1;
var mlp = Run("MLP 784-512-256-10", mlContext.Transforms.NormalizePixels("Image", mode: PixelNormalizationMode.Standardize)
        .Append(mlContext.Transforms.FlattenImage("Features", "Image"))
        .Append(new MlpTrainer(mlContext, mlpOptions)),
    model => ((IEnumerable<ITransformer>)model).OfType<MulticlassNetworkTransformer<MlpModelParameters>>().Single().Model.History);
'''),
    ("code", '''
// The CNN reads the 28×28 Image column itself (pixels scaled by 1/255 inside the model).
var cnn = Run("CNN", mlContext.MulticlassClassification.Trainers.Cnn(new CnnTrainer.Options { Epochs = 2, Seed = 1, MonitoringSubsetSize = 500 }),
    model => ((MulticlassNetworkTransformer<CnnModelParameters>)model).Model.History);
if (mlp.MicroAccuracy < 0.7 || cnn.MicroAccuracy < 0.6) throw new Exception("a model did not learn");
'''),
    ("code", '''
string Img(byte[] png) => $"<img src=\\"data:image/png;base64,{Convert.ToBase64String(png)}\\"/>";
display(HTML(Img(StudyFigures.LearningCurves(mlp)) + Img(StudyFigures.LearningCurves(cnn))));
display(HTML(Img(StudyFigures.ConfusionMatrix(mlp, testLabels, FashionMnist.ClassNames, 520)) + Img(StudyFigures.ConfusionMatrix(cnn, testLabels, FashionMnist.ClassNames, 520))));
var comparison = new StudyReport { Results = [mlp, cnn], ClassNames = FashionMnist.ClassNames, TestLabels = testLabels };
display(HTML(Img(StudyFigures.AccuracyVsTime(comparison, 800, 400))));
'''),
])

# Raw strings: the C# below has its own escapes ("\n").
notebook("your-own-data.ipynb", [
    ("md", r'''
# Your own data: a CSV table and a folder of images

What a user with data of their own writes: plain ML.NET, with MlNetMlp's trainers in the catalogs.

* **Tables** (CSV): scikit-learn's breast-cancer data (binary, 30 numeric columns) and diabetes data (regression), as
  exported to `test/fixtures/sklearn` with their train/test `split` column; then a table with a text label, a text
  column and missing cells, written here.
* **Images**: a folder with one subfolder per class of JPEG files, read by MlNetMlp.Data's `LoadImagePixels`; the MLP and
  the CNN; a prediction from a file path.

Run it from the repository root (so NuGet finds the local package feed and the notebook finds the fixtures). Every
model is small: the whole notebook takes well under a minute.
'''),
    ("code", PACKAGE),
    ("code", r'''
using System.Diagnostics;
using System.IO;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using MlNetMlp;
using MlNetMlp.Data;
using MlNetMlp.Transforms;

// Each section below starts from a context of its own with seed 1, so it shows the same figures when run alone.
var mlContext = new MLContext(seed: 1);
string fixtures = Path.Combine("test", "fixtures", "sklearn");
if (!Directory.Exists(fixtures)) throw new DirectoryNotFoundException($"{fixtures} not found: run the notebook from the repository root.");
// Models and images go to a folder of their own, deleted at the end; paths are printed relative to it.
string work = Directory.CreateTempSubdirectory("mlnetmlp-your-own-data-").FullName;

// The fixtures say in a `split` column which rows are for training and which for testing.
public sealed class SplitRow { public string Split { get; set; } = ""; }
(IDataView Train, IDataView Test) BySplit(IDataView data) =>
    (mlContext.Data.FilterByCustomPredicate<SplitRow>(data, r => r.Split != "train"),   // the predicate says which rows to drop
     mlContext.Data.FilterByCustomPredicate<SplitRow>(data, r => r.Split != "test"));
'''),
    ("md", r'''
## A binary table: breast cancer

`TextLoader` reads the 30 numeric columns into one `Features` vector and the 0/1 column `benign` as a Boolean label.
The features are standardized (`NormalizeMeanVariance`, fitted on the training rows) and
`BinaryClassification.Trainers.Mlp()` trains with its defaults: scikit-learn's `MLPClassifier`'s (one hidden layer of
100 ReLU units, Adam, 200 epochs).
'''),
    ("code", r'''
mlContext = new MLContext(seed: 1);
string cancerCsv = Path.Combine(fixtures, "breast_cancer.csv");
string[] cancerColumns = File.ReadLines(cancerCsv).First().Split(',');   // split, 30 features, benign
var cancerData = mlContext.Data.LoadFromTextFile(cancerCsv, new TextLoader.Options
{
    HasHeader = true,
    Separators = [','],
    Columns =
    [
        new TextLoader.Column("Split", DataKind.String, 0),
        new TextLoader.Column("Features", DataKind.Single, 1, 30),
        new TextLoader.Column("Label", DataKind.Boolean, 31),
    ],
});
var (cancerTrain, cancerTest) = BySplit(cancerData);

var stopwatch = Stopwatch.StartNew();
var cancerModel = mlContext.Transforms.NormalizeMeanVariance("Features")
    .Append(mlContext.BinaryClassification.Trainers.Mlp())
    .Fit(cancerTrain);
double cancerSeconds = stopwatch.Elapsed.TotalSeconds;
var cancerScored = cancerModel.Transform(cancerTest);
var cancerMetrics = mlContext.BinaryClassification.Evaluate(cancerScored);
Console.WriteLine($"{cancerTrain.GetColumn<bool>("Label").Count()} training rows, {cancerTest.GetColumn<bool>("Label").Count()} test rows, trained in {cancerSeconds:F1} s");
Console.WriteLine($"AUC {cancerMetrics.AreaUnderRocCurve:F4}, accuracy {cancerMetrics.Accuracy:F4}, F1 {cancerMetrics.F1Score:F4}, log-loss {cancerMetrics.LogLoss:F4}");
Console.WriteLine(cancerMetrics.ConfusionMatrix.GetFormattedConfusionTable());
// A notebook run headless fails when a cell throws: make a broken model fail loudly.
if (cancerMetrics.AreaUnderRocCurve < 0.98) throw new Exception($"AUC {cancerMetrics.AreaUnderRocCurve:F4} is below 0.98");
'''),
    ("md", r'''
Which columns matter: ML.NET's `PermutationFeatureImportance` shuffles one feature at a time over the test rows and
measures how much AUC drops (the model is not retrained), averaged over 10 shuffles. The drops are small and close, so
the lower ranks can swap from one run to the next.
'''),
    ("code", r'''
var cancerImportance = mlContext.BinaryClassification.PermutationFeatureImportance(cancerModel.LastTransformer, cancerScored, permutationCount: 10);
foreach (var (feature, drop) in cancerImportance.Select((metrics, slot) => (cancerColumns[1 + slot], -metrics.AreaUnderRocCurve.Mean))
             .OrderByDescending(f => f.Item2).Take(8))
    Console.WriteLine($"{feature,-24} AUC drop {drop:F4}");
'''),
    ("md", r'''
The model is the whole pipeline (normalization and network). Save it, load it as another program would, and score
one raw row of the CSV with a `PredictionEngine`.
'''),
    ("code", r'''
public sealed class CancerRow
{
    [VectorType(30)]
    public float[] Features { get; set; } = [];
    public bool Label { get; set; }
}

public sealed class CancerPrediction
{
    public bool PredictedLabel { get; set; }
    public float Probability { get; set; }
}

string cancerModelPath = Path.Combine(work, "breast-cancer.zip");
mlContext.Model.Save(cancerModel, cancerTrain.Schema, cancerModelPath);
var cancerLoaded = new MLContext().Model.Load(cancerModelPath, out _);
var cancerEngine = mlContext.Model.CreatePredictionEngine<CancerRow, CancerPrediction>(cancerLoaded);

string rawLine = File.ReadLines(cancerCsv).First(l => l.StartsWith("test,"));
var fields = rawLine.Split(',');
var raw = new CancerRow { Features = fields[1..31].Select(v => float.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray() };
var cancerPrediction = cancerEngine.Predict(raw);
Console.WriteLine($"first test row: {string.Join(", ", cancerColumns[1..5].Select((c, i) => $"{c} {fields[1 + i]}"))}, …");
Console.WriteLine($"predicted benign: {cancerPrediction.PredictedLabel} (probability {cancerPrediction.Probability:F4}); the CSV says {(fields[31] == "1" ? "benign" : "malignant")}");
var loadedAuc = mlContext.BinaryClassification.Evaluate(cancerLoaded.Transform(cancerTest)).AreaUnderRocCurve;
Console.WriteLine($"the loaded model's test AUC: {loadedAuc:F4}");
if (loadedAuc != cancerMetrics.AreaUnderRocCurve) throw new Exception("the loaded model scores differently");
'''),
    ("md", r'''
## A regression table: diabetes

The same steps with `Regression.Trainers.Mlp()`: the target (disease progression after a year, 25–346) is
standardized inside the trainer and the model undoes it, so the defaults work for targets of any scale. Metrics are
ML.NET's regression ones, next to ML.NET's linear `Sdca` on the same features. The target is noisy and the 89 test
rows few: on this split scikit-learn's `MLPRegressor(max_iter=1000)` reaches R² 0.31 (mean over 10 seeds, 0.30–0.32) and
its linear regression 0.33.
'''),
    ("code", r'''
mlContext = new MLContext(seed: 1);
string diabetesCsv = Path.Combine(fixtures, "diabetes.csv");
string[] diabetesColumns = File.ReadLines(diabetesCsv).First().Split(',');   // split, age … s6, progression
var diabetesData = mlContext.Data.LoadFromTextFile(diabetesCsv, new TextLoader.Options
{
    HasHeader = true,
    Separators = [','],
    Columns =
    [
        new TextLoader.Column("Split", DataKind.String, 0),
        new TextLoader.Column("Features", DataKind.Single, 1, 10),
        new TextLoader.Column("Label", DataKind.Single, 11),
    ],
});
var (diabetesTrain, diabetesTest) = BySplit(diabetesData);

Console.WriteLine($"{diabetesTrain.GetColumn<float>("Label").Count()} training rows, {diabetesTest.GetColumn<float>("Label").Count()} test rows");
// One split of 89 rows cannot tell seeds apart: train with five (MLContext seeds 0..4) and look at the spread.
var diabetesRuns = Enumerable.Range(0, 5).Select(seed =>
{
    var context = new MLContext(seed);
    stopwatch.Restart();
    var model = context.Transforms.NormalizeMeanVariance("Features").Append(context.Regression.Trainers.Mlp()).Fit(diabetesTrain);
    double seconds = stopwatch.Elapsed.TotalSeconds;
    var metrics = context.Regression.Evaluate(model.Transform(diabetesTest));
    Console.WriteLine($"MLP, seed {seed}:  R² {metrics.RSquared:F4}, RMSE {metrics.RootMeanSquaredError:F2}, MAE {metrics.MeanAbsoluteError:F2}, trained in {seconds:F1} s");
    return (Seed: seed, Model: model, Metrics: metrics);
}).ToList();
double meanR2 = diabetesRuns.Average(r => r.Metrics.RSquared);
Console.WriteLine($"MLP, mean:    R² {meanR2:F4}, RMSE {diabetesRuns.Average(r => r.Metrics.RootMeanSquaredError):F2}");
var linear = mlContext.Transforms.NormalizeMeanVariance("Features").Append(mlContext.Regression.Trainers.Sdca()).Fit(diabetesTrain);
var linearMetrics = mlContext.Regression.Evaluate(linear.Transform(diabetesTest));
Console.WriteLine($"linear Sdca:  R² {linearMetrics.RSquared:F4}, RMSE {linearMetrics.RootMeanSquaredError:F2}, MAE {linearMetrics.MeanAbsoluteError:F2}");
if (meanR2 < 0.25) throw new Exception($"mean R² {meanR2:F4} is below 0.25");
'''),
    ("md", r'''
Which columns matter to the first model: the R² lost when one column is shuffled.
'''),
    ("code", r'''
var diabetesModel = diabetesRuns[0].Model;
var diabetesImportance = mlContext.Regression.PermutationFeatureImportance(diabetesModel.LastTransformer,
    diabetesModel.Transform(diabetesTest), permutationCount: 10);
foreach (var (feature, drop) in diabetesImportance.Select((metrics, slot) => (diabetesColumns[1 + slot], -metrics.RSquared.Mean))
             .OrderByDescending(f => f.Item2).Take(5))
    Console.WriteLine($"{feature,-4} R² drop {drop:F4}");
'''),
    ("md", r'''
## A table with a text label, a text column and missing cells

Tables of one's own rarely come as clean numbers. This one is written here: 300 penguins of three species, with an
`island` column of text and some measurements left empty. (The rows are drawn at random from per-species normal
distributions near the Palmer Penguins' means, not real observations.)
'''),
    ("code", r'''
var random = new Random(7);
double Normal(double mean, double sd) => mean + sd * Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
// species: (bill length, bill depth, flipper length, body mass) means and standard deviations, and the islands it lives on
var species = new (string Name, double[] Mean, double[] Sd, string[] Islands)[]
{
    ("Adelie",    [38.8, 18.3, 190, 3700], [2.7, 1.2, 6.5, 460], ["Biscoe", "Dream", "Torgersen"]),
    ("Chinstrap", [48.8, 18.4, 196, 3733], [3.3, 1.1, 7.1, 384], ["Dream"]),
    ("Gentoo",    [47.5, 15.0, 217, 5076], [3.1, 1.0, 6.5, 504], ["Biscoe"]),
};
var lines = new List<string> { "species,island,bill_length_mm,bill_depth_mm,flipper_length_mm,body_mass_g" };
for (int i = 0; i < 300; i++)
{
    var s = species[random.Next(species.Length)];
    var cells = s.Mean.Select((m, j) => random.NextDouble() < 0.04 ? "" : Normal(m, s.Sd[j]).ToString(j < 2 ? "F1" : "F0", System.Globalization.CultureInfo.InvariantCulture));
    lines.Add($"{s.Name},{s.Islands[random.Next(s.Islands.Length)]},{string.Join(",", cells)}");
}
string penguinsCsv = Path.Combine(work, "penguins.csv");
File.WriteAllLines(penguinsCsv, lines);
Console.WriteLine(string.Join("\n", lines.Take(6)));
Console.WriteLine($"… {lines.Count - 1} rows, {lines.Skip(1).Sum(l => l.Split(',').Count(c => c == ""))} empty cells");
'''),
    ("md", r'''
The label is text, so `MapValueToKey` turns it into the key the multiclass trainer wants, and `MapKeyToValue` turns
the prediction back into a species name. Empty cells load as NaN (`MissingRealsAsNaNs`), are flagged
(`IndicateMissingValues`) and replaced by the training mean (`ReplaceMissingValues`); `island` is one-hot encoded.
'''),
    ("code", r'''
mlContext = new MLContext(seed: 1);
var penguins = mlContext.Data.LoadFromTextFile(penguinsCsv, new TextLoader.Options
{
    HasHeader = true,
    Separators = [','],
    MissingRealsAsNaNs = true,
    Columns =
    [
        new TextLoader.Column("species", DataKind.String, 0),
        new TextLoader.Column("island", DataKind.String, 1),
        new TextLoader.Column("Measurements", DataKind.Single, 2, 5),
    ],
});
var penguinSplit = mlContext.Data.TrainTestSplit(penguins, testFraction: 0.25, seed: 1);

var penguinPipeline = mlContext.Transforms.Conversion.MapValueToKey("Label", "species")
    .Append(mlContext.Transforms.IndicateMissingValues("Missing", "Measurements"))
    .Append(mlContext.Transforms.Conversion.ConvertType("Missing", outputKind: DataKind.Single))
    .Append(mlContext.Transforms.ReplaceMissingValues("Measurements", replacementMode: MissingValueReplacingEstimator.ReplacementMode.Mean))
    .Append(mlContext.Transforms.Categorical.OneHotEncoding("Island", "island"))
    .Append(mlContext.Transforms.Concatenate("Features", "Measurements", "Missing", "Island"))
    .Append(mlContext.Transforms.NormalizeMeanVariance("Features"))
    .Append(mlContext.MulticlassClassification.Trainers.Mlp(hiddenLayers: [100], epochs: 200, batchSize: 32))
    .Append(mlContext.Transforms.Conversion.MapKeyToValue("PredictedSpecies", "PredictedLabel"));
var penguinModel = penguinPipeline.Fit(penguinSplit.TrainSet);
var penguinMetrics = mlContext.MulticlassClassification.Evaluate(penguinModel.Transform(penguinSplit.TestSet));
Console.WriteLine($"micro-accuracy {penguinMetrics.MicroAccuracy:F4}, macro-accuracy {penguinMetrics.MacroAccuracy:F4}, log-loss {penguinMetrics.LogLoss:F4}");
Console.WriteLine(penguinMetrics.ConfusionMatrix.GetFormattedConfusionTable());
if (penguinMetrics.MicroAccuracy < 0.85) throw new Exception($"micro-accuracy {penguinMetrics.MicroAccuracy:F4} is below 0.85");

public sealed class PenguinRow
{
    public string species { get; set; } = "";   // unknown when predicting: an empty label maps to no key
    public string island { get; set; } = "";
    [VectorType(4)]
    public float[] Measurements { get; set; } = [];
}

public sealed class PenguinPrediction
{
    public string PredictedSpecies { get; set; } = "";
    public float[] Score { get; set; } = [];
}

var penguinEngine = mlContext.Model.CreatePredictionEngine<PenguinRow, PenguinPrediction>(penguinModel);
var penguin = new PenguinRow { island = "Biscoe", Measurements = [46.1f, 14.9f, float.NaN, 5200f] };   // flipper length missing
var penguinPrediction = penguinEngine.Predict(penguin);
Console.WriteLine($"a penguin from Biscoe, bill 46.1 × 14.9 mm, 5,200 g, flipper not measured: {penguinPrediction.PredictedSpecies} ({penguinPrediction.Score.Max():P1})");
'''),
    ("md", r'''
## A folder of images

One subfolder per class, the folder's name is the class: the layout `mlnetmlp train --images DIR` reads too. Here the
folder is written from three footwear classes of Fashion-MNIST (300 training and 100 test images each) as 28×28 JPEG
files, the format most photos come in.
'''),
    ("code", r'''
using SkiaSharp;

mlContext = new MLContext(seed: 1);
string[] footwear = ["Sandal", "Sneaker", "Ankle boot"];
List<(string Path, string Label)> WriteFolder(FashionMnistSplit split, string folder, int perClass)
{
    var images = FashionMnist.LoadArrays(split);
    var files = new List<(string, string)>();
    foreach (string name in footwear)
    {
        int label = FashionMnist.ClassNames.ToList().IndexOf(name);
        Directory.CreateDirectory(Path.Combine(folder, name));
        foreach (int i in Enumerable.Range(0, images.Count).Where(i => images.Labels[i] == label).Take(perClass))
        {
            using var image = SKImage.FromPixelCopy(new SKImageInfo(28, 28, SKColorType.Gray8, SKAlphaType.Opaque), images.Pixels.AsSpan(i * 784, 784));
            using var jpeg = image.Encode(SKEncodedImageFormat.Jpeg, 90);
            string path = Path.Combine(folder, name, $"{i:D5}.jpg");
            File.WriteAllBytes(path, jpeg.ToArray());
            files.Add((path, name));
        }
    }
    return files;
}
var trainFiles = WriteFolder(FashionMnistSplit.Train, Path.Combine(work, "shoes"), 300);
var testFiles = WriteFolder(FashionMnistSplit.Test, Path.Combine(work, "shoes-test"), 100);
Console.WriteLine($"{trainFiles.Count} training and {testFiles.Count} test JPEGs, e.g. {Path.GetRelativePath(work, trainFiles[0].Path)}");
display(HTML(string.Concat(footwear.Select(name => $"<p>{name}: " + string.Concat(trainFiles.Where(f => f.Label == name).Take(8)
    .Select(f => $"<img width=\"56\" src=\"data:image/jpeg;base64,{Convert.ToBase64String(File.ReadAllBytes(f.Path))}\"/> ")) + "</p>"))));
'''),
    ("md", r'''
The rows are just (path, class name). `LoadImagePixels` (MlNetMlp.Data) decodes each file (JPEG, PNG, BMP, GIF or WebP),
resizes it and writes its pixels as a [channels, height, width] vector of 0..255, like ImageAnalytics'
`LoadImages → ResizeImages → ExtractPixels`. The MLP wants them standardized and flat; the CNN reads the image as it is.
'''),
    ("code", r'''
public sealed class ImageRow
{
    public string ImagePath { get; set; } = "";
    public string Label { get; set; } = "";
}

IDataView ImageRows(List<(string Path, string Label)> files) =>
    mlContext.Data.LoadFromEnumerable(files.Select(f => new ImageRow { ImagePath = f.Path, Label = f.Label }).ToList());
var trainImages = ImageRows(trainFiles);
var testImages = ImageRows(testFiles);

var readImages = mlContext.Transforms.Conversion.MapValueToKey("Label")
    .Append(mlContext.Transforms.LoadImagePixels("Pixels", "ImagePath", width: 28, height: 28));
var toClassName = mlContext.Transforms.Conversion.MapKeyToValue("PredictedClass", "PredictedLabel");

var imagePipelines = new (string Name, IEstimator<ITransformer> Pipeline)[]
{
    ("MLP 784-128-3", readImages
        .Append(mlContext.Transforms.NormalizePixels("Pixels", mode: PixelNormalizationMode.Standardize))
        .Append(mlContext.Transforms.FlattenImage("Features", "Pixels"))
        .Append(mlContext.MulticlassClassification.Trainers.Mlp(hiddenLayers: [128], epochs: 15, batchSize: 50))
        .Append(toClassName)),
    ("CNN (default layers)", readImages
        .Append(mlContext.MulticlassClassification.Trainers.Cnn(imageColumnName: "Pixels", epochs: 3, batchSize: 50))
        .Append(toClassName)),
};
var imageModels = new Dictionary<string, ITransformer>();
foreach (var (name, pipeline) in imagePipelines)
{
    stopwatch.Restart();
    var model = pipeline.Fit(trainImages);
    double seconds = stopwatch.Elapsed.TotalSeconds;
    var metrics = mlContext.MulticlassClassification.Evaluate(model.Transform(testImages));
    Console.WriteLine($"{name}: micro-accuracy {metrics.MicroAccuracy:F4}, macro-accuracy {metrics.MacroAccuracy:F4}, log-loss {metrics.LogLoss:F4}, trained in {seconds:F1} s");
    Console.WriteLine(metrics.ConfusionMatrix.GetFormattedConfusionTable());
    if (metrics.MicroAccuracy < 0.8) throw new Exception($"{name}: micro-accuracy {metrics.MicroAccuracy:F4} is below 0.8");
    imageModels[name] = model;
}
'''),
    ("md", r'''
Saved and loaded, the CNN's pipeline scores an image file from its path alone (another program needs ML.NET and
MlNetMlp.Data, nothing of this notebook). The label is not needed to predict; an empty one maps to no class.
'''),
    ("code", r'''
public sealed class ImagePrediction
{
    public string PredictedClass { get; set; } = "";
    public float[] Score { get; set; } = [];
}

string imageModelPath = Path.Combine(work, "shoes.zip");
mlContext.Model.Save(imageModels["CNN (default layers)"], trainImages.Schema, imageModelPath);
var imageEngine = new MLContext().Model.CreatePredictionEngine<ImageRow, ImagePrediction>(new MLContext().Model.Load(imageModelPath, out _));
foreach (var (path, label) in testFiles.Where((_, i) => i % 100 == 7))
{
    var prediction = imageEngine.Predict(new ImageRow { ImagePath = path });
    Console.WriteLine($"{Path.GetRelativePath(work, path)}: {prediction.PredictedClass} ({prediction.Score.Max():P1})");
}
Directory.Delete(work, recursive: true);
'''),
])


# ---- writing, and running headless ----

PACKAGES = ["MlNetMlp", "MlNetMlp.Data", "MlNetMlp.Study", "MlNetMlp.Plots"]
REFERENCE = re.compile(r'^#r "nuget: (MlNetMlp(?:\.Data|\.Study|\.Plots)?), 0\.1\.0"(\s*)$')

def write(name, nb):
    (ROOT / "notebooks" / name).write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")

def with_kept_outputs(name, nb):
    """The notebook with the outputs of the committed one for every code cell whose source (and position) is unchanged."""
    path = ROOT / "notebooks" / name
    if not path.exists():
        return nb
    old = json.loads(path.read_text(encoding="utf-8"))["cells"]
    for i, c in enumerate(nb["cells"]):
        if c["cell_type"] == "code" and i < len(old) and old[i]["cell_type"] == "code" and old[i]["source"] == c["source"]:
            c["outputs"] = old[i].get("outputs", [])
            c["execution_count"] = old[i].get("execution_count")
    return nb

def run(args, timeout):
    env = dict(os.environ, DOTNET_CLI_TELEMETRY_OPTOUT="1", DOTNET_NOLOGO="1", MSBUILDDISABLENODEREUSE="1", DOTNET_CLI_USE_MSBUILD_SERVER="0")
    result = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    return result.returncode, (result.stdout + result.stderr)[-3000:]

def is_progress(output):
    """dotnet-repl keeps every update of the package-restore display; a notebook front end shows only the last."""
    return "<strong>Installing Packages</strong>" in "".join(output.get("data", {}).get("text/html", ""))

def sanitize(value, replacements):
    if isinstance(value, str):
        for old, new in replacements:
            value = value.replace(old, new)
        return value
    if isinstance(value, list):
        return [sanitize(v, replacements) for v in value]
    if isinstance(value, dict):
        return {k: sanitize(v, replacements) for k, v in value.items()}
    return value

def execute(names):
    version = f"0.1.0-notebooks.{datetime.datetime.now(datetime.timezone.utc):%Y%m%d%H%M%S}.{os.getpid()}"
    feed = tempfile.mkdtemp(prefix="mlnetmlp-notebook-feed-")
    nuget = pathlib.Path(os.environ.get("NUGET_PACKAGES", pathlib.Path.home() / ".nuget" / "packages"))
    try:
        code, log = run(["dotnet", "tool", "restore"], 300)
        if code != 0:
            sys.exit(f"dotnet tool restore failed: {log}")
        for package in PACKAGES:
            code, log = run(["dotnet", "pack", f"src/{package}", "-c", "Release", "-o", feed, f"-p:PackageVersion={version}"], 600)
            if code != 0:
                sys.exit(f"dotnet pack src/{package} failed: {log}")
        # Longest first, so a path is replaced before its prefix.
        replacements = sorted([(version, "0.1.0"), (feed, "artifacts/packages"), (str(ROOT) + "/", ""), (str(nuget) + "/", "~/.nuget/packages/")],
                              key=lambda r: -len(r[0]))
        for name in names:
            nb = json.loads((ROOT / "notebooks" / name).read_text(encoding="utf-8"))
            copy = json.loads(json.dumps(nb))
            first = True
            for c in copy["cells"]:
                source = []
                for line in c["source"]:
                    match = REFERENCE.match(line)
                    if match:
                        if first:
                            source.append(f'#i "nuget: {feed}"\n')
                            first = False
                        line = f'#r "nuget: {match.group(1)}, {version}"{match.group(2)}'
                    source.append(line)
                c["source"] = source
            with tempfile.TemporaryDirectory(prefix="mlnetmlp-notebook-") as directory:
                path, output = pathlib.Path(directory) / name, pathlib.Path(directory) / ("executed-" + name)
                path.write_text(json.dumps(copy), encoding="utf-8")
                start = time.monotonic()
                code, log = run(["dotnet", "repl", "--run", str(path), "--exit-after-run", "--output-path", str(output)], 900)
                seconds = time.monotonic() - start
                if not output.exists():
                    sys.exit(f"{name}: dotnet repl wrote no notebook (exit code {code}): {log}")
                executed = json.loads(output.read_text(encoding="utf-8"))["cells"]
                errors = [f"cell {i + 1}: {o.get('ename', '')} {o.get('evalue', '')}".strip()
                          for i, c in enumerate(executed) for o in c.get("outputs", []) if o.get("output_type") == "error"]
                if errors or code != 0:
                    kept = ROOT / "artifacts" / "notebooks" / ("failed-" + name)
                    kept.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(output, kept)
                    sys.exit(f"{name}: failed (exit code {code}); notebooks/{name} left as it was, the run is in {kept.relative_to(ROOT)}:\n"
                             + "\n".join(errors or [log]))
            if len(executed) != len(nb["cells"]):
                sys.exit(f"{name}: the executed notebook has {len(executed)} cells, not {len(nb['cells'])}")
            for c, e in zip(nb["cells"], executed):
                if c["cell_type"] == "code":
                    c["outputs"] = sanitize([o for o in e.get("outputs", []) if not is_progress(o)], replacements)
                    c["execution_count"] = e.get("execution_count")
            write(name, nb)
            print(f"{name}: ran in {seconds:.0f} s, outputs written")
    finally:
        shutil.rmtree(feed, ignore_errors=True)
        for package in PACKAGES:
            shutil.rmtree(nuget / package.lower() / version, ignore_errors=True)
            if (nuget / package.lower()).is_dir() and not any((nuget / package.lower()).iterdir()):
                (nuget / package.lower()).rmdir()

if __name__ == "__main__":
    arguments = sys.argv[1:]
    for name, nb in NOTEBOOKS.items():
        write(name, with_kept_outputs(name, nb))
    if arguments[:1] == ["--run"]:
        selected = arguments[1:] or list(NOTEBOOKS)
        unknown = [n for n in selected if n not in NOTEBOOKS]
        if unknown:
            sys.exit(f"unknown notebook(s): {', '.join(unknown)}; known: {', '.join(NOTEBOOKS)}")
        execute(selected)
    elif arguments:
        sys.exit("usage: make_notebooks.py [--run [NAME.ipynb ...]]")
