using System.Globalization;
using MlNetMlp.Study;
using Spectre.Console;

namespace MlNetMlp.Cli;

/// <summary>
/// A sweep's progress from its worker threads: in a terminal, a bar for the trials and one per worker for its
/// current trial's epochs; otherwise one line per trial started and finished (epochs are too many to print).
/// </summary>
internal sealed class SweepProgress : ISweepProgress
{
    private readonly object _gate = new();
    private readonly Dictionary<int, ProgressTask> _slots = [];
    private ProgressContext? _context;
    private ProgressTask? _trials;
    private int _finished;
    private readonly int _pending;

    private SweepProgress(int pending) => _pending = pending;

    /// <summary>Runs <paramref name="run"/> with bars in a terminal, plain lines otherwise.</summary>
    public static T Show<T>(int pending, Func<ISweepProgress, T> run)
    {
        var progress = new SweepProgress(pending);
        if (!Terminal.IsInteractive) return run(progress);
        T result = default!;
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                progress._context = context;
                progress._trials = context.AddTask("trials", maxValue: Math.Max(1, pending));
                result = run(progress);
            });
        return result;
    }

    public void TrialStarted(int slot, int index, int total, MlpTrialConfig config)
    {
        lock (_gate)
        {
            string text = $"[{index + 1}/{total}] {config.Describe()}";
            if (_context is null)
            {
                Console.WriteLine($"worker {slot}: start {text}");
                return;
            }
            if (_slots.Remove(slot, out var old)) old.StopTask();
            _slots[slot] = _context.AddTask(Markup.Escape($"worker {slot}: {text}"), maxValue: 1);
        }
    }

    public void FoldEpoch(int slot, int fold, int folds, EpochRecord record, int epochs)
    {
        lock (_gate)
        {
            if (_context is null || !_slots.TryGetValue(slot, out var task)) return;
            task.Value = (fold + record.Epoch / (double)Math.Max(1, epochs)) / folds;
        }
    }

    public void TrialFinished(int slot, SweepTrialResult result)
    {
        lock (_gate)
        {
            _finished++;
            string outcome = result.MeanAccuracy is double a
                ? string.Create(CultureInfo.InvariantCulture, $"cv accuracy {a:F4} ± {result.StdAccuracy:F4}")
                : $"{result.Status}: {result.Error}";
            string line = string.Create(CultureInfo.InvariantCulture, $"trial {_finished}/{_pending} {result.Hash} {outcome} ({result.Seconds:F1} s) {result.Config.Describe()}");
            if (_context is null)
            {
                Console.WriteLine(line);
                return;
            }
            if (_slots.Remove(slot, out var task))
            {
                task.Value = task.MaxValue;
                task.StopTask();
            }
            _trials?.Increment(1);
            AnsiConsole.MarkupLine(Markup.Escape(line));
        }
    }
}
