using Microsoft.ML.Runtime;
using MlNetMlp.Numerics;
using MlNetMlp.Persistence;

namespace MlNetMlp;

/// <summary>
/// The warnings every trainer gives about a finished model (today: <see cref="OneClassPrediction"/>), written to the
/// MLContext's log through an ML.NET channel and returned for the model's <c>TrainingWarnings</c>.
/// </summary>
internal static class TrainerWarnings
{
    public static string[] Report<TWorkspace>(IHost host, INetworkOutputs<TWorkspace> model, MlpDataSet train, LabelKeyValues? keyValues)
    {
        string? warning = OneClassPrediction.Warning(model, train, keyValues?.AsText().Select(v => v.ToString()).ToArray());
        if (warning is null) return [];
        using var channel = host.Start("Training");
        channel.Warning(MessageSensitivity.None, "{0}", warning);
        return [warning];
    }
}
