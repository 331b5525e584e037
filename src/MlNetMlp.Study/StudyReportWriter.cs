using System.Globalization;
using System.Net;
using System.Text;
using MlNetMlp.Numerics;

namespace MlNetMlp.Study;

/// <summary>A PNG figure of the report.</summary>
/// <param name="FileName">File name under the report's figures/ directory, e.g. "curves-relu-2x128.png".</param>
/// <param name="Title">Heading shown above it.</param>
/// <param name="Caption">What it shows and how it was measured.</param>
/// <param name="Png">The encoded image.</param>
public sealed record ReportFigure(string FileName, string Title, string Caption, byte[] Png);

/// <summary>
/// Writes the study's report: one table (ours beside the report's published numbers), a "why we differ" note for
/// every row more than <see cref="DifferenceThreshold"/> away from its published number (built only from what was
/// measured and configured), the method, and the figures. Markdown with PNG files beside it, and a self-contained
/// HTML page with the same content and the images embedded.
/// </summary>
public static class StudyReportWriter
{
    /// <summary>Rows whose test accuracy differs from the published one by more than this (1 point) get a "why" note.</summary>
    public const double DifferenceThreshold = 0.01;

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>The report's text files, written into the report directory (a caller can check them before the long run).</summary>
    public static IReadOnlyList<string> TextFiles { get; } = ["results.json", "report.md", "report.html"];

    /// <summary>The report directory's subdirectory of PNG figures.</summary>
    public const string FiguresDirectory = "figures";

    /// <summary>
    /// Writes report.md, report.html, results.json and figures/*.png into <paramref name="directory"/>, each atomically.
    /// Every path is checked first (<see cref="RegularFile"/>), so one that cannot be written leaves none of them changed.
    /// </summary>
    /// <returns>The paths written.</returns>
    public static IReadOnlyList<string> Write(string directory, StudyReport report, IReadOnlyList<ReportFigure> figures)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(figures);
        var files = new List<(string Path, Action<string> Write)>();
        foreach (var figure in figures)
            files.Add((Path.Combine(directory, FiguresDirectory, figure.FileName), path => AtomicFile.Write(path, stream => stream.Write(figure.Png))));
        files.Add((Path.Combine(directory, TextFiles[0]), path => AtomicFile.WriteAllText(path, report.ToJson())));
        files.Add((Path.Combine(directory, TextFiles[1]), path => AtomicFile.WriteAllText(path, Markdown(report, figures))));
        files.Add((Path.Combine(directory, TextFiles[2]), path => AtomicFile.WriteAllText(path, Html(report, figures))));
        foreach (var (path, _) in files) RegularFile.ResolveForWriting(path);
        foreach (var (path, write) in files) write(path);
        return files.Select(file => file.Path).ToList();
    }

    /// <summary>Whether <paramref name="result"/> needs a "why we differ" note: it has a published number and ours is missing or more than 1 point away.</summary>
    public static bool NeedsExplanation(ExperimentResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.Published is null) return false;
        return result.Difference is not double d || Math.Abs(d) > DifferenceThreshold;
    }

    /// <summary>
    /// Reasons our number differs from the report's, derived from this run: our protocol against the report's
    /// method (optimizer, epochs, batch, pixels, data size), the learning curve (peak vs end, still rising,
    /// generalization gap), and related rows (what L2 changed for us vs for the report).
    /// </summary>
    public static IReadOnlyList<string> WhyWeDiffer(ExperimentResult result, StudyReport report)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(report);
        var reasons = new List<string>();
        var p = result.Protocol;
        switch (result.Status)
        {
            case ExperimentStatus.Skipped:
                reasons.Add(result.Message is null ? "Not run." : $"Not run: {result.Message}");
                return reasons;
            case ExperimentStatus.Failed:
                reasons.Add(result.Message is null ? "Failed." : $"Failed: {result.Message}");
                return reasons;
            case ExperimentStatus.Diverged:
                reasons.Add($"Training diverged, so there is no model to test: {result.Message}" +
                    (result.Id == "unnormalized" ? " The report's run did not diverge but collapsed to chance level (~0.10); both are the failure the experiment demonstrates." : ""));
                break;
        }
        if (p.TrainRows < PublishedResults.TrainRows)
            reasons.Add(F($"Trained on {p.TrainRows:N0} of the 60,000 training rows ({report.Mode} run)."));
        if (p.TestRows < PublishedResults.TestRows)
            reasons.Add(F($"Tested on {p.TestRows:N0} of the 10,000 test rows."));

        bool mlp = p.Trainer == "MlpTrainer";
        if (mlp)
        {
            var differences = new List<string>();
            if (!string.Equals(p.Optimizer, "Sgd", StringComparison.OrdinalIgnoreCase)) differences.Add($"optimizer {p.Optimizer} (the report: mini-batch SGD)");
            if (p.EpochsRun is int run && run != PublishedResults.Epochs) differences.Add(F($"{run} epochs (the report: {PublishedResults.Epochs})"));
            if (p.BatchSize is int batch && batch != PublishedResults.BatchSize) differences.Add(F($"batch {batch} (the report: {PublishedResults.BatchSize})"));
            if (p.Pixels != "x/255" && result.Id != "unnormalized") differences.Add($"pixels {p.Pixels} (the report: scaled)");
            if (p.Dropout is > 0) differences.Add(F($"dropout {p.Dropout:G3}, which is not part of the report's method"));
            if (p.Schedule is string s && s != "Constant") differences.Add($"a {s.ToLowerInvariant()} learning-rate schedule, which is not part of the report's method");
            if (differences.Count > 0)
                reasons.Add("Protocol: " + string.Join("; ", differences) + ".");
            else
                reasons.Add(F($"Same optimizer (SGD), batch size ({PublishedResults.BatchSize}), epochs ({PublishedResults.Epochs}) and pixel scaling as the report. What the report does not state may differ: our learning rate {p.LearningRate:G3}, He/Glorot initialization, shuffling and seed."));
        }
        else if (p.Trainer == "CnnTrainer")
        {
            reasons.Add(F($"Our CNN: {p.Architecture}, Adam, {p.EpochsRun ?? p.Epochs} epochs (the study's time budget). The report's CNN is compared by its published accuracy only; its architecture and training length are not part of this comparison."));
        }

        Curve(result, reasons);
        Siblings(result, report, reasons);
        return reasons;
    }

    private static void Curve(ExperimentResult result, List<string> reasons)
    {
        var h = result.History;
        if (h.Count == 0) return;
        var validation = h.Where(e => e.ValidationAccuracy.HasValue).ToList();
        if (validation.Count >= 4)
        {
            var peak = validation.MaxBy(e => e.ValidationAccuracy!.Value)!;
            var last = validation[^1];
            if (peak.Epoch <= last.Epoch - Math.Max(2, validation.Count / 5) && peak.ValidationAccuracy!.Value - last.ValidationAccuracy!.Value >= DifferenceThreshold)
                reasons.Add(F($"Learning curve: on the {PublishedResults.CurveSubsetSize} curve test rows, accuracy peaked at epoch {peak.Epoch} ({peak.ValidationAccuracy:F3}) and ended at {last.ValidationAccuracy:F3}; the network overfits after epoch {peak.Epoch}."));
            int window = Math.Min(5, validation.Count / 2);
            double recent = validation.TakeLast(window).Average(e => e.ValidationAccuracy!.Value);
            double before = validation.SkipLast(window).TakeLast(window).Average(e => e.ValidationAccuracy!.Value);
            double lossRecent = h.TakeLast(window).Average(e => e.TrainLoss), lossBefore = h.SkipLast(window).TakeLast(window).Average(e => e.TrainLoss);
            if (recent - before >= 0.005)
                reasons.Add(F($"Learning curve: still rising at the end (curve accuracy +{100 * (recent - before):F1} points over the last {window} epochs); more epochs would likely raise it."));
            else if (lossBefore - lossRecent > 0.02 * lossBefore && recent - before > -0.005)
                reasons.Add(F($"Learning curve: the training loss was still falling at the end ({lossBefore:F3} → {lossRecent:F3} over the last {window} epochs) while curve accuracy had flattened."));
        }
        var final = h[^1];
        if (result.MicroAccuracy is double test && final.TrainAccuracy - test > 0.04)
            reasons.Add(F($"Generalization gap: {final.TrainAccuracy:F3} accuracy on the {PublishedResults.CurveSubsetSize}-row training subset after the last epoch vs {test:F3} on the test rows."));
    }

    private static void Siblings(ExperimentResult result, StudyReport report, List<string> reasons)
    {
        ExperimentResult? Row(string id) => report.Results.FirstOrDefault(r => r.Id == id && r.MicroAccuracy.HasValue);
        void Compare(string baseId, string what)
        {
            var baseline = Row(baseId);
            if (baseline?.MicroAccuracy is not double b || result.MicroAccuracy is not double ours || baseline.Published is null || result.Published is null) return;
            double oursGain = ours - b, theirsGain = result.Published.Accuracy - baseline.Published.Accuracy;
            reasons.Add(F($"{what} changed our accuracy by {Points(oursGain)} points relative to {baseline.Title} ({b:F4}); in the report it changed it by {Points(theirsGain)} points ({baseline.Published.Accuracy:F4} → {result.Published.Accuracy:F4})."));
            if (baseline.Difference is double baseDiff && Math.Abs(baseDiff) > DifferenceThreshold)
                reasons.Add(F($"Our {baseline.Title} is already {Points(baseDiff)} points from the report's, so this row starts from a different level."));
        }
        switch (result.Id)
        {
            case "l2-relu-2x128": Compare("relu-2x128", "L2"); break;
            case "final-tuned": Compare("leaky-2x128", "Adding L2"); break;
        }
    }

    private static string Points(double difference) => (100 * difference).ToString("+0.00;−0.00;0.00", Invariant);

    private static string F(FormattableString text) => text.ToString(Invariant);

    private static string Accuracy(ExperimentResult r) => r.Status switch
    {
        ExperimentStatus.Diverged => r.Protocol.EpochsRun is int e ? F($"diverged (epoch {Math.Max(1, e + 1)})") : "diverged",
        ExperimentStatus.Skipped => "not run",
        ExperimentStatus.Failed => "failed",
        ExperimentStatus.Collapsed => F($"{r.MicroAccuracy:F4} (collapsed)"),
        _ => r.MicroAccuracy is double a ? a.ToString("F4", Invariant) : "—",
    };

    private static string Number(double? value) => value is double v ? v.ToString("F4", Invariant) : "—";

    private static string Seconds(ExperimentResult r)
    {
        if (r.Status is ExperimentStatus.Skipped or ExperimentStatus.Failed) return "—";
        string time = Duration(r.TrainSeconds);
        return r.SelectionSeconds is double s ? $"{time} (+{Duration(s)} λ selection)" : time;
    }

    private static string Duration(double seconds) =>
        seconds >= 90 ? F($"{seconds / 60:F1} min") : F($"{seconds:F1} s");

    private static string Delta(ExperimentResult r) => r.Difference is double d ? Points(d) : "—";

    /// <summary>Rows of the table as cells: experiment, configuration, micro, macro, log-loss, time, report, Δ.</summary>
    public static IReadOnlyList<string[]> TableRows(StudyReport report) =>
        report.Results.Select(r => new[]
        {
            r.Title, r.Configuration, Accuracy(r), Number(r.MacroAccuracy), Number(r.LogLoss), Seconds(r), r.Published?.Text ?? "—", Delta(r),
        }).ToList();

    /// <summary>The table's column headers.</summary>
    public static IReadOnlyList<string> TableHeader { get; } =
        ["experiment", "configuration", "test micro-acc", "test macro-acc", "test log-loss", "training time", "report (published)", "Δ (points)"];

    private static IEnumerable<string> Summary(StudyReport report)
    {
        var reproductions = report.Results.Where(r => r.Kind == "reproduction" && r.Difference.HasValue && r.Id != "unnormalized").ToList();
        if (reproductions.Count > 0)
        {
            var diffs = reproductions.Select(r => r.Difference!.Value).ToList();
            double median = Statistics.Median(diffs);
            int above = diffs.Count(d => d > DifferenceThreshold), below = diffs.Count(d => d < -DifferenceThreshold);
            yield return F($"Across the {diffs.Count} reproductions with a published number (unnormalized input aside), ours are a median {Points(median)} points from the report's; {above} more than 1 point above, {below} more than 1 point below, {diffs.Count - above - below} within 1 point.");
        }
        var ranked = report.Results.Where(r => r.MicroAccuracy.HasValue && r.Status == ExperimentStatus.Completed).OrderByDescending(r => r.MicroAccuracy).ToList();
        if (ranked.Count > 0)
            yield return F($"Best test micro-accuracy in this run: {ranked[0].Title}, {ranked[0].MicroAccuracy:F4}.");
        var bestMlp = report.Results.Where(r => r.Protocol.Trainer == "MlpTrainer" && r.MicroAccuracy.HasValue).OrderByDescending(r => r.MicroAccuracy).FirstOrDefault();
        if (bestMlp != null)
        {
            var beaten = PublishedResults.Context.Where(c => bestMlp.MicroAccuracy > c.Accuracy).Select(c => F($"{c.What} ({c.Accuracy:F4})")).ToList();
            yield return F($"Best MLP: {bestMlp.Title}, {bestMlp.MicroAccuracy:F4}") +
                (beaten.Count > 0 ? $", above: {string.Join("; ", beaten)}." : ".");
        }
    }

    /// <summary>The report as Markdown; figures are referenced as figures/&lt;file&gt;.</summary>
    public static string Markdown(StudyReport report, IReadOnlyList<ReportFigure> figures)
    {
        var md = new StringBuilder();
        md.AppendLine("# Fashion-MNIST MLP study, reproduced and extended with MlNetMlp");
        md.AppendLine();
        md.AppendLine(F($"Run: {report.Started:yyyy-MM-dd HH:mm} UTC, {report.Mode} mode, {report.TotalSeconds / 60:F1} min on {report.ProcessorCount} cores."));
        md.AppendLine();
        md.AppendLine("## Results");
        md.AppendLine();
        md.AppendLine("| " + string.Join(" | ", TableHeader) + " |");
        md.AppendLine("|" + string.Concat(TableHeader.Select((_, i) => i < 2 ? " --- |" : " ---: |")));
        foreach (var row in TableRows(report))
            md.AppendLine("| " + string.Join(" | ", row.Select(EscapeMarkdown)) + " |");
        md.AppendLine();
        md.AppendLine("Δ = ours − published, in accuracy points. Context from the report (not rerun here): " +
            string.Join("; ", PublishedResults.Context.Select(c => F($"{c.What} {c.Accuracy:F4}"))) + ".");
        md.AppendLine();
        foreach (var line in Summary(report)) md.AppendLine($"- {line}");
        md.AppendLine();

        md.AppendLine("## Why we differ");
        md.AppendLine();
        md.AppendLine(F($"Every row more than {100 * DifferenceThreshold:F0} point from its published number (or without a number of ours). Each reason is a measured or configured fact of this run."));
        md.AppendLine();
        bool any = false;
        foreach (var r in report.Results.Where(NeedsExplanation))
        {
            any = true;
            md.AppendLine($"### {r.Title}: ours {Accuracy(r)}, report {r.Published!.Text}" + (r.Difference is double d ? $" (Δ {Points(d)})" : ""));
            md.AppendLine();
            foreach (var reason in WhyWeDiffer(r, report)) md.AppendLine($"- {reason}");
            md.AppendLine();
        }
        if (!any) md.AppendLine("No row differs by more than 1 point.").AppendLine();

        var withNotes = report.Results.Where(r => r.Notes.Count > 0 || (r.Message != null && !NeedsExplanation(r))).ToList();
        if (withNotes.Count > 0)
        {
            md.AppendLine("## Details");
            md.AppendLine();
            foreach (var r in withNotes)
            {
                md.AppendLine($"- **{r.Title}**: " + string.Join("; ", r.Notes.Concat(r.Message is null ? [] : [r.Message])));
            }
            md.AppendLine();
        }

        md.AppendLine("## Method");
        md.AppendLine();
        foreach (var line in report.Method) md.AppendLine($"- {line}");
        md.AppendLine();

        if (figures.Count > 0)
        {
            md.AppendLine("## Figures");
            md.AppendLine();
            foreach (var f in figures)
            {
                md.AppendLine($"### {f.Title}");
                md.AppendLine();
                md.AppendLine($"![{f.Title}](figures/{f.FileName})");
                md.AppendLine();
                md.AppendLine(f.Caption);
                md.AppendLine();
            }
        }
        return md.ToString();
    }

    /// <summary>The report as one self-contained HTML page (figures embedded as base64 PNG).</summary>
    public static string Html(StudyReport report, IReadOnlyList<ReportFigure> figures)
    {
        static string E(string text) => WebUtility.HtmlEncode(text);
        var html = new StringBuilder();
        html.AppendLine("<!DOCTYPE html>");
        html.AppendLine("<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Fashion-MNIST MLP study (MlNetMlp)</title>");
        html.AppendLine("<style>body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:1200px;margin:2em auto;padding:0 1em;color:#222}" +
            "table{border-collapse:collapse;font-size:0.9em}th,td{border:1px solid #ccc;padding:4px 8px;vertical-align:top}th{background:#f3f3f3}" +
            "td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}tr.skip td{color:#888}.pos{color:#1a7f37}.neg{color:#b42318}" +
            "figure{margin:1.5em 0}figure img{max-width:100%;border:1px solid #eee}figcaption{font-size:0.9em;color:#555}</style></head><body>");
        html.AppendLine("<h1>Fashion-MNIST MLP study, reproduced and extended with MlNetMlp</h1>");
        html.AppendLine($"<p>{E(F($"Run: {report.Started:yyyy-MM-dd HH:mm} UTC, {report.Mode} mode, {report.TotalSeconds / 60:F1} min on {report.ProcessorCount} cores."))}</p>");
        html.AppendLine("<h2>Results</h2><table><thead><tr>" + string.Concat(TableHeader.Select(h => $"<th>{E(h)}</th>")) + "</tr></thead><tbody>");
        var rows = TableRows(report);
        for (int i = 0; i < rows.Count; i++)
        {
            var r = report.Results[i];
            string css = r.Status is ExperimentStatus.Skipped or ExperimentStatus.Failed ? " class=\"skip\"" : "";
            html.Append($"<tr{css}>");
            for (int c = 0; c < rows[i].Length; c++)
            {
                string cls = c >= 2 ? (c == 7 && r.Difference is double d ? (d > DifferenceThreshold ? "n pos" : d < -DifferenceThreshold ? "n neg" : "n") : "n") : "";
                html.Append(cls.Length > 0 ? $"<td class=\"{cls}\">{E(rows[i][c])}</td>" : $"<td>{E(rows[i][c])}</td>");
            }
            html.AppendLine("</tr>");
        }
        html.AppendLine("</tbody></table>");
        html.AppendLine("<p>" + E("Δ = ours − published, in accuracy points. Context from the report (not rerun here): " +
            string.Join("; ", PublishedResults.Context.Select(c => F($"{c.What} {c.Accuracy:F4}"))) + ".") + "</p>");
        html.AppendLine("<ul>" + string.Concat(Summary(report).Select(l => $"<li>{E(l)}</li>")) + "</ul>");

        html.AppendLine("<h2>Why we differ</h2>");
        html.AppendLine($"<p>{E(F($"Every row more than {100 * DifferenceThreshold:F0} point from its published number (or without a number of ours). Each reason is a measured or configured fact of this run."))}</p>");
        bool any = false;
        foreach (var r in report.Results.Where(NeedsExplanation))
        {
            any = true;
            html.AppendLine($"<h3>{E($"{r.Title}: ours {Accuracy(r)}, report {r.Published!.Text}" + (r.Difference is double d ? $" (Δ {Points(d)})" : ""))}</h3>");
            html.AppendLine("<ul>" + string.Concat(WhyWeDiffer(r, report).Select(x => $"<li>{E(x)}</li>")) + "</ul>");
        }
        if (!any) html.AppendLine("<p>No row differs by more than 1 point.</p>");

        var withNotes = report.Results.Where(r => r.Notes.Count > 0 || (r.Message != null && !NeedsExplanation(r))).ToList();
        if (withNotes.Count > 0)
        {
            html.AppendLine("<h2>Details</h2><ul>");
            foreach (var r in withNotes)
                html.AppendLine($"<li><strong>{E(r.Title)}</strong>: {E(string.Join("; ", r.Notes.Concat(r.Message is null ? [] : [r.Message])))}</li>");
            html.AppendLine("</ul>");
        }
        html.AppendLine("<h2>Method</h2><ul>" + string.Concat(report.Method.Select(l => $"<li>{E(l)}</li>")) + "</ul>");
        if (figures.Count > 0)
        {
            html.AppendLine("<h2>Figures</h2>");
            foreach (var f in figures)
                html.AppendLine($"<figure><h3>{E(f.Title)}</h3><img alt=\"{E(f.Title)}\" src=\"data:image/png;base64,{Convert.ToBase64String(f.Png)}\"><figcaption>{E(f.Caption)}</figcaption></figure>");
        }
        html.AppendLine("</body></html>");
        return html.ToString();
    }

    private static string EscapeMarkdown(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);
}
