using MlNetMlp.Numerics;

namespace MlNetMlp.Cnn;

/// <summary>A trained CNN as the scoring mapping sees it: raw image rows in, class probabilities out.</summary>
internal sealed class CnnProbabilityModel(CnnNetwork network) : IProbabilityModel<CnnWorkspace>
{
    public int InputSize => network.InputShape.Size;

    public int ClassCount => network.ClassCount;

    /// <summary>64 images are milliseconds of convolutions, and the inference workspace grows with the rows.</summary>
    public int BlockRowsPerCore => 64;

    public CnnWorkspace CreateWorkspace(int maxRows) => new(network, maxRows, training: false);

    public void PredictProbabilities(ReadOnlySpan<float> features, int rows, Span<float> probabilities, CnnWorkspace workspace) =>
        network.PredictProbabilities(features, rows, probabilities, workspace);
}
