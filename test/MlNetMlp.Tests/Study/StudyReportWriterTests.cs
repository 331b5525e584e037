using MlNetMlp.Data;
using MlNetMlp.Study;

namespace MlNetMlp.Tests.Study;

[TestClass]
public sealed class StudyReportWriterTests
{
    private static StudyReport Report() => new()
    {
        Mode = "quick",
        Started = new DateTimeOffset(2026, 1, 2, 3, 4, 0, TimeSpan.Zero),
        TotalSeconds = 90,
        TrainRows = 6_000,
        TestRows = 4,
        CurveRows = 500,
        Method = ["method line one"],
        ClassNames = StudyTestData.ClassNames,
        TestLabels = [0, 1, 2, 1],
        Results =
        [
            // Within 1 point of the report's 0.8266: no explanation.
            StudyTestData.Result("softmax", "0 hidden layers (softmax regression)", 0.8300, predictions: [0, 1, 2, 2]),
            // 5 points below the report's 0.8508, on a tenth of the rows and 5 epochs: must be explained.
            StudyTestData.Result("relu-2x128", "2×128 ReLU", 0.8008, epochs: 5, trainRows: 6_000, predictions: [0, 1, 1, 1]),
            StudyTestData.Result("cnn", "CNN (MlNetMlp.CnnTrainer)", null, ExperimentStatus.Skipped),
            StudyTestData.Result("lbfgs", "ML.NET LbfgsMaximumEntropy", 0.8400),
        ],
    };

    [TestMethod]
    public void MarkdownHasTheTableWithPublishedNumbersBesideOurs()
    {
        var md = StudyReportWriter.Markdown(Report(), []);
        StringAssert.Contains(md, "| " + string.Join(" | ", StudyReportWriter.TableHeader) + " |");
        var softmax = md.Split('\n').Single(l => l.StartsWith("| 0 hidden layers", StringComparison.Ordinal));
        StringAssert.Contains(softmax, "| 0.8300 |");
        StringAssert.Contains(softmax, "| 0.8266 |");
        StringAssert.Contains(softmax, "| +0.34 |");          // Δ in points
        var relu = md.Split('\n').Single(l => l.StartsWith("| 2×128 ReLU |", StringComparison.Ordinal));
        StringAssert.Contains(relu, "| 0.8508 |");
        StringAssert.Contains(relu, "−5.00");
        var lbfgs = md.Split('\n').Single(l => l.StartsWith("| ML.NET LbfgsMaximumEntropy", StringComparison.Ordinal));
        StringAssert.Contains(lbfgs, "| — |");              // no published number for a baseline
        StringAssert.Contains(md, "not run");
    }

    [TestMethod]
    public void RowsMoreThanOnePointAwayAreExplainedFromTheRunsFacts()
    {
        var report = Report();
        var md = StudyReportWriter.Markdown(report, []);
        var why = md[md.IndexOf("## Why we differ", StringComparison.Ordinal)..];
        why = why[..why.IndexOf("## Method", StringComparison.Ordinal)];
        StringAssert.Contains(why, "### 2×128 ReLU: ours 0.8008, report 0.8508");
        StringAssert.Contains(why, "Trained on 6,000 of the 60,000 training rows");
        StringAssert.Contains(why, "5 epochs (the report: 75)");
        StringAssert.Contains(why, "### CNN (MlNetMlp.CnnTrainer)");
        Assert.IsFalse(why.Contains("### 0 hidden layers", StringComparison.Ordinal), "a row within 1 point needs no explanation");
        Assert.IsTrue(StudyReportWriter.NeedsExplanation(report.Results[1]));
        Assert.IsFalse(StudyReportWriter.NeedsExplanation(report.Results[0]));
        Assert.IsFalse(StudyReportWriter.NeedsExplanation(report.Results[3]), "no published number, nothing to explain");
    }

    [TestMethod]
    public void WriteProducesMarkdownHtmlJsonAndFiguresAtomically()
    {
        var dir = Directory.CreateTempSubdirectory("mlnetmlp-report-").FullName;
        try
        {
            var png = MlNetMlp.Tests.Data.TestImages.EncodeGray8(new byte[16], 4, 4);
            var written = StudyReportWriter.Write(dir, Report(), [new ReportFigure("one.png", "A figure", "Its caption.", png)]);
            foreach (var name in new[] { "report.md", "report.html", "results.json", Path.Combine("figures", "one.png") })
                CollectionAssert.Contains(written.ToList(), Path.Combine(dir, name));
            CollectionAssert.AreEqual(png, File.ReadAllBytes(Path.Combine(dir, "figures", "one.png")));
            StringAssert.Contains(File.ReadAllText(Path.Combine(dir, "report.md")), "![A figure](figures/one.png)");
            var html = File.ReadAllText(Path.Combine(dir, "report.html"));
            StringAssert.Contains(html, "data:image/png;base64," + Convert.ToBase64String(png));
            StringAssert.Contains(html, "<td class=\"n\">0.8266</td>");
            StringAssert.Contains(html, System.Net.WebUtility.HtmlEncode("2×128 ReLU: ours 0.8008, report 0.8508"));
            Assert.IsFalse(html.Contains("src=\"figures/", StringComparison.Ordinal), "the HTML must not depend on files beside it");
            using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "results.json")));
            Assert.AreEqual(4, json.RootElement.GetProperty("results").GetArrayLength());
            Assert.IsEmpty(Directory.GetFiles(dir, "*.tmp", SearchOption.AllDirectories), "no temporary files left behind");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
