using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetMlp.Cli.Tables;

/// <summary>
/// Loads another table (a test file, rows to evaluate or predict) with the raw columns a model was trained on: each
/// column found by name in the file's header (or, without one, by position when the file has the same number of
/// columns), with the type the model expects. A column the model reads that the file lacks is an error naming both;
/// a column it does not read (the label for prediction, a left-out column) may be absent and loads as missing.
/// </summary>
internal sealed record TableInput(IDataView Data, string Path, char Separator, bool HasHeader, string HeaderReason, IReadOnlyList<string> FileColumns)
{
    /// <summary>The prefix of the extra text columns that hold each file column's cells as written (<c>predict</c> echoes them).</summary>
    public const string RawPrefix = "\u00a7raw";

    public string Describe() => $"separator {DelimitedText.Name(Separator)}, header {(HasHeader ? "yes" : "no")}: {HeaderReason}";

    /// <param name="mlContext">The context to load with.</param>
    /// <param name="path">The table.</param>
    /// <param name="option">The option or argument that named it, for errors.</param>
    /// <param name="schema">The raw columns the model was trained on (its input schema).</param>
    /// <param name="required">The columns the file must have.</param>
    /// <param name="separator">The separator, or null to detect it.</param>
    /// <param name="header">Whether the first row names the columns, or null to detect it (it does when it names one of the model's columns).</param>
    /// <param name="withRawText">Also load every file column as text under <see cref="RawPrefix"/>i.</param>
    public static TableInput Load(MLContext mlContext, string path, string option, DataViewSchema schema, IReadOnlySet<string> required,
        char? separator, bool? header, bool withRawText = false)
    {
        DelimitedText.RequireText(path);
        char sep = separator ?? DelimitedText.DetectSeparator(path).Separator;
        string[] first;
        using (var reader = DelimitedText.OpenText(path))
            first = DelimitedText.ReadRecords(reader, sep, 1).FirstOrDefault() ?? throw new InvalidDataException($"{option} {path}: the file has no rows.");
        var names = schema.Where(c => !c.IsHidden).Select(c => c.Name).ToList();

        string reason;
        bool hasHeader;
        if (header is bool given)
        {
            hasHeader = given;
            reason = given ? "--header" : "--no-header";
        }
        else
        {
            var named = first.Select(f => f.Trim()).Where(names.Contains).ToList();
            hasHeader = named.Count > 0;
            reason = hasHeader ? string.Create(CultureInfo.InvariantCulture, $"its first row names {named.Count} of the model's {names.Count} columns") : "its first row names none of the model's columns";
        }

        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        if (hasHeader)
        {
            for (int i = first.Length - 1; i >= 0; i--) index[first[i].Trim()] = i;
            var missing = required.Where(r => !index.ContainsKey(r)).ToList();
            if (missing.Count > 0)
                throw new InvalidDataException($"{option} {path}: no column {string.Join(", ", missing.Select(m => $"'{m}'"))}, which the model reads; the file's columns are {string.Join(", ", first)}.");
        }
        else
        {
            if (first.Length != names.Count)
                throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                    $"{option} {path}: it has no header naming the model's columns, and its {first.Length} columns are not the model's {names.Count} ({string.Join(", ", names)}) to match by position."));
            for (int i = 0; i < names.Count; i++) index[names[i]] = i;
        }

        // A column the file lacks reads from past the end of every row: empty text, NaN.
        int absent = first.Length;
        var columns = new List<TextLoader.Column>();
        foreach (var name in names)
            columns.Add(new TextLoader.Column(name, KindOf(schema[name], option, path), index.TryGetValue(name, out int at) ? at : absent++));
        if (withRawText)
            for (int i = 0; i < first.Length; i++) columns.Add(new TextLoader.Column(RawPrefix + i.ToString(CultureInfo.InvariantCulture), DataKind.String, i));
        var loader = mlContext.Data.CreateTextLoader(TablePipeline.LoaderOptions(sep, hasHeader, [.. columns]));
        var fileColumns = hasHeader ? first.Select(f => f.Trim()).ToArray() : names.ToArray();
        return new TableInput(loader.Load(path), path, sep, hasHeader, reason, fileColumns);
    }

    private static DataKind KindOf(DataViewSchema.Column column, string option, string path) => column.Type switch
    {
        NumberDataViewType when column.Type.RawType == typeof(float) => DataKind.Single,
        NumberDataViewType when column.Type.RawType == typeof(double) => DataKind.Double,
        TextDataViewType => DataKind.String,
        BooleanDataViewType => DataKind.Boolean,
        _ => throw new InvalidDataException($"{option} {path}: the model reads column '{column.Name}' as {column.Type}, which a table cannot hold: it was not trained on a table (train --dataset)."),
    };
}
