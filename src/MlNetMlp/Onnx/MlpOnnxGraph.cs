using Microsoft.ML.Model.OnnxConverter;
using MlNetMlp.Numerics;

namespace MlNetMlp.Onnx;

/// <summary>An MLP's forward pass up to the logits as ONNX: one Gemm per linear layer, the activation after each hidden one.</summary>
internal static class MlpOnnxGraph
{
    /// <param name="ctx">The export context.</param>
    /// <param name="features">Variable of the [N, LayerSizes[0]] input.</param>
    /// <param name="layerSizes">Input size, hidden widths, class count.</param>
    /// <param name="weightsInByOut">Layer l's weights as [LayerSizes[l] × LayerSizes[l+1]] row-major.</param>
    /// <param name="biases">Layer l's LayerSizes[l+1] biases.</param>
    /// <param name="activation">Hidden nonlinearity and its constants.</param>
    /// <param name="leakyReluSlope">Slope of LeakyRelu below zero.</param>
    /// <param name="eluAlpha">α of Elu.</param>
    public static string SaveLogits(OnnxContext ctx, string features, IReadOnlyList<int> layerSizes, Func<int, float[]> weightsInByOut,
        Func<int, float[]> biases, MlpActivation activation, float leakyReluSlope, float eluAlpha)
    {
        string current = features;
        int last = layerSizes.Count - 2;
        for (int l = 0; l <= last; l++)
        {
            current = OnnxNodes.Dense(ctx, current, weightsInByOut(l), biases(l), layerSizes[l], layerSizes[l + 1], $"mlp_linear{l}");
            if (l < last)
                current = OnnxNodes.Activation(ctx, current, activation, leakyReluSlope, eluAlpha, $"mlp_act{l}");
        }
        return current;
    }
}
