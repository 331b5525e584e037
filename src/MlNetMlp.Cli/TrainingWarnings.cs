namespace MlNetMlp.Cli;

/// <summary>The trainer's warnings about a finished model (such as a one-class predictor), one <c>warning: …</c> line each on stderr; the exit code stays 0.</summary>
internal static class TrainingWarnings
{
    public static void Print(IReadOnlyList<string> warnings)
    {
        foreach (string warning in warnings)
            Console.Error.WriteLine($"warning: {string.Join(" ", warning.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))}");
    }
}
