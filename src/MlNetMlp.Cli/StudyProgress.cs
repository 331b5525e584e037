using System.Globalization;
using MlNetMlp.Study;
using Spectre.Console;

namespace MlNetMlp.Cli;

/// <summary>
/// The study's progress: in a terminal, one bar for the experiments and one for the current run's epochs; otherwise
/// plain lines (one per experiment, run and epoch), so logs and CI output stay readable.
/// </summary>
internal sealed class StudyProgress : IStudyProgress
{
    private ProgressContext? _context;
    private ProgressTask? _experiments;
    private ProgressTask? _run;
    private int? _epochs;

    /// <summary>Runs <paramref name="run"/> with bars in a terminal, plain lines otherwise.</summary>
    public static T Show<T>(Func<IStudyProgress, T> run)
    {
        var progress = new StudyProgress();
        if (!Terminal.IsInteractive) return run(progress);
        T result = default!;
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(context =>
            {
                progress._context = context;
                result = run(progress);
            });
        return result;
    }

    public void ExperimentStarted(int index, int total, StudyExperiment experiment)
    {
        if (_context is null)
        {
            Console.WriteLine($"[{index + 1}/{total}] {experiment.Title}");
            return;
        }
        _experiments ??= _context.AddTask("experiments", maxValue: total);
        _experiments.Description = Markup.Escape($"[{index + 1}/{total}] {experiment.Title}");
    }

    public void RunStarted(string description, int? epochs)
    {
        _epochs = epochs;
        if (_context is null)
        {
            Console.WriteLine($"  {description}");
            return;
        }
        if (_run != null) _run.Value = _run.MaxValue;
        _run = _context.AddTask(Markup.Escape(description), maxValue: epochs ?? 1);
        if (epochs is null) _run.IsIndeterminate = true;
    }

    public void Epoch(EpochRecord record)
    {
        string text = Format(record, _epochs);
        if (_context is null)
        {
            Console.WriteLine($"    {text}");
            return;
        }
        if (_run is null) return;
        _run.Description = Markup.Escape(text);
        _run.Increment(1);
    }

    public void ExperimentFinished(int index, int total, ExperimentResult result)
    {
        string line = result.MicroAccuracy is double a
            ? string.Create(CultureInfo.InvariantCulture, $"{result.Title}: test accuracy {a:F4}, {result.TrainSeconds:F1} s ({result.Status})")
            : $"{result.Title}: {result.Status}{(result.Message is null ? "" : $" ({result.Message})")}";
        if (_context is null)
        {
            Console.WriteLine($"  -> {line}");
            return;
        }
        if (_run != null)
        {
            _run.IsIndeterminate = false;
            _run.Value = _run.MaxValue;
            _run.StopTask();
            _run = null;
        }
        _experiments?.Increment(1);
        AnsiConsole.MarkupLine(Markup.Escape(line));
    }

    private static string Format(EpochRecord e, int? epochs)
    {
        string validation = e.ValidationAccuracy is double v ? FormattableString.Invariant($" test_acc {v:F4}") : "";
        return FormattableString.Invariant($"epoch {e.Epoch}/{epochs?.ToString(CultureInfo.InvariantCulture) ?? "?"} loss {e.TrainLoss:F4} train_acc {e.TrainAccuracy:F4}{validation} {e.Elapsed.TotalSeconds:F1}s");
    }
}
