using System.CommandLine;

namespace MlNetMlp.Cli.Tables;

/// <summary>
/// The options that read a CSV/TSV table, shared by <c>train</c>, <c>evaluate</c> and <c>predict</c>:
/// <c>--dataset</c>, <c>--separator</c>, <c>--header</c>/<c>--no-header</c>; and those only <c>train</c> has.
/// </summary>
internal sealed class TableOptions
{
    public Option<string?> Dataset { get; } = new("--dataset") { Description = "A CSV or TSV table (separator and header detected) to train on, evaluate or predict, instead of Fashion-MNIST." };

    public Option<string?> Separator { get; } = new("--separator") { Description = "Field separator of --dataset: comma, tab, semicolon, pipe, space or a character (default: detected)." };

    public Option<bool> Header { get; } = new("--header") { Description = "The first row of --dataset names the columns (default: detected)." };

    public Option<bool> NoHeader { get; } = new("--no-header") { Description = "The first row of --dataset is data; columns are named column1, column2, …" };

    /// <summary>The options every table command has.</summary>
    public Option[] Reading => [Dataset, Separator, Header, NoHeader];

    /// <summary>The separator given, or null to detect it.</summary>
    public char? SeparatorOf(ParseResult parse) => parse.GetValue(Separator) is string text ? DelimitedText.ParseSeparator(text) : null;

    /// <summary>Whether the file has a header as given, or null to detect it.</summary>
    public bool? HeaderOf(ParseResult parse)
    {
        bool header = parse.GetValue(Header), noHeader = parse.GetValue(NoHeader);
        if (header && noHeader) throw new ArgumentException("--header and --no-header contradict each other: give one.", "--header");
        return header ? true : noHeader ? false : null;
    }

    /// <summary>Refuses the table options when no <c>--dataset</c> is given, naming the one given.</summary>
    public void RequireDatasetFor(ParseResult parse, IEnumerable<Option> tableOnly)
    {
        foreach (var option in Reading.Concat(tableOnly))
            if (option != Dataset && parse.GetResult(option) is { Implicit: false })
                throw new ArgumentException($"{option.Name} applies to a table: give --dataset FILE.", option.Name);
    }
}

/// <summary>The options only <c>train --dataset</c> has.</summary>
internal sealed class TableTrainOptions
{
    public TableOptions Table { get; } = new();

    public Option<string?> Label { get; } = new("--label") { Description = "The column of --dataset to predict." };

    public Option<TaskChoice> Task { get; } = new("--task") { Description = "auto (from the label's values), multiclass, binary or regression.", DefaultValueFactory = _ => TaskChoice.Auto };

    public Option<string?> TestDataset { get; } = new("--test-dataset") { Description = "A table to evaluate on (same columns) instead of holding out --test-fraction of --dataset." };

    public Option<string?> IgnoreColumns { get; } = new("--ignore-columns") { Description = "Columns of --dataset to leave out, comma-separated." };

    public Option<string?> PositiveClass { get; } = new("--positive-class") { Description = "Binary: the label value that is the positive class (default: true/yes/1, else the rarer value)." };

    /// <summary>
    /// Every option of <c>train</c>'s table mode, to add to the command. The held-out share is <c>train</c>'s
    /// <c>--test-fraction</c>, which <c>--images</c> shares.
    /// </summary>
    public Option[] All => [.. Table.Reading, Label, Task, TestDataset, IgnoreColumns, PositiveClass];

    /// <summary>The options that mean nothing without <c>--dataset</c>.</summary>
    public Option[] TrainOnly => [Label, Task, TestDataset, IgnoreColumns, PositiveClass];
}
