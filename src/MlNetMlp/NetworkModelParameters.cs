using Microsoft.ML;
using MlNetMlp.Mapping;
using MlNetMlp.Persistence;
using MlNetMlp.Scoring;

namespace MlNetMlp;

/// <summary>
/// A trained network, whichever its architecture (<see cref="MlpModelParameters"/>, <see cref="CnnModelParameters"/>)
/// and task: what every prediction transformer scores with and saves. The output layer's meaning is the task's
/// (multiclass: one logit per class; binary: one logit; regression: the standardized prediction).
/// </summary>
public abstract class NetworkModelParameters
{
    private protected NetworkModelParameters(IReadOnlyList<EpochRecord> history)
    {
        History = history;
    }

    /// <summary>Length of the feature vector the network reads.</summary>
    public abstract int InputSize { get; }

    /// <summary>Units of the output layer: classes for multiclass, 1 for binary classification and regression.</summary>
    public abstract int OutputCount { get; }

    /// <summary>Total number of trainable parameters.</summary>
    public abstract long ParameterCount { get; }

    /// <summary>
    /// Per-epoch training history, oldest first (including epochs before a warm start). Saved with the model except
    /// <see cref="EpochRecord.Elapsed"/>, which reads as zero after loading (timings would make model files
    /// irreproducible).
    /// </summary>
    public IReadOnlyList<EpochRecord> History { get; }

    /// <summary>
    /// Warnings about the training that produced this model, such as a model that predicts one class for almost every
    /// row (also written to the MLContext's log). Not saved with the model: empty after loading.
    /// </summary>
    public IReadOnlyList<string> TrainingWarnings { get; internal set; } = [];

    /// <summary>Which architecture this is, as model files name it.</summary>
    internal abstract NetworkKind Kind { get; }

    /// <summary>The scoring view: this network's outputs turned into <paramref name="task"/>'s columns, for <paramref name="inputSchema"/>.</summary>
    internal abstract IRowMapping BindScoring(ScoringTask task, DataViewSchema inputSchema, string featureColumnName);

    /// <summary>Writes the architecture's own payload (the kind is not in it: the caller writes it when it needs to).</summary>
    internal abstract void Save(BinaryWriter writer);

    /// <summary>Reads a payload of <paramref name="kind"/>, written by <see cref="Save"/>.</summary>
    internal static NetworkModelParameters Load(BinaryReader reader, NetworkKind kind) => kind switch
    {
        NetworkKind.Mlp => MlpModelParameters.Load(reader),
        NetworkKind.Cnn => CnnModelParameters.Load(reader),
        _ => throw ModelFormat.Corrupt($"unknown network kind {(int)kind}"),
    };

    /// <summary>Writes the kind tag, then the payload.</summary>
    internal void SaveWithKind(BinaryWriter writer)
    {
        writer.Write((int)Kind);
        Save(writer);
    }

    /// <summary>Reads what <see cref="SaveWithKind"/> wrote.</summary>
    internal static NetworkModelParameters LoadWithKind(BinaryReader reader)
    {
        int kind = reader.ReadInt32();
        if (!Enum.IsDefined((NetworkKind)kind)) throw ModelFormat.Corrupt($"unknown network kind {kind}");
        return Load(reader, (NetworkKind)kind);
    }
}

/// <summary>The architectures a model file can hold; stable codes, appended, never renumbered.</summary>
internal enum NetworkKind
{
    Mlp = 1,
    Cnn = 2,
}
