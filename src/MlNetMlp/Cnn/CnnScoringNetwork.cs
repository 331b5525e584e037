using Microsoft.ML.Model.OnnxConverter;
using MlNetMlp.Numerics;
using MlNetMlp.Onnx;

namespace MlNetMlp.Cnn;

/// <summary>A trained CNN as scoring sees it: raw image rows in, the output layer out (inference mode).</summary>
internal sealed class CnnScoringNetwork(CnnNetwork network) : INetworkOutputs<CnnWorkspace>, IOnnxOutputsModel
{
    public int InputSize => network.InputShape.Size;

    public int OutputCount => network.ClassCount;

    /// <summary>64 images are milliseconds of convolutions, and the inference workspace grows with the rows.</summary>
    public int BlockRowsPerCore => 64;

    /// <summary>
    /// Fewer rows for a model with huge activations (<see cref="ScoringBlock"/>; the network works through the rows a
    /// workspace-full at a time), so a model declaring huge images scores in smaller blocks instead of overflowing.
    /// </summary>
    public CnnWorkspace CreateWorkspace(int maxRows)
    {
        long largest = network.InputShape.Size;
        foreach (var layer in network.Layers)
        {
            largest = Math.Max(largest, layer.Output.Size);
            if (layer is Conv2DLayer conv) largest = Math.Max(largest, (long)conv.Geometry.PaddedHeight * conv.Geometry.PaddedWidth * conv.Geometry.InChannels);
        }
        return new(network, ScoringBlock.Rows(maxRows, largest), training: false);
    }

    public void ComputeOutputs(ReadOnlySpan<float> features, int rows, Span<float> outputs, CnnWorkspace workspace) =>
        network.ComputeLogits(features, rows, outputs, workspace);

    string IOnnxOutputsModel.SaveOutputsAsOnnx(OnnxContext ctx, string featuresVariable) => CnnOnnxGraph.SaveLogits(ctx, featuresVariable, network);
}
