using MlNetMlp.Numerics;

namespace MlNetMlp.Tests.Numerics;

/// <summary>
/// Trains an <see cref="MlpNetwork"/> on rows in memory the way the MLP trainers' Fit does (hold-out and monitoring plan,
/// in-memory batches, <see cref="MlpEngine"/>, <see cref="TrainingLoop"/>), without an IDataView: the loop's tests drive it
/// directly. The caller's network is not modified.
/// </summary>
internal static class LoopHarness
{
    public sealed record Result(MlpNetwork Network, IReadOnlyList<EpochRecord> History, int BestEpoch, bool StoppedEarly);

    public static Result Train(MlpNetwork network, TrainingSet train, TrainingSet? validation, MlpTrainer.Options options, int seed, int firstEpoch,
        Action<EpochRecord>? onEpoch, CancellationToken cancellationToken, Checkpointing<TrainingCheckpoint>? checkpointing = null,
        Action<TrainingDivergedException>? onDiverged = null, TaskHead? head = null)
    {
        head ??= new MulticlassHead(network.OutputCount);
        if (train.Rows == 0) throw new ArgumentException("There are no training rows.", nameof(train));
        train.CheckFits(network.InputSize, head, nameof(train));
        validation?.CheckFits(network.InputSize, head, nameof(validation));
        network = network.Clone();
        var rows = TrainingRows.Plan(train, validation, options.ValidationFraction, options.MonitoringSubsetSize, seed);
        var batches = new InMemoryBatches(train, rows.Train, options.BatchSize, options.Shuffle, seed);
        using var engine = new MlpEngine(network, TrainingMemory.Threads(options.NumberOfThreads), batches.BatchSize, head, options, options.Dropout);
        var run = new TrainingLoop.Run(batches, train, rows.TrainMonitor, rows.ValidationData, rows.ValidationMonitor, options, head, seed, firstEpoch,
            TrainingCheckpoint.SettingsOf(options, head, MlpDefinition.Instance.Settings(options)), checkpointing);
        var result = TrainingLoop.Train(network, engine, run, onEpoch, onDiverged, cancellationToken);
        return new Result(network, result.History, result.BestEpoch, result.StoppedEarly);
    }
}
