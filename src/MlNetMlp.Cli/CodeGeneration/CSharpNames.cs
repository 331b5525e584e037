using System.Globalization;
using System.Text;

namespace MlNetMlp.Cli.CodeGeneration;

/// <summary>
/// Column names as C# identifiers and string literals: a column may be called anything ("petal length (cm)",
/// "class", "1st"), while a property needs a valid, unique identifier, and the original name then goes into
/// <c>[ColumnName("…")]</c> as a literal that compiles whatever characters it holds.
/// </summary>
internal static class CSharpNames
{
    private static readonly HashSet<string> Keywords =
    [
        "abstract", "as", "base", "bool", "break", "byte", "case", "catch", "char", "checked", "class", "const", "continue",
        "decimal", "default", "delegate", "do", "double", "else", "enum", "event", "explicit", "extern", "false", "finally",
        "fixed", "float", "for", "foreach", "goto", "if", "implicit", "in", "int", "interface", "internal", "is", "lock",
        "long", "namespace", "new", "null", "object", "operator", "out", "override", "params", "private", "protected",
        "public", "readonly", "ref", "return", "sbyte", "sealed", "short", "sizeof", "stackalloc", "static", "string",
        "struct", "switch", "this", "throw", "true", "try", "typeof", "uint", "ulong", "unchecked", "unsafe", "ushort",
        "using", "virtual", "void", "volatile", "while",
    ];

    /// <summary>Whether <paramref name="name"/> can be used as it is: an identifier that is no keyword.</summary>
    public static bool IsIdentifier(string name)
    {
        if (name.Length == 0 || Keywords.Contains(name)) return false;
        if (!(name[0] == '_' || char.IsLetter(name[0]))) return false;
        return name.All(c => c == '_' || char.IsLetterOrDigit(c) || CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.ConnectorPunctuation);
    }

    /// <summary>
    /// A PascalCase identifier made of the letters and digits of <paramref name="name"/> ("petal length (cm)" →
    /// "PetalLengthCm"), "Col" before a leading digit, <paramref name="fallback"/> when nothing is left (a keyword,
    /// all lower case, is capitalized: "class" → "Class"); <paramref name="taken"/> (updated) keeps names unique with a number suffix.
    /// </summary>
    public static string Identifier(string name, ISet<string> taken, string fallback = "Column")
    {
        string candidate;
        if (IsIdentifier(name)) candidate = name;
        else
        {
            var builder = new StringBuilder();
            foreach (var part in name.Split(c => !(char.IsLetterOrDigit(c) || c == '_')))
                if (part.Length > 0) builder.Append(char.ToUpperInvariant(part[0])).Append(part.AsSpan(1));
            candidate = builder.Length == 0 ? fallback : builder.ToString();
            if (char.IsDigit(candidate[0])) candidate = "Col" + candidate;
        }
        string unique = candidate;
        for (int i = 2; !taken.Add(unique); i++) unique = candidate + i.ToString(CultureInfo.InvariantCulture);
        return unique;
    }

    /// <summary>A regular C# string literal holding <paramref name="value"/> exactly.</summary>
    public static string Literal(string value)
    {
        var builder = new StringBuilder("\"");
        foreach (char c in value)
        {
            builder.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ when char.IsControl(c) || char.IsSurrogate(c) || c is '\u2028' or '\u2029' or '\u0085' => $"\\u{(int)c:x4}",
                _ => c.ToString(),
            });
        }
        return builder.Append('"').ToString();
    }
}

/// <summary>Splits a string where a predicate holds (string.Split takes characters, not a rule).</summary>
file static class SplitExtension
{
    public static IEnumerable<string> Split(this string text, Func<char, bool> isSeparator)
    {
        int start = 0;
        for (int i = 0; i <= text.Length; i++)
        {
            if (i < text.Length && !isSeparator(text[i])) continue;
            yield return text[start..i];
            start = i + 1;
        }
    }
}
