using MlNetMlp.Cli;

// Exit codes: 0 success, 2 bad input or failure (one line on stderr, no stack trace), 130 interrupted.
var root = new RootCommand("mlnetmlp: train, evaluate and use multilayer perceptrons on Fashion-MNIST with ML.NET.")
{
    TrainCommand.Create(),
    EvaluateCommand.Create(),
    PredictCommand.Create(),
    ExportCommand.Create(),
    BenchMemoryCommand.AddTo(BenchCommand.Create()),
    ExperimentsCommand.Create(),
    SweepCommand.Create(),
};
return await CliRunner.InvokeAsync(root, args);
