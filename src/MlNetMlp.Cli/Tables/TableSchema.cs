using System.Globalization;
using System.Text.RegularExpressions;

namespace MlNetMlp.Cli.Tables;

/// <summary>What a table model learns: the ML.NET task, and so the trainer, the label type and the metrics.</summary>
internal enum TableTask
{
    Multiclass,
    Binary,
    Regression,
}

/// <summary>The values of <c>train --task</c>.</summary>
internal enum TaskChoice
{
    Auto,
    Multiclass,
    Binary,
    Regression,
}

/// <summary>How a column enters the model (or why it does not).</summary>
internal enum ColumnTreatment
{
    /// <summary>The column to predict.</summary>
    Label,

    /// <summary>Numbers, used as they are.</summary>
    Numeric,

    /// <summary>Numbers with missing cells: <c>IndicateMissingValues</c> + <c>ReplaceMissingValues</c> (mean).</summary>
    NumericWithMissing,

    /// <summary>Few distinct text values: <c>OneHotEncoding</c>.</summary>
    OneHot,

    /// <summary>Words: <c>FeaturizeText</c>.</summary>
    Text,

    /// <summary>Left out: a different value on every row (an identifier carries nothing to learn from).</summary>
    Identifier,

    /// <summary>Left out: one value on every row.</summary>
    Constant,

    /// <summary>Left out: no value on any row.</summary>
    Empty,

    /// <summary>Left out: named by <c>--ignore-columns</c>.</summary>
    Ignored,
}

/// <summary>One column's decided role, with the reason printed beside it.</summary>
internal sealed record ColumnDecision(ColumnProfile Profile, ColumnTreatment Treatment, string How)
{
    public string Name => Profile.Name;

    public bool IsFeature => Treatment is ColumnTreatment.Numeric or ColumnTreatment.NumericWithMissing or ColumnTreatment.OneHot or ColumnTreatment.Text;

    /// <summary>Loaded as <c>Single</c> (NaN for a missing cell); every other column but a regression label is loaded as text.</summary>
    public bool LoadAsNumber => Treatment is ColumnTreatment.Numeric or ColumnTreatment.NumericWithMissing;

    public string Role => Treatment switch
    {
        ColumnTreatment.Label => "label",
        _ when IsFeature => "feature",
        _ => "left out",
    };
}

/// <summary>
/// The decisions a user would otherwise make by hand, taken from the data and printed (<see cref="TableTraining"/>):
/// the task, the label's classes, and what happens to each column. The rules, all on the training file:
/// <list type="bullet">
/// <item>Task (<c>--task auto</c>): a text label is a classification, binary when it has two values; a label of
/// whole numbers with at most <see cref="MaxIntegerClasses"/> distinct values (or at most 5 % of the rows, up to
/// <see cref="MaxCountedClasses"/>) is a classification the same way; any other numeric label is a regression.</item>
/// <item>Numbers are features; with missing cells (empty, NA, N/A, NaN, ?) they are filled with the mean and flagged.</item>
/// <item>Text with at most <see cref="MaxCategories"/> distinct values, each seen twice on average, is one-hot encoded;
/// other text is featurized as words and character n-grams.</item>
/// <item>Left out: a column with a different value on every row that is a code (text without spaces) or a whole number
/// named like an identifier or counting up by one; a column with one value; an empty column; <c>--ignore-columns</c>.</item>
/// </list>
/// </summary>
internal sealed partial record TableSchema(TableFile File, ColumnDecision Label, TableTask Task, string TaskReason, IReadOnlyList<ColumnDecision> Columns,
    IReadOnlyList<string> Classes, string? PositiveClass)
{
    public const int MaxIntegerClasses = 10;
    public const int MaxCountedClasses = 100;
    public const int MaxCategories = 50;

    /// <summary>More classes than this is taken for a mistake (an identifier or a quantity as the label), not a classification.</summary>
    public const int MaxClasses = 1000;

    public IEnumerable<ColumnDecision> Features => Columns.Where(c => c.IsFeature);

    /// <summary>Decides the task and every column's treatment.</summary>
    /// <exception cref="ArgumentException">The label or an ignored column is not in the file, or nothing is left to learn from; names the option and the column.</exception>
    public static TableSchema Decide(TableFile file, string label, TaskChoice task, IReadOnlyList<string> ignore, string? positiveClass)
    {
        var labelProfile = file.Find(label) ?? throw new ArgumentException(
            $"--label {label}: {file.Path} has no column '{label}'; its columns are {string.Join(", ", file.Columns.Select(c => c.Name))}.", "--label");
        foreach (var name in ignore)
        {
            if (file.Find(name) is null)
                throw new ArgumentException($"--ignore-columns {name}: {file.Path} has no column '{name}'; its columns are {string.Join(", ", file.Columns.Select(c => c.Name))}.", "--ignore-columns");
            if (name == label) throw new ArgumentException($"--ignore-columns {name}: '{name}' is the --label column.", "--ignore-columns");
        }
        if (labelProfile.Present == 0) throw new InvalidDataException($"{file.Path}: the label column '{label}' has no values.");

        var (chosen, reason) = ChooseTask(labelProfile, task, file.Rows);
        var classes = chosen == TableTask.Regression ? [] : ClassesOf(labelProfile);
        if (chosen != TableTask.Regression && (labelProfile.Overflowed || classes.Count > MaxClasses))
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"--label {label}: '{label}' has {(labelProfile.Overflowed ? "over " : "")}{classes.Count:N0} distinct values, more than the {MaxClasses:N0} classes a classification may have; " +
                $"{(labelProfile.IsNumeric ? "use --task regression for a quantity" : "is it the right column?")}"), "--label");
        if (chosen != TableTask.Regression && classes.Count < 2)
            throw new InvalidDataException($"{file.Path}: the label column '{label}' has one value ({classes[0]}): there is nothing to classify.");
        if (chosen == TableTask.Binary && classes.Count != 2)
            throw new ArgumentException($"--task binary: the label column '{label}' has {classes.Count} values ({labelProfile.DescribeValues(5)}), not 2; use --task multiclass.", "--task");
        if (chosen == TableTask.Regression && !labelProfile.IsNumeric)
            throw new ArgumentException($"--task regression: the label column '{label}' is not numeric (e.g. '{labelProfile.DescribeValues(1)}').", "--task");
        string? positive = null;
        if (chosen == TableTask.Binary) positive = ChoosePositiveClass(classes, labelProfile, positiveClass);
        else if (positiveClass is not null) throw new ArgumentException($"--positive-class applies to --task binary, not to {chosen.ToString().ToLowerInvariant()}.", "--positive-class");

        var columns = file.Columns.Select(c =>
            c == labelProfile ? new ColumnDecision(c, ColumnTreatment.Label, DescribeLabel(chosen, classes, positive, c))
            : ignore.Contains(c.Name) ? new ColumnDecision(c, ColumnTreatment.Ignored, "--ignore-columns")
            : Treat(c)).ToList();
        if (!columns.Any(c => c.IsFeature))
            throw new InvalidDataException($"{file.Path}: no column is left to learn '{label}' from ({string.Join(", ", columns.Where(c => c != columns.First(x => x.Treatment == ColumnTreatment.Label)).Select(c => $"{c.Name}: {c.How}"))}).");
        return new TableSchema(file, columns.Single(c => c.Treatment == ColumnTreatment.Label), chosen, reason, columns, classes, positive);
    }

    /// <summary>The task <c>--task auto</c> picks for a label, and why.</summary>
    public static (TableTask Task, string Reason) ChooseTask(ColumnProfile label, TaskChoice choice, int rows)
    {
        int distinct = label.Distinct;
        string values = string.Create(CultureInfo.InvariantCulture, $"{(label.Overflowed ? "over " : "")}{distinct:N0} distinct values");
        switch (choice)
        {
            case TaskChoice.Multiclass: return (TableTask.Multiclass, "given by --task");
            case TaskChoice.Binary: return (TableTask.Binary, "given by --task");
            case TaskChoice.Regression: return (TableTask.Regression, "given by --task");
        }
        if (!label.IsNumeric)
            return distinct == 2 ? (TableTask.Binary, $"text label with 2 values ({label.DescribeValues(2)})")
                : (TableTask.Multiclass, $"text label with {values}");
        bool fewWholeNumbers = label.IsInteger && !label.Overflowed
            && (distinct <= MaxIntegerClasses || (distinct <= MaxCountedClasses && distinct <= 0.05 * rows));
        if (!fewWholeNumbers)
        {
            string why = label.IsInteger
                ? string.Create(CultureInfo.InvariantCulture, $"numeric label with {values} (more than {MaxIntegerClasses} and more than 5 % of {rows:N0} rows)")
                : $"numeric label with fractions ({values})";
            return (TableTask.Regression, why);
        }
        var classes = ClassesOf(label);
        string shown = string.Join(", ", classes.Take(MaxIntegerClasses)) + (classes.Count > MaxIntegerClasses ? ", …" : "");
        string which = string.Create(CultureInfo.InvariantCulture, $"whole-number label with {values} ({shown}): at most {MaxIntegerClasses}, or at most 5 % of the rows, count as classes");
        return distinct == 2 ? (TableTask.Binary, which) : (TableTask.Multiclass, which);
    }

    /// <summary>The classes in a stable order: numerically for whole numbers, ordinally for text.</summary>
    public static IReadOnlyList<string> ClassesOf(ColumnProfile label) =>
        label.IsNumeric
            ? label.Counts.Keys.OrderBy(k => double.Parse(k, NumberStyles.Float, CultureInfo.InvariantCulture)).ThenBy(k => k, StringComparer.Ordinal).ToArray()
            : label.Counts.Keys.OrderBy(k => k, StringComparer.Ordinal).ToArray();

    private static readonly HashSet<string> Truthy = new(StringComparer.OrdinalIgnoreCase) { "true", "yes", "y", "t", "1", "positive", "pos" };

    /// <summary>
    /// Which of the two classes is <c>true</c> for ML.NET's binary label: the one given, else the true-like one of
    /// true/false, yes/no, 1/0, else the rarer (ML.NET's metrics, F1 above all, are about finding the positive class).
    /// </summary>
    private static string ChoosePositiveClass(IReadOnlyList<string> classes, ColumnProfile label, string? given)
    {
        if (given is not null)
            return classes.Contains(given) ? given
                : throw new ArgumentException($"--positive-class {given}: the label column '{label.Name}' has the values {string.Join(", ", classes)}.", "--positive-class");
        var truthy = classes.Where(Truthy.Contains).ToList();
        if (truthy.Count == 1) return truthy[0];
        return classes.OrderBy(c => label.Counts[c]).ThenByDescending(c => c, StringComparer.Ordinal).First();
    }

    private static string DescribeLabel(TableTask task, IReadOnlyList<string> classes, string? positive, ColumnProfile label)
    {
        string missing = label.Missing > 0 ? string.Create(CultureInfo.InvariantCulture, $"; {label.Missing:N0} rows without a value left out") : "";
        return task switch
        {
            TableTask.Regression => string.Create(CultureInfo.InvariantCulture, $"regression target, {label.Min:G6} to {label.Max:G6}{missing}"),
            TableTask.Binary => $"positive class '{positive}' (the other: '{classes.First(c => c != positive)}'){missing}",
            _ => string.Create(CultureInfo.InvariantCulture, $"{classes.Count} classes: {string.Join(", ", classes.Take(12))}{(classes.Count > 12 ? ", …" : "")}{missing}"),
        };
    }

    private static ColumnDecision Treat(ColumnProfile c)
    {
        string missing = string.Create(CultureInfo.InvariantCulture, $"{c.Missing:N0} missing");
        if (c.Present == 0) return new(c, ColumnTreatment.Empty, "no values");
        if (c.Distinct == 1 && c.Missing == 0) return new(c, ColumnTreatment.Constant, $"one value ({c.DescribeValues(1)}) on every row");
        if (c.UniquePerRow && LooksLikeIdentifier(c))
            return new(c, ColumnTreatment.Identifier, string.Create(CultureInfo.InvariantCulture, $"ID-like: {c.Rows:N0} different values, one per row"));
        if (c.IsNumeric)
            return c.Missing == 0
                ? new(c, ColumnTreatment.Numeric, "number")
                : new(c, ColumnTreatment.NumericWithMissing, $"number, {missing}: ReplaceMissingValues (mean) + IndicateMissingValues");
        string gaps = c.Missing > 0 ? $", {missing}" : "";
        if (!c.Overflowed && c.Distinct <= MaxCategories && c.Distinct * 2 <= c.Present)
            return new(c, ColumnTreatment.OneHot, string.Create(CultureInfo.InvariantCulture, $"OneHotEncoding: {c.Distinct} values ({c.DescribeValues(5)}){gaps}"));
        return new(c, ColumnTreatment.Text, string.Create(CultureInfo.InvariantCulture,
            $"FeaturizeText: {(c.Overflowed ? "over " : "")}{c.Distinct:N0} distinct texts, {c.MeanWords:0.#} words on average{gaps}"));
    }

    /// <summary>
    /// A column with a different value on every row that is a code (text without spaces), or whole numbers that are
    /// named like an identifier or count up by one. Unique measurements (12.7, 13.1, …) and sentences stay features.
    /// </summary>
    private static bool LooksLikeIdentifier(ColumnProfile c)
    {
        if (!c.IsNumeric) return !c.HasSpaces;
        if (!c.IsInteger) return false;
        return IdentifierName().IsMatch(c.Name) || c.Max - c.Min + 1 == c.Rows;
    }

    [GeneratedRegex(@"(^|[^a-z])(id|key|index|idx|uuid|guid|row|rownum|record)([^a-z]|$)|Id$|ID$|^#$", RegexOptions.CultureInvariant)]
    private static partial Regex IdentifierName();
}
