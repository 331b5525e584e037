using Microsoft.ML.Model.OnnxConverter;

namespace MlNetMlp.Onnx;

/// <summary>
/// A probability model (<see cref="Numerics.IProbabilityModel{TWorkspace}"/>) that can write its network up to
/// the pre-softmax outputs as ONNX nodes; the scoring mapping adds the softmax and the predicted key.
/// </summary>
internal interface IOnnxLogitsModel
{
    /// <summary>Adds the nodes from <paramref name="featuresVariable"/> ([N, InputSize] float) and returns the logits variable ([N, ClassCount] float).</summary>
    string SaveLogitsAsOnnx(OnnxContext ctx, string featuresVariable);
}
