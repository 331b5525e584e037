using System.CommandLine.Parsing;
using System.Globalization;

namespace MlNetMlp.Cli;

/// <summary>
/// Rules for the CLI's own numeric options, checked while the command line is parsed: a bad value fails before any
/// data is loaded, in one line that names the option and repeats what was typed ("--train-rows -5: must be at least 1").
/// Values that go straight into trainer options are checked by the trainers' own validation instead, and
/// <see cref="TrainerOptionNames"/> words those errors with the CLI's option names.
/// </summary>
internal static class OptionValues
{
    /// <summary>
    /// Makes every floating-point option of <paramref name="command"/> and its subcommands refuse NaN and infinities,
    /// which no option of this CLI means anything with (a learning rate, a fraction, a budget in minutes).
    /// </summary>
    public static T RequireFiniteNumbers<T>(T command) where T : Command
    {
        foreach (var option in command.Options)
        {
            switch (option)
            {
                case Option<float> f: f.Validators.Add(r => Check<float>(r, v => float.IsFinite(v), "must be a finite number")); break;
                case Option<float?> f: f.Validators.Add(r => Check<float?>(r, v => v is not float x || float.IsFinite(x), "must be a finite number")); break;
                case Option<double> d: d.Validators.Add(r => Check<double>(r, v => double.IsFinite(v), "must be a finite number")); break;
                case Option<double?> d: d.Validators.Add(r => Check<double?>(r, v => v is not double x || double.IsFinite(x), "must be a finite number")); break;
            }
        }
        foreach (var subcommand in command.Subcommands) RequireFiniteNumbers(subcommand);
        return command;
    }

    /// <summary>Refuses values below <paramref name="minimum"/>.</summary>
    public static Option<int> AtLeast(this Option<int> option, int minimum)
    {
        option.Validators.Add(r => Check<int>(r, v => v >= minimum, $"must be at least {minimum.ToString(CultureInfo.InvariantCulture)}"));
        return option;
    }

    /// <summary>Refuses values below <paramref name="minimum"/> (not giving the option is fine).</summary>
    public static Option<int?> AtLeast(this Option<int?> option, int minimum)
    {
        option.Validators.Add(r => Check<int?>(r, v => v is not int x || x >= minimum, $"must be at least {minimum.ToString(CultureInfo.InvariantCulture)}"));
        return option;
    }

    /// <summary>Refuses values below <paramref name="minimum"/>.</summary>
    public static Option<long> AtLeast(this Option<long> option, long minimum)
    {
        option.Validators.Add(r => Check<long>(r, v => v >= minimum, $"must be at least {minimum.ToString(CultureInfo.InvariantCulture)}"));
        return option;
    }

    /// <summary>A duration in minutes: finite, positive, and within what <see cref="TimeSpan"/> can hold.</summary>
    public static Option<double?> Minutes(this Option<double?> option)
    {
        double most = Math.Floor(TimeSpan.MaxValue.TotalMinutes);
        option.Validators.Add(r => Check<double?>(r, v => v is not double x || !double.IsFinite(x) || (x > 0 && x <= most),
            $"must be a positive number of minutes, at most {most.ToString("N0", CultureInfo.InvariantCulture)}"));
        return option;
    }

    /// <summary>Adds an error naming the option and the text typed unless <paramref name="ok"/> holds for its value.</summary>
    private static void Check<T>(OptionResult result, Func<T, bool> ok, string rule)
    {
        T value;
        try
        {
            value = result.GetValueOrDefault<T>();
        }
        catch (InvalidOperationException)
        {
            return; // not a number at all: the parser reports that itself
        }
        if (ok(value)) return;
        string typed = string.Join(' ', result.Tokens.Select(t => t.Value));
        result.AddError($"{result.Option.Name} {(typed.Length > 0 ? typed : "(default)")}: {rule}.");
    }
}
