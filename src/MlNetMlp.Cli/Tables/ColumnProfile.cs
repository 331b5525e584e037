using System.Globalization;

namespace MlNetMlp.Cli.Tables;

/// <summary>
/// What one column of a table holds, read from its cells: how many are missing, whether the rest are numbers (and
/// whole numbers), how many distinct values there are, and whether the text reads like words. The column's role and
/// treatment (<see cref="TableSchema"/>) are decided from this.
/// </summary>
internal sealed class ColumnProfile(string name, int index)
{
    /// <summary>Cells that mean "no value": ML.NET's <c>TextLoader</c> reads them as NaN in a number column.</summary>
    public static readonly HashSet<string> MissingTokens = new(StringComparer.OrdinalIgnoreCase) { "", "NA", "N/A", "NaN", "?" };

    /// <summary>Distinct values remembered per column; beyond this a column counts as having "many" values.</summary>
    public const int MaxTrackedValues = 100_000;

    private readonly Dictionary<string, int> _counts = new(StringComparer.Ordinal);
    private long _words;

    public string Name { get; } = name;

    /// <summary>Zero-based position in the file's records.</summary>
    public int Index { get; } = index;

    public int Rows { get; private set; }

    public int Missing { get; private set; }

    public int Present => Rows - Missing;

    /// <summary>Every present cell is a number (invariant culture); false for a column with no present cell.</summary>
    public bool IsNumeric { get; private set; } = true;

    /// <summary>Every present cell is a whole number.</summary>
    public bool IsInteger { get; private set; } = true;

    public double Min { get; private set; } = double.PositiveInfinity;

    public double Max { get; private set; } = double.NegativeInfinity;

    /// <summary>Distinct present values, or <see cref="MaxTrackedValues"/> + 1 when there are more.</summary>
    public int Distinct => _counts.Count;

    /// <summary>More distinct values than were tracked.</summary>
    public bool Overflowed { get; private set; }

    /// <summary>Some present cell has white space inside it (text that reads like words rather than codes).</summary>
    public bool HasSpaces { get; private set; }

    /// <summary>Mean number of words per present cell.</summary>
    public double MeanWords => Present == 0 ? 0 : (double)_words / Present;

    /// <summary>Every present value differs from every other, and none is missing.</summary>
    public bool UniquePerRow => Missing == 0 && !Overflowed && Distinct == Rows && Rows > 1;

    /// <summary>The distinct values with their counts (the first <see cref="MaxTrackedValues"/>).</summary>
    public IReadOnlyDictionary<string, int> Counts => _counts;

    public void Add(string cell)
    {
        Rows++;
        if (MissingTokens.Contains(cell.Trim()))
        {
            Missing++;
            return;
        }
        if (!Overflowed)
        {
            if (_counts.TryGetValue(cell, out int seen)) _counts[cell] = seen + 1;
            else if (_counts.Count < MaxTrackedValues) _counts[cell] = 1;
            else Overflowed = true;
        }
        int words = cell.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;
        _words += words;
        if (words > 1) HasSpaces = true;
        if (IsNumeric)
        {
            if (TryNumber(cell, out double value))
            {
                Min = Math.Min(Min, value);
                Max = Math.Max(Max, value);
                if (value != Math.Floor(value) || Math.Abs(value) > 1e15) IsInteger = false;
            }
            else
            {
                IsNumeric = false;
                IsInteger = false;
            }
        }
    }

    /// <summary>Closes the profile: a column with no present cell is neither numeric nor integer.</summary>
    public void Complete()
    {
        if (Present > 0) return;
        IsNumeric = false;
        IsInteger = false;
    }

    /// <summary>A number as ML.NET reads a <c>Single</c> cell: invariant culture, an optional exponent, no thousands separators.</summary>
    public static bool TryNumber(string cell, out double value) =>
        double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);

    /// <summary>The values by count then text, for messages: "red (12), blue (9), …".</summary>
    public string DescribeValues(int most)
    {
        var values = _counts.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).Take(most).Select(kv => kv.Key).ToList();
        return string.Join(", ", values) + (Distinct > most ? ", …" : "");
    }
}
