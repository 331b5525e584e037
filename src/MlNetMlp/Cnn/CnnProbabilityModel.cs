using Microsoft.ML.Model.OnnxConverter;
using MlNetMlp.Numerics;
using MlNetMlp.Onnx;

namespace MlNetMlp.Cnn;

/// <summary>A trained CNN as the scoring mapping sees it: raw image rows in, class probabilities out.</summary>
internal sealed class CnnProbabilityModel(CnnNetwork network) : IProbabilityModel<CnnWorkspace>, IOnnxLogitsModel
{
    public int InputSize => network.InputShape.Size;

    public int ClassCount => network.ClassCount;

    /// <summary>64 images are milliseconds of convolutions, and the inference workspace grows with the rows.</summary>
    public int BlockRowsPerCore => 64;

    public CnnWorkspace CreateWorkspace(int maxRows) => new(network, maxRows, training: false);

    public void PredictProbabilities(ReadOnlySpan<float> features, int rows, Span<float> probabilities, CnnWorkspace workspace) =>
        network.PredictProbabilities(features, rows, probabilities, workspace);

    string IOnnxLogitsModel.SaveLogitsAsOnnx(OnnxContext ctx, string featuresVariable) => CnnOnnxGraph.SaveLogits(ctx, featuresVariable, network);
}
