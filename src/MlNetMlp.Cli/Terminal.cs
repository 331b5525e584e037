using System.Text.Json;
using Spectre.Console;

namespace MlNetMlp.Cli;

/// <summary>Where output goes and how rich it may be: bars and tables in a terminal, plain lines otherwise.</summary>
internal static class Terminal
{
    public static bool IsInteractive { get; } =
        !Console.IsOutputRedirected && !Console.IsErrorRedirected &&
        !string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase) &&
        Environment.GetEnvironmentVariable("TERM") is not (null or "dumb");

    public static void Line(string text)
    {
        if (IsInteractive) AnsiConsole.MarkupLine(Markup.Escape(text));
        else Console.WriteLine(text);
    }

    /// <summary>The machine-readable result: always the last line written to stdout.</summary>
    public static void JsonLine(IReadOnlyDictionary<string, object?> values)
    {
        Console.Out.Flush();
        Console.WriteLine(JsonSerializer.Serialize(values));
    }
}
