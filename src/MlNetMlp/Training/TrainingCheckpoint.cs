using MlNetMlp.Persistence;

namespace MlNetMlp.Training;

/// <summary>
/// Everything <see cref="TrainingLoop"/> needs to continue a run exactly where it stopped, taken at an epoch boundary, for
/// every network and task: the network's state (parameters and running statistics), the optimizer's state and step
/// count, the epoch reached (which is also the learning-rate schedule's position), early-stopping state with the best
/// epoch's state, and the history. Shuffling, dropout and augmentation derive from (seed, epoch[, batch, row]), so the
/// seed is all the random state there is.
/// </summary>
/// <remarks>
/// Framed and checked by <see cref="CheckpointFile"/> (magic, version, payload, CRC-32). Format 3 is the first shared by
/// the MLP and the CNN (file <see cref="FileName"/>); the format-2 files of earlier releases (<c>mlp-checkpoint.bin</c>,
/// <c>cnn-checkpoint.bin</c>) are refused by name when a resume finds one.
/// </remarks>
internal sealed class TrainingCheckpoint
{
    /// <summary>The file name inside the checkpoint directory; each save replaces it atomically.</summary>
    public const string FileName = "checkpoint.bin";

    /// <summary>The files earlier releases wrote, one per network, in format 2.</summary>
    public static readonly string[] EarlierFileNames = ["mlp-checkpoint.bin", "cnn-checkpoint.bin"];

    private static ReadOnlySpan<byte> Magic => "NNCKPT3\n"u8;
    private const int FormatVersion = 3;
    private const int MaxHistory = 10_000_000;

    public required int Seed { get; init; }
    public required int FirstEpoch { get; init; }
    /// <summary>Epochs of this run already done (0-based index of the next one).</summary>
    public required int EpochsDone { get; init; }
    /// <summary>Whether early stopping ended the run at <see cref="EpochsDone"/>.</summary>
    public required bool Finished { get; init; }
    /// <summary>Training rows when they were materialized, −1 when streamed.</summary>
    public required long TrainRows { get; init; }
    public required int BatchSize { get; init; }
    /// <summary>The network's architecture (<see cref="ITrainableNetwork.Description"/>).</summary>
    public required string Network { get; init; }
    public required float[] State { get; init; }
    public required Optimizer Optimizer { get; init; }
    public required int OptimizerStep { get; init; }
    public required float[] OptimizerState1 { get; init; }
    public required float[] OptimizerState2 { get; init; }
    public required double BestLoss { get; init; }
    public required int BestEpoch { get; init; }
    public required int EpochsWithoutImprovement { get; init; }
    /// <summary>The best epoch's state (early stopping or keep-best on divergence only).</summary>
    public required float[]? Best { get; init; }
    public required IReadOnlyList<EpochRecord> History { get; init; }
    /// <summary>The first loss, the training data and the result-shaping options of the run.</summary>
    public required CheckpointRun Run { get; init; }

    /// <summary>Where this checkpoint was read from (for error messages); null when built in memory.</summary>
    public string? SourcePath { get; private init; }

    public static string PathIn(string directory) => Path.Combine(directory, FileName);

    /// <summary>Writes the checkpoint through a temporary file and an atomic rename.</summary>
    public void Save(string path) => CheckpointFile.Write(path, Magic, FormatVersion, writer =>
    {
        writer.Write(Seed);
        writer.Write(FirstEpoch);
        writer.Write(EpochsDone);
        writer.Write(Finished);
        writer.Write(TrainRows);
        writer.Write(BatchSize);
        writer.Write(Network);
        writer.WriteFloats(State);
        writer.Write((int)Optimizer);
        writer.Write(OptimizerStep);
        writer.WriteFloats(OptimizerState1);
        writer.WriteFloats(OptimizerState2);
        writer.Write(BestLoss);
        writer.Write(BestEpoch);
        writer.Write(EpochsWithoutImprovement);
        writer.Write(Best is not null);
        if (Best is not null) writer.WriteFloats(Best);
        EpochHistoryFormat.Write(writer, History, withElapsed: true);
        Run.Write(writer);
    });

    /// <exception cref="InvalidDataException">The file is empty, truncated, corrupt, not a checkpoint, or of another format version.</exception>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    public static TrainingCheckpoint Load(string path) => CheckpointFile.Read(path, Magic, FormatVersion, "training", reader =>
    {
        int seed = reader.ReadInt32(), firstEpoch = reader.ReadInt32(), epochsDone = reader.Count(MaxHistory, "epochs done");
        bool finished = reader.ReadBoolean();
        long trainRows = reader.ReadInt64();
        int batchSize = reader.ReadInt32();
        string network = reader.ReadString();
        float[] state = reader.Floats("network state");
        int optimizer = reader.ReadInt32();
        if (!Enum.IsDefined(typeof(Optimizer), optimizer)) throw reader.Bad($"unknown optimizer {optimizer}");
        int step = reader.ReadInt32();
        float[] state1 = reader.Floats("optimizer state 1"), state2 = reader.Floats("optimizer state 2");
        double bestLoss = reader.ReadDouble();
        int bestEpoch = reader.ReadInt32(), withoutImprovement = reader.ReadInt32();
        float[]? best = reader.ReadBoolean() ? reader.Floats(state.Length, "best network state") : null;
        int historyCount = reader.Count(MaxHistory, "history length");
        var history = EpochHistoryFormat.Read(reader, historyCount, withElapsed: true);
        var run = CheckpointRun.Read(reader);
        reader.ExpectEnd("options");
        if (historyCount != epochsDone) throw reader.Bad($"the history has {historyCount} epochs but {epochsDone} are recorded as done");
        return new TrainingCheckpoint
        {
            Seed = seed, FirstEpoch = firstEpoch, EpochsDone = epochsDone, Finished = finished, TrainRows = trainRows, BatchSize = batchSize,
            Network = network, State = state, Optimizer = (Optimizer)optimizer, OptimizerStep = step, OptimizerState1 = state1,
            OptimizerState2 = state2, BestLoss = bestLoss, BestEpoch = bestEpoch, EpochsWithoutImprovement = withoutImprovement, Best = best,
            History = history, Run = run, SourcePath = path,
        };
    });

    /// <summary>
    /// The checkpoint in <paramref name="directory"/> to resume from, or null when there is none yet; a format-2 file of an
    /// earlier release there (and no format-3 one) is refused by name rather than silently starting over.
    /// </summary>
    public static TrainingCheckpoint? LoadForResume(string directory, int? requestedSeed)
    {
        string path = PathIn(directory);
        if (!File.Exists(path))
        {
            foreach (string earlier in EarlierFileNames)
            {
                string earlierPath = Path.Combine(directory, earlier);
                if (File.Exists(earlierPath))
                    throw CheckpointFile.Bad(earlierPath, "it was written by an earlier release (format version 2, one file per network); this release " +
                        $"resumes format {FormatVersion} ({FileName}), which every network and task shares");
            }
        }
        return CheckpointFile.LoadForResume(path, resume: true, requestedSeed, Load, checkpoint => checkpoint.Seed);
    }

    /// <summary>Throws <see cref="InvalidDataException"/> naming the file when this checkpoint was not written by an equivalent training.</summary>
    public void CheckMatches(ITrainableNetwork network, NetworkTrainerOptions options, int firstEpoch, long trainRows, int batchSize,
        ParameterUpdater optimizer, DataFingerprint data, string settings)
    {
        void Require(bool same, string what, object? inCheckpoint, object? now) => CheckpointFile.RequireSame(SourcePath, same, what, inCheckpoint, now);
        Require(Network == network.Description, "network", Network, network.Description);
        Require(State.Length == network.StateLength, "network state size", State.Length, network.StateLength);
        Require(Optimizer == options.Optimizer, "optimizer", Optimizer, options.Optimizer);
        Require(FirstEpoch == firstEpoch, "first epoch", FirstEpoch, firstEpoch);
        Require(TrainRows < 0 || trainRows < 0 || TrainRows == trainRows, "number of training rows", TrainRows, trainRows);
        Require(BatchSize == batchSize, "batch size", BatchSize, batchSize);
        Require((Best is not null) == options.TracksBest, "best-epoch tracking (EarlyStopping or OnDivergence = KeepBest)", Best is not null, options.TracksBest);
        Require(OptimizerState1.Length == optimizer.State1.Length && OptimizerState2.Length == optimizer.State2.Length, "optimizer state size",
            OptimizerState1.Length + OptimizerState2.Length, optimizer.State1.Length + optimizer.State2.Length);
        Require(EpochsDone <= options.Epochs, "number of epochs done (at most Epochs)", EpochsDone, options.Epochs);
        Run.CheckMatches(SourcePath, data, settings);
    }

    /// <summary>
    /// The shared options that shape the weights beyond what is checked on its own (network, optimizer, batch size,
    /// best-epoch tracking): the task and its loss, update rule constants, schedule, split, monitoring and data order,
    /// followed by the network's own (<paramref name="networkSettings"/>). Left out: Epochs (a finished run may be continued
    /// for more), and LearningRate and L2Regularization, which a resume may lower on purpose, to continue a run that began
    /// to diverge (README, "Errors and recovery").
    /// </summary>
    public static string SettingsOf(NetworkTrainerOptions o, TaskHead head, (string Name, object? Value)[] networkSettings) => CheckpointFile.Settings(
        [("Task", head.Description), (nameof(o.Momentum), o.Momentum), (nameof(o.Nesterov), o.Nesterov), (nameof(o.Beta1), o.Beta1),
        (nameof(o.Beta2), o.Beta2), (nameof(o.Epsilon), o.Epsilon),
        (nameof(o.LearningRateSchedule), o.LearningRateSchedule), (nameof(o.LearningRateDecay), o.LearningRateDecay),
        (nameof(o.LearningRateStepEpochs), o.LearningRateStepEpochs), (nameof(o.MinLearningRate), o.MinLearningRate),
        (nameof(o.ValidationFraction), o.ValidationFraction), (nameof(o.EarlyStopping), o.EarlyStopping),
        (nameof(o.EarlyStoppingPatience), o.EarlyStoppingPatience), (nameof(o.EarlyStoppingMinDelta), o.EarlyStoppingMinDelta),
        (nameof(o.MonitoringSubsetSize), o.MonitoringSubsetSize), (nameof(o.Shuffle), o.Shuffle), (nameof(o.ShuffleBufferSize), o.ShuffleBufferSize),
        (nameof(o.ExampleWeightColumnName), o.ExampleWeightColumnName), .. networkSettings]);
}
