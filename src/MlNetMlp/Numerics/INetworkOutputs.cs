namespace MlNetMlp.Numerics;

/// <summary>
/// What scoring runs a trained network through: a read-only map from rows of <see cref="InputSize"/> floats to the raw
/// output layer (<see cref="OutputCount"/> values a row: logits for classification, the standardized prediction for
/// regression), safe to call from many threads at once, each with its own workspace. The MLP and the CNN both are one;
/// what a task makes of the outputs (softmax, sigmoid, undoing the target's standardization) is
/// <see cref="Scoring.ScoringTask"/>'s business, so one scoring mapping serves every network and task.
/// </summary>
internal interface INetworkOutputs<TWorkspace>
{
    int InputSize { get; }

    /// <summary>Units of the output layer: classes for multiclass, 1 for binary and regression.</summary>
    int OutputCount { get; }

    /// <summary>Rows each core scores per lookahead block: enough work to be worth handing to another thread.</summary>
    int BlockRowsPerCore { get; }

    TWorkspace CreateWorkspace(int maxRows);

    /// <summary>
    /// The output layer (rows × <see cref="OutputCount"/>) of <paramref name="features"/> (rows × <see cref="InputSize"/>).
    /// Every row goes through one fixed sequence of operations, so a row scores the same alone or in a block.
    /// </summary>
    void ComputeOutputs(ReadOnlySpan<float> features, int rows, Span<float> outputs, TWorkspace workspace);
}
