using System.Text.RegularExpressions;

namespace MlNetMlp.Cli;

/// <summary>
/// The CLI option behind each library parameter the commands fill from the command line, so that an error the
/// library raises (<see cref="ArgumentException.ParamName"/> "Epochs", "HiddenLayers", "maxRows") reaches the user
/// naming the option they typed ("--epochs 0 must be at least 1.") instead of a name they never saw. One table for
/// every command: <see cref="CliRunner"/> applies it to whatever a command throws.
/// </summary>
internal static class TrainerOptionNames
{
    private static readonly Dictionary<string, string> CliNames = new(StringComparer.Ordinal)
    {
        [nameof(MlpTrainer.Options.HiddenLayers)] = "--hidden",
        [nameof(CnnTrainer.Options.Layers)] = "--layers",
        [nameof(MlpTrainer.Options.Activation)] = "--activation",
        [nameof(MlpTrainer.Options.Epochs)] = "--epochs",
        [nameof(MlpTrainer.Options.BatchSize)] = "--batch-size",
        [nameof(MlpTrainer.Options.LearningRate)] = "--lr",
        [nameof(MlpTrainer.Options.Optimizer)] = "--optimizer",
        [nameof(MlpTrainer.Options.Momentum)] = "--momentum",
        [nameof(MlpTrainer.Options.Nesterov)] = "--nesterov",
        [nameof(MlpTrainer.Options.L2Regularization)] = "--l2",
        [nameof(MlpTrainer.Options.Dropout)] = "--dropout",
        [nameof(MlpTrainer.Options.LearningRateSchedule)] = "--schedule",
        [nameof(MlpTrainer.Options.LeakyReluSlope)] = "--leaky-slope",
        [nameof(MlpTrainer.Options.ValidationFraction)] = "--validation-fraction",
        [nameof(MlpTrainer.Options.EarlyStopping)] = "--early-stopping",
        [nameof(MlpTrainer.Options.EarlyStoppingPatience)] = "--patience",
        [nameof(MlpTrainer.Options.Seed)] = "--seed",
        [nameof(MlpTrainer.Options.NumberOfThreads)] = "--threads",
        [nameof(MlpTrainer.Options.ShuffleBufferSize)] = "--shuffle-buffer",
        [nameof(MlpTrainer.Options.CheckpointDirectory)] = "--checkpoint-dir",
        [nameof(MlpTrainer.Options.CheckpointEveryEpochs)] = "--checkpoint-every",
        [nameof(MlpTrainer.Options.ResumeFromCheckpoint)] = "--resume",
        [nameof(CnnTrainer.Options.RandomHorizontalFlip)] = "--random-flip",
        [nameof(CnnTrainer.Options.RandomShift)] = "--random-shift",
        ["maxRows"] = "--train-rows",
    };

    /// <summary>
    /// The one-line message for <paramref name="e"/> worded with the CLI option of the command that ran, or null when
    /// its parameter is not one the command fills from an option (or already is an option, "--out").
    /// </summary>
    public static string? Describe(ArgumentException e, ParseResult parse)
    {
        if (e.ParamName is not string parameter || !CliNames.TryGetValue(parameter, out var cliName)) return null;
        var option = parse.CommandResult.Command.Options.FirstOrDefault(o => o.Name == cliName || o.Aliases.Contains(cliName));
        if (option is null) return null;
        string typed = parse.GetResult(option) is { Implicit: false } given ? string.Join(' ', given.Tokens.Select(t => t.Value)) : "";

        // The library's wording without its own parameter naming: "MlpTrainer.Options.Epochs must be at least 1. (Parameter 'Epochs')…".
        string text = ArgumentMessages.Bare(e);
        // Every option the message mentions that this command has, not only the one at fault ("must be 0 when streaming (ShuffleBufferSize > 0)").
        foreach (var (name, cli) in CliNames)
        {
            var mentioned = name == parameter ? option : parse.CommandResult.Command.Options.FirstOrDefault(o => o.Name == cli || o.Aliases.Contains(cli));
            if (mentioned is null) continue;
            foreach (var qualified in new[] { $"MlpTrainer.Options.{name}", $"CnnTrainer.Options.{name}" })
                text = text.Replace(qualified, mentioned.Name, StringComparison.Ordinal);
            text = Regex.Replace(text, $@"(?<![\w.-]){Regex.Escape(name)}\b", mentioned.Name);
        }
        text = string.Join(" ", text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

        if (typed.Length == 0 || text.Contains(typed, StringComparison.Ordinal)) return text.StartsWith(option.Name, StringComparison.Ordinal) ? text : $"{option.Name}: {text}";
        return text.StartsWith(option.Name + " ", StringComparison.Ordinal)
            ? $"{option.Name} {typed}{text[option.Name.Length..]}"
            : $"{option.Name} {typed}: {text}";
    }
}
