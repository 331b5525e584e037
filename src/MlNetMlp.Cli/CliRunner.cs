
namespace MlNetMlp.Cli;

/// <summary>Runs a command with the CLI's error contract: exit 2 and one line, never a stack trace.</summary>
internal static class CliRunner
{
    public const int Failure = 2;
    public const int Interrupted = 130;

    public static async Task<int> InvokeAsync(RootCommand root, string[] args)
    {
        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            // First Ctrl+C asks training to stop at the next mini-batch; a second one kills the process.
            if (cancel.IsCancellationRequested) return;
            e.Cancel = true;
            cancel.Cancel();
        };
        var parse = OptionValues.RequireFiniteNumbers(root).Parse(args);
        if (parse.Errors.Count > 0)
        {
            // One line, whatever the parser says (its enum errors list the choices on separate lines).
            var messages = parse.Errors.Select(error => string.Join(" ", error.Message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)));
            Console.Error.WriteLine($"error: {string.Join("; ", messages)}");
            return Failure;
        }
        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false }, cancel.Token);
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("interrupted: no model was written.");
            return Interrupted;
        }
        catch (ArgumentException e) when (TrainerOptionNames.Describe(e, parse) is string message)
        {
            Console.Error.WriteLine($"error: {message}");
            return Failure;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"error: {OneLine(e)}");
            return Failure;
        }
    }

    private static string OneLine(Exception e)
    {
        // Reflection and type-initialization wrappers hide the real message.
        while (e is System.Reflection.TargetInvocationException or TypeInitializationException or AggregateException && e.InnerException != null)
            e = e.InnerException!;
        // .NET's " (Parameter '--out')" and "Actual value was …" only repeat what a message that names its option says.
        string message = e is ArgumentException { ParamName: string name } argument && ArgumentMessages.Bare(argument) is var bare
            && bare.Contains(name, StringComparison.Ordinal) ? bare : e.Message;
        return string.Join(" ", message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }
}
