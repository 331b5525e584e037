namespace MlNetMlp.Numerics;

/// <summary>
/// What <see cref="Mapping.ProbabilityScoringMapping{TWorkspace}"/> scores with: a read-only classifier from rows of
/// <see cref="InputSize"/> floats to <see cref="ClassCount"/> probabilities, safe to call from many threads at
/// once, each with its own workspace. The MLP and the CNN both are one.
/// </summary>
internal interface IProbabilityModel<TWorkspace>
{
    int InputSize { get; }
    int ClassCount { get; }

    /// <summary>Rows each core scores per lookahead block: enough work to be worth handing to another thread.</summary>
    int BlockRowsPerCore { get; }

    TWorkspace CreateWorkspace(int maxRows);

    void PredictProbabilities(ReadOnlySpan<float> features, int rows, Span<float> probabilities, TWorkspace workspace);
}
