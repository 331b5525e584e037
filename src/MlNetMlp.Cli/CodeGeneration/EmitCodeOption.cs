using System.CommandLine.Invocation;

namespace MlNetMlp.Cli.CodeGeneration;

/// <summary>
/// <c>train --emit-code DIR</c>: wraps the train command's action, so the directory is checked before training and the
/// code is written from the saved model file after it, whichever network was trained; the command itself is unchanged.
/// </summary>
internal static class EmitCodeOption
{
    public const string Name = "--emit-code";

    /// <summary>Adds the option to <paramref name="train"/> (after its action is set); <paramref name="modelOutput"/> is its --out.</summary>
    public static void AddTo(Command train, Option<string> modelOutput)
    {
        var emitCode = new Option<string?>(Name) { HelpName = "DIR", Description = "After saving the model, write a C# project in DIR that predicts with it (ModelInput/ModelOutput, Predict; Model Builder's style)." };
        var json = train.Options.FirstOrDefault(o => o.Name == "--json") as Option<bool>;
        train.Options.Add(emitCode);
        var run = train.Action as AsynchronousCommandLineAction
            ?? throw new InvalidOperationException($"{Name} wraps the asynchronous action of '{train.Name}', which has none.");
        train.SetAction(async (parse, cancellationToken) =>
        {
            string? directory = parse.GetValue(emitCode);
            if (directory is null) return await run.InvokeAsync(parse, cancellationToken);
            string modelPath = parse.GetValue(modelOutput)!;
            CodeEmitter.Check(Name, directory, modelOutput.Name, modelPath);
            int exitCode = await run.InvokeAsync(parse, cancellationToken);
            if (exitCode != 0) return exitCode;
            var files = CodeEmitter.Emit(Name, directory, modelOutput.Name, modelPath);
            // With --json the object stays the last line of stdout.
            var notice = json is not null && parse.GetValue(json) ? Console.Error : Console.Out;
            notice.WriteLine($"wrote {directory}: {string.Join(", ", files)} (build and run it with: dotnet run --project {directory})");
            return exitCode;
        });
    }
}
