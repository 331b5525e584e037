using System.Globalization;
using System.Text;

namespace MlNetMlp.Cli.Tables;

/// <summary>
/// Reads and writes CSV/TSV records the way ML.NET's <c>TextLoader</c> reads them with <c>AllowQuoting</c> and
/// <c>ReadMultilines</c>: fields separated by one character, a field in double quotes may hold separators, line
/// breaks and doubled quotes, and blank lines are skipped. Used to look at a file before loading it (separator,
/// header, column types) and to write prediction files; the rows themselves are loaded by ML.NET.
/// </summary>
internal static class DelimitedText
{
    /// <summary>The separators tried when none is given, in order of preference on a tie.</summary>
    public static readonly char[] CandidateSeparators = [',', '\t', ';', '|'];

    /// <summary>Up to <paramref name="maxRecords"/> records of <paramref name="reader"/> (all when null).</summary>
    public static IEnumerable<string[]> ReadRecords(TextReader reader, char separator, int? maxRecords = null)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        int count = 0;
        while (maxRecords is null || count < maxRecords)
        {
            string? line = reader.ReadLine();
            if (line is null) yield break;
            if (line.Length == 0) continue;
            fields.Clear();
            field.Clear();
            bool quoted = false, wasQuoted = false;
            while (true)
            {
                for (int i = 0; i < line.Length; i++)
                {
                    char c = line[i];
                    if (quoted)
                    {
                        if (c != '"') field.Append(c);
                        else if (i + 1 < line.Length && line[i + 1] == '"') { field.Append('"'); i++; }
                        else quoted = false;
                    }
                    else if (c == separator) { fields.Add(Unquoted(field, wasQuoted)); field.Clear(); wasQuoted = false; }
                    else if (c == '"' && field.Length == 0 && !wasQuoted) { quoted = true; wasQuoted = true; }
                    else field.Append(c);
                }
                if (!quoted) break;
                // A quoted field goes on to the next line.
                line = reader.ReadLine();
                if (line is null) break;
                field.Append('\n');
            }
            fields.Add(Unquoted(field, wasQuoted));
            count++;
            yield return fields.ToArray();
        }
    }

    /// <summary>
    /// A field as <c>TextLoader</c> reads it: a quoted one as written inside its quotes; an unquoted one without its
    /// leading white space but with its trailing white space ("a, red ,b" holds "red "), so that the values seen here
    /// (the classes, the categories) are the values the model sees.
    /// </summary>
    private static string Unquoted(System.Text.StringBuilder field, bool quoted) => quoted ? field.ToString() : field.ToString().TrimStart();

    /// <summary>
    /// The separator of <paramref name="path"/> and why: the candidate that splits the first records into the same
    /// number (above one) of fields, the most fields on a tie (a tab for a .tsv file).
    /// </summary>
    /// <exception cref="InvalidDataException">The file is empty, binary, or no candidate splits it into columns.</exception>
    public static (char Separator, string Reason) DetectSeparator(string path, int sampleRecords = 100)
    {
        RequireText(path);
        (char Separator, int Fields, bool Consistent)? best = null;
        int sampled = 0;
        foreach (char candidate in CandidateSeparators)
        {
            using var reader = OpenText(path);
            var counts = ReadRecords(reader, candidate, sampleRecords).Select(r => r.Length).ToList();
            if (counts.Count == 0) throw new InvalidDataException($"{path}: the file has no rows.");
            sampled = counts.Count;
            int fields = counts.GroupBy(c => c).OrderByDescending(g => g.Count()).ThenByDescending(g => g.Key).First().Key;
            bool consistent = counts.All(c => c == counts[0]);
            if (fields < 2) continue;
            var score = (candidate, fields, consistent);
            bool preferTab = candidate == '\t' && Path.GetExtension(path).Equals(".tsv", StringComparison.OrdinalIgnoreCase) && consistent;
            if (best is null || preferTab || (consistent && !best.Value.Consistent) || (consistent == best.Value.Consistent && fields > best.Value.Fields))
                best = score;
            if (preferTab) break;
        }
        if (best is not { } chosen)
            throw new InvalidDataException($"{path}: not a table: no separator (comma, tab, semicolon or pipe) splits its lines into columns.");
        return (chosen.Separator, string.Create(CultureInfo.InvariantCulture,
            $"{(chosen.Consistent ? "all" : "most")} of the first {sampled:N0} rows split into {chosen.Fields} fields"));
    }

    /// <summary>Refuses a path that is not a regular, non-empty text file, naming it and what it is.</summary>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="InvalidDataException">The file is empty or binary.</exception>
    public static void RequireText(string path)
    {
        RegularFile.RequireIfPresent(path);
        if (Directory.Exists(path)) throw new IOException($"{path}: is a directory, not a table file.");
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such file.", path);
        var head = new byte[4096];
        int read;
        using (var stream = File.OpenRead(path)) read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        if (read == 0) throw new InvalidDataException($"{path}: the file is empty.");
        if (head.AsSpan(0, read).Contains((byte)0))
            throw new InvalidDataException($"{path}: not a table: it is binary (it contains NUL bytes), not CSV or TSV text.");
    }

    /// <summary>Opens <paramref name="path"/> as text (UTF-8 unless a byte-order mark says otherwise).</summary>
    public static StreamReader OpenText(string path) => new(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);

    /// <summary>The name of a separator as a user types it: "comma", "tab", ….</summary>
    public static string Name(char separator) => separator switch
    {
        ',' => "comma",
        '\t' => "tab",
        ';' => "semicolon",
        '|' => "pipe",
        ' ' => "space",
        _ => $"'{separator}'",
    };

    /// <summary>A separator from its name or its character ("comma", ",", "tab", "\t", …).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not one character or a known name; names <c>--separator</c>.</exception>
    public static char ParseSeparator(string text) => text.ToLowerInvariant() switch
    {
        "comma" or "," => ',',
        "tab" or "\\t" or "\t" => '\t',
        "semicolon" or ";" => ';',
        "pipe" or "|" => '|',
        "space" or " " => ' ',
        { Length: 1 } single when single[0] != '"' && !char.IsLetterOrDigit(single[0]) => single[0],
        _ => throw new ArgumentOutOfRangeException("--separator", text,
            $"--separator '{text}' is not a separator: give comma, tab, semicolon, pipe, space or one punctuation character."),
    };

    /// <summary>One record as a line of <paramref name="separator"/>-separated fields, quoted where needed.</summary>
    public static string FormatRecord(IEnumerable<string> fields, char separator) =>
        string.Join(separator, fields.Select(f => Quote(f, separator)));

    private static string Quote(string field, char separator) =>
        field.AsSpan().IndexOfAny(separator, '"', '\n') >= 0 || field.Contains('\r') || (field.Length > 0 && (char.IsWhiteSpace(field[0]) || char.IsWhiteSpace(field[^1])))
            ? $"\"{field.Replace("\"", "\"\"", StringComparison.Ordinal)}\""
            : field;
}
