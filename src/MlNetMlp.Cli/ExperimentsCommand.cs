using System.Globalization;
using Microsoft.ML.Trainers.LightGbm;
using MlNetMlp.Plots;
using MlNetMlp.Study;
using Spectre.Console;

namespace MlNetMlp.Cli;

/// <summary><c>mlnetmlp experiments</c>: run the study's plan and write report.md, report.html, results.json and figures/.</summary>
internal static class ExperimentsCommand
{
    public static Command Create()
    {
        var quick = new Option<bool>("--quick") { Description = "Smoke run: 6,000 training / 2,000 test rows, a few epochs (about 2 minutes on 2 cores)." };
        var output = new Option<string>("--out", "-o") { Description = "Directory for report.md, report.html, results.json and figures/.", DefaultValueFactory = _ => "study" };
        var data = SharedOptions.Data();
        var threads = new Option<int?>("--threads") { Description = "Kernel threads per training run (default: all cores)." };
        var skip = new Option<string[]>("--skip") { Description = "Experiment ids not to run (e.g. cnn lightgbm).", AllowMultipleArgumentsPerToken = true };
        var seed = new Option<int>("--seed") { Description = "Random seed.", DefaultValueFactory = _ => 1 };
        // Smaller than --quick, for tests and trying the pipeline; they override the mode's sizes.
        var trainRows = new Option<int?>("--train-rows") { Description = "Use only the first N training rows.", Hidden = true };
        var testRows = new Option<int?>("--test-rows") { Description = "Use only the first N test rows.", Hidden = true };
        var epochs = new Option<int?>("--epochs") { Description = "Epochs of every MLP and CNN run.", Hidden = true };
        var json = SharedOptions.Json();
        var command = new Command("experiments", "Reproduce and extend the Fashion-MNIST MLP study: every experiment of the plan, then a Markdown + HTML report with figures.")
        {
            quick, output, data, threads, skip, seed, trainRows, testRows, epochs, json,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            var settings = parse.GetValue(quick) ? StudySettings.Quick() : StudySettings.Full();
            var known = StudyPlan.Create(settings, LightGbm()).Select(e => e.Id).ToHashSet();
            var skipped = parse.GetValue(skip) ?? [];
            foreach (var id in skipped)
                if (!known.Contains(id))
                    throw new ArgumentOutOfRangeException("--skip", id, $"--skip: no experiment '{id}'; the ids are {string.Join(", ", known)}.");
            int? threadCount = parse.GetValue(threads);
            if (threadCount is < 1) throw new ArgumentOutOfRangeException("--threads", threadCount, "--threads must be at least 1.");
            settings = settings with { Threads = threadCount, Seed = parse.GetValue(seed), Skip = skipped.ToHashSet() };
            if (parse.GetValue(trainRows) is int tr) settings = settings with { TrainRows = Positive(tr, "--train-rows") };
            if (parse.GetValue(testRows) is int te) settings = settings with { TestRows = Positive(te, "--test-rows") };
            if (parse.GetValue(epochs) is int ep)
                settings = settings with { ReproductionEpochs = Positive(ep, "--epochs"), BestMlpEpochs = ep, CnnEpochs = ep };
            return Task.FromResult(Run(settings, parse.GetValue(data), parse.GetValue(output)!, parse.GetValue(json), cancellationToken));
        });
        return command;
    }

    private static int Positive(int value, string option) =>
        value >= 1 ? value : throw new ArgumentOutOfRangeException(option, value, $"{option} must be at least 1.");

    /// <summary>LightGbm is the CLI's addition to the plan (the library does not depend on Microsoft.ML.LightGbm).</summary>
    private static StudyExperiment LightGbm() => new("lightgbm", "ML.NET LightGbm", "baseline", c =>
    {
        int iterations = c.Settings.LightBaselines ? 10 : 100;
        return c.RunMlNetTrainer("lightgbm", "ML.NET LightGbm", $"{iterations} boosting iterations, other defaults, pixels x/255", "LightGbm",
            c.MLContext.MulticlassClassification.Trainers.LightGbm(new LightGbmMulticlassTrainer.Options
            {
                NumberOfIterations = iterations,
                // LightGBM's OpenMP threads spin while they wait: on a busy 2-core machine two of them took 67 s
                // where one took 3 s (1,000 rows), so it gets one thread unless --threads says otherwise.
                NumberOfThreads = c.Threads ?? 1,
                Seed = c.Settings.Seed,
            }));
    });

    private static int Run(StudySettings settings, string? dataDirectory, string outputDirectory, bool json, CancellationToken cancellationToken)
    {
        OutputCheck.Directory("--out", outputDirectory, "report");
        foreach (var name in StudyReportWriter.TextFiles) OutputCheck.File("--out", Path.Combine(outputDirectory, name), "report");
        // The figures' names depend on the results; those already there are the ones a rerun rewrites.
        var figuresDirectory = Path.Combine(outputDirectory, StudyReportWriter.FiguresDirectory);
        if (Path.Exists(figuresDirectory))
        {
            OutputCheck.Directory("--out", figuresDirectory, "report");
            foreach (var png in Directory.EnumerateFileSystemEntries(figuresDirectory, "*.png")) OutputCheck.File("--out", png, "report");
        }
        var train = FashionMnist.LoadArrays(FashionMnistSplit.Train, dataDirectory, settings.TrainRows);
        var test = FashionMnist.LoadArrays(FashionMnistSplit.Test, dataDirectory, settings.TestRows);
        var plan = StudyPlan.Create(settings, LightGbm());
        Terminal.Line($"study ({settings.Mode}): {plan.Count} experiments on {train.Count:N0} training and {test.Count:N0} test rows; report in {Path.GetFullPath(outputDirectory)}");
        var report = StudyProgress.Show(progress => StudyRunner.Run(settings, plan, train, test, progress, cancellationToken));
        var figures = StudyFigures.All(report, test);
        var written = StudyReportWriter.Write(outputDirectory, report, figures);
        PrintTable(report);
        Terminal.Line(string.Create(CultureInfo.InvariantCulture, $"{report.Results.Count} experiments in {report.TotalSeconds:F0} s; wrote {written.Count} files: {Path.Combine(outputDirectory, "report.md")}, report.html, results.json, figures/"));
        if (json)
        {
            Terminal.JsonLine(new Dictionary<string, object?>
            {
                ["mode"] = report.Mode,
                ["total_seconds"] = Math.Round(report.TotalSeconds, 3),
                ["report"] = Path.GetFullPath(Path.Combine(outputDirectory, "report.md")),
                ["html"] = Path.GetFullPath(Path.Combine(outputDirectory, "report.html")),
                ["figures"] = figures.Select(f => f.FileName).ToArray(),
                ["experiments"] = report.Results.Select(r => new Dictionary<string, object?>
                {
                    ["id"] = r.Id,
                    ["status"] = r.Status.ToString(),
                    ["micro_accuracy"] = r.MicroAccuracy,
                    ["macro_accuracy"] = r.MacroAccuracy,
                    ["log_loss"] = r.LogLoss,
                    ["train_seconds"] = Math.Round(r.TrainSeconds, 3),
                    ["published"] = r.Published?.Accuracy,
                }).ToArray(),
            });
        }
        return 0;
    }

    private static void PrintTable(StudyReport report)
    {
        // The configuration column is long: it stays in the report, the console shows the numbers.
        var header = StudyReportWriter.TableHeader.Where((_, c) => c != 1).ToList();
        var rows = StudyReportWriter.TableRows(report).Select(row => row.Where((_, c) => c != 1).ToArray()).ToList();
        if (Terminal.IsInteractive)
        {
            var table = new Table().Title("study results (test split)");
            for (int c = 0; c < header.Count; c++) table.AddColumn(c == 0 ? new TableColumn(header[c]) : new TableColumn(header[c]).RightAligned());
            foreach (var row in rows) table.AddRow(row.Select(Markup.Escape).ToArray());
            AnsiConsole.Write(table);
            return;
        }
        Console.WriteLine(string.Join(" | ", header));
        foreach (var row in rows) Console.WriteLine(string.Join(" | ", row));
    }
}
