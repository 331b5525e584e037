#!/usr/bin/env python3
"""Writes notebooks/*.ipynb from the cell sources below (keeps the notebooks reviewable as code; rerun after edits)."""
import json, pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent

def cell(kind, text):
    lines = text.strip("\n").split("\n")
    source = [l + "\n" for l in lines[:-1]] + [lines[-1]]
    if kind == "md":
        return {"cell_type": "markdown", "metadata": {}, "source": source}
    return {"cell_type": "code", "execution_count": None,
            "metadata": {"dotnet_interactive": {"language": "csharp"}, "polyglot_notebook": {"kernelName": "csharp"}},
            "outputs": [], "source": source}

def notebook(name, cells):
    nb = {"cells": [cell(k, t) for k, t in cells],
          "metadata": {"kernelspec": {"display_name": ".NET (C#)", "language": "C#", "name": ".net-csharp"},
                       "language_info": {"name": "csharp"},
                       "polyglot_notebook": {"kernelInfo": {"defaultKernelName": "csharp", "items": [{"aliases": [], "name": "csharp"}]}}},
          "nbformat": 4, "nbformat_minor": 5}
    (ROOT / "notebooks" / name).write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")

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
Console.WriteLine(string.Join("\\n", written));
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
