using Microsoft.ML.Model.OnnxConverter;

namespace MlNetMlp.Onnx;

/// <summary>
/// A network (<see cref="Numerics.INetworkOutputs{TWorkspace}"/>) that can write itself up to the raw output layer as
/// ONNX nodes; the task (<see cref="Scoring.ScoringTask"/>) adds what turns the outputs into its columns.
/// </summary>
internal interface IOnnxOutputsModel
{
    /// <summary>Adds the nodes from <paramref name="featuresVariable"/> ([N, InputSize] float) and returns the outputs variable ([N, OutputCount] float).</summary>
    string SaveOutputsAsOnnx(OnnxContext ctx, string featuresVariable);
}
