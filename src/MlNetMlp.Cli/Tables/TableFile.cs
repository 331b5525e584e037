using System.Globalization;

namespace MlNetMlp.Cli.Tables;

/// <summary>
/// A CSV/TSV file as read before training: its separator and header (detected unless given, with the reason), its
/// column names and a <see cref="ColumnProfile"/> of every column.
/// </summary>
internal sealed record TableFile(string Path, char Separator, string SeparatorReason, bool HasHeader, string HeaderReason, IReadOnlyList<ColumnProfile> Columns, int Rows)
{
    /// <summary>Reads <paramref name="path"/> whole and profiles its columns.</summary>
    /// <param name="path">The file.</param>
    /// <param name="separator">The separator, or null to detect it.</param>
    /// <param name="header">Whether the first row holds the column names, or null to detect it.</param>
    /// <exception cref="InvalidDataException">The file is not a table (binary, empty, one column, no data rows).</exception>
    public static TableFile Read(string path, char? separator, bool? header)
    {
        DelimitedText.RequireText(path);
        string separatorReason = "given by --separator";
        if (separator is not char sep)
            (sep, separatorReason) = DelimitedText.DetectSeparator(path);

        List<string[]> records;
        using (var reader = DelimitedText.OpenText(path)) records = DelimitedText.ReadRecords(reader, sep).ToList();
        if (records.Count == 0) throw new InvalidDataException($"{path}: the file has no rows.");
        string[] first = records[0];
        if (first.Length < 2)
            throw new InvalidDataException($"{path}: not a table: its first row has one field with the {DelimitedText.Name(sep)} separator.");
        int width = first.Length;

        string headerReason;
        bool hasHeader;
        if (header is bool given)
        {
            hasHeader = given;
            headerReason = "given by --" + (given ? "header" : "no-header");
        }
        else
        {
            headerReason = DetectHeader(first, Profile(Enumerable.Repeat("", width).ToArray(), records.Skip(1)), out hasHeader);
        }
        if (hasHeader && records.Count == 1) throw new InvalidDataException($"{path}: the file has a header but no data rows.");

        var names = hasHeader ? UniqueNames(first) : Enumerable.Range(1, width).Select(i => string.Create(CultureInfo.InvariantCulture, $"column{i}")).ToArray();
        var columns = Profile(names, hasHeader ? records.Skip(1) : records);
        return new TableFile(path, sep, separatorReason, hasHeader, headerReason, columns, hasHeader ? records.Count - 1 : records.Count);
    }

    private static ColumnProfile[] Profile(string[] names, IEnumerable<string[]> records)
    {
        var columns = names.Select((n, i) => new ColumnProfile(n, i)).ToArray();
        foreach (var record in records)
            for (int i = 0; i < columns.Length; i++) columns[i].Add(i < record.Length ? record[i] : "");
        foreach (var column in columns) column.Complete();
        return columns;
    }

    /// <summary>The column named <paramref name="name"/>, or null.</summary>
    public ColumnProfile? Find(string name) => Columns.FirstOrDefault(c => c.Name == name);

    /// <summary>The first row names the columns when a column of numbers has text at its top, or (all text) when its cells are distinct and none recurs below.</summary>
    private static string DetectHeader(string[] first, ColumnProfile[] body, out bool hasHeader)
    {
        for (int i = 0; i < first.Length; i++)
        {
            if (body[i].IsNumeric && !ColumnProfile.MissingTokens.Contains(first[i]) && !ColumnProfile.TryNumber(first[i], out _))
            {
                hasHeader = true;
                return $"'{first[i]}' is text above a column of numbers";
            }
        }
        if (body.Any(c => c.IsNumeric))
        {
            hasHeader = false;
            return "the first row has numbers where the other rows do";
        }
        bool distinct = first.Distinct(StringComparer.Ordinal).Count() == first.Length && first.All(f => f.Length > 0);
        bool recurs = first.Select((cell, i) => body[i].Counts.ContainsKey(cell)).Any(b => b);
        hasHeader = distinct && !recurs;
        return hasHeader ? "its cells are distinct and none recurs in its column" : "its values recur in the rows below";
    }

    private static string[] UniqueNames(string[] first)
    {
        var names = new string[first.Length];
        var used = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < first.Length; i++)
        {
            string name = first[i].Trim();
            if (name.Length == 0) name = string.Create(CultureInfo.InvariantCulture, $"column{i + 1}");
            string unique = name;
            for (int k = 2; !used.Add(unique); k++) unique = string.Create(CultureInfo.InvariantCulture, $"{name}_{k}");
            names[i] = unique;
        }
        return names;
    }
}
