using MlNetMlp.Persistence;

namespace MlNetMlp.Numerics;

/// <summary>
/// Everything <see cref="MlpTrainingLoop"/> needs to continue a run exactly where it stopped, taken at an
/// epoch boundary: weights, optimizer state and step count, the epoch reached (which is also the
/// learning-rate schedule's position), early-stopping state with the best weights, and the history.
/// Shuffling and dropout are derived from (seed, epoch[, batch]), so the seed is all the random state there is.
/// </summary>
/// <remarks>Framed and checked by <see cref="CheckpointFile"/> (magic, version, payload, CRC-32).</remarks>
internal sealed class TrainingCheckpoint
{
    /// <summary>The file name inside the checkpoint directory; each save replaces it atomically.</summary>
    public const string FileName = "mlp-checkpoint.bin";

    private static ReadOnlySpan<byte> Magic => "MLPCKPT\n"u8;
    /// <summary>2 added the starting loss, the training data's fingerprint and the result-shaping options; a version 1 file is refused by name.</summary>
    private const int FormatVersion = 2;
    private const int MaxLayers = 1024, MaxWidth = 1 << 24, MaxHistory = 10_000_000;

    public required int Seed { get; init; }
    public required int FirstEpoch { get; init; }
    /// <summary>Epochs of this run already done (0-based index of the next one).</summary>
    public required int EpochsDone { get; init; }
    public required bool Finished { get; init; }
    /// <summary>Training rows when they were materialized, −1 when streamed.</summary>
    public required long TrainRows { get; init; }
    public required int BatchSize { get; init; }
    public required MlpOptimizer Optimizer { get; init; }
    public required int OptimizerStep { get; init; }
    public required float[] OptimizerState1 { get; init; }
    public required float[] OptimizerState2 { get; init; }
    public required MlpNetwork Network { get; init; }
    public required double BestLoss { get; init; }
    public required int BestEpoch { get; init; }
    public required int EpochsWithoutImprovement { get; init; }
    /// <summary>The best epoch's weights (early stopping only).</summary>
    public required MlpNetwork? Best { get; init; }
    public required IReadOnlyList<MlpEpochRecord> History { get; init; }
    /// <summary>The first loss, the training data and the result-shaping options (<see cref="SettingsOf"/>) of the run.</summary>
    public required CheckpointRun Run { get; init; }

    /// <summary>Where this checkpoint was read from (for error messages); null when built in memory.</summary>
    public string? SourcePath { get; private init; }

    public static string PathIn(string directory) => System.IO.Path.Combine(directory, FileName);

    /// <summary>Writes the checkpoint through a temporary file and an atomic rename.</summary>
    public void Save(string path) => CheckpointFile.Write(path, Magic, FormatVersion, writer =>
    {
        writer.Write(Seed);
        writer.Write(FirstEpoch);
        writer.Write(EpochsDone);
        writer.Write(Finished);
        writer.Write(TrainRows);
        writer.Write(BatchSize);
        WriteNetwork(writer, Network);
        writer.Write((int)Optimizer);
        writer.Write(OptimizerStep);
        writer.WriteFloats(OptimizerState1);
        writer.WriteFloats(OptimizerState2);
        writer.Write(BestLoss);
        writer.Write(BestEpoch);
        writer.Write(EpochsWithoutImprovement);
        writer.Write(Best is not null);
        if (Best is not null) WriteNetwork(writer, Best);
        Persistence.EpochHistoryFormat.Write(writer, History, withElapsed: true);
        Run.Write(writer);
    });

    /// <exception cref="InvalidDataException">The file is empty, truncated, corrupt, not a checkpoint, or of another format version.</exception>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    public static TrainingCheckpoint Load(string path) => CheckpointFile.Read(path, Magic, FormatVersion, "MLP", reader =>
    {
        int seed = reader.ReadInt32(), firstEpoch = reader.ReadInt32(), epochsDone = reader.Count(MaxHistory, "epochs done");
        bool finished = reader.ReadBoolean();
        long trainRows = reader.ReadInt64();
        int batchSize = reader.ReadInt32();
        MlpNetwork network = ReadNetwork(reader, "network");
        int optimizer = reader.ReadInt32();
        if (!Enum.IsDefined(typeof(MlpOptimizer), optimizer)) throw reader.Bad($"unknown optimizer {optimizer}");
        int step = reader.ReadInt32();
        float[] state1 = reader.Floats("optimizer state 1"), state2 = reader.Floats("optimizer state 2");
        double bestLoss = reader.ReadDouble();
        int bestEpoch = reader.ReadInt32(), withoutImprovement = reader.ReadInt32();
        MlpNetwork? best = reader.ReadBoolean() ? ReadNetwork(reader, "best network") : null;
        int historyCount = reader.Count(MaxHistory, "history length");
        var history = Persistence.EpochHistoryFormat.Read(reader, historyCount, withElapsed: true);
        var run = CheckpointRun.Read(reader);
        reader.ExpectEnd("options");
        if (historyCount != epochsDone) throw reader.Bad($"the history has {historyCount} epochs but {epochsDone} are recorded as done");
        return new TrainingCheckpoint
        {
            Seed = seed, FirstEpoch = firstEpoch, EpochsDone = epochsDone, Finished = finished, TrainRows = trainRows, BatchSize = batchSize,
            Network = network, Optimizer = (MlpOptimizer)optimizer, OptimizerStep = step, OptimizerState1 = state1, OptimizerState2 = state2,
            BestLoss = bestLoss, BestEpoch = bestEpoch, EpochsWithoutImprovement = withoutImprovement, Best = best, History = history,
            Run = run, SourcePath = path,
        };
    });

    private static MlpNetwork ReadNetwork(CheckpointReader reader, string what)
    {
        int layers = reader.Count(MaxLayers, $"{what} layer count");
        if (layers < 2) throw reader.Bad($"{what} has {layers} layer sizes");
        var sizes = new int[layers];
        for (int i = 0; i < layers; i++)
        {
            sizes[i] = reader.ReadInt32();
            if (sizes[i] <= 0 || sizes[i] > MaxWidth) throw reader.Bad($"{what} layer size {sizes[i]}");
        }
        int activation = reader.ReadInt32();
        if (!Enum.IsDefined(typeof(MlpActivation), activation)) throw reader.Bad($"{what} has unknown activation {activation}");
        float slope = reader.ReadSingle(), alpha = reader.ReadSingle();
        long parameterBytes = 0;
        for (int i = 0; i + 1 < layers; i++) parameterBytes += 4L * ((long)sizes[i] * sizes[i + 1] + sizes[i + 1]);
        if (parameterBytes > reader.BaseStream.Length - reader.BaseStream.Position) throw reader.Bad($"{what} weights are cut short");
        var network = new MlpNetwork(sizes, (MlpActivation)activation, slope, alpha);
        for (int l = 0; l < network.LinearLayerCount; l++)
        {
            float[] w = reader.Floats(network.Weights[l].Length, $"{what} layer {l} weights"), b = reader.Floats(network.Biases[l].Length, $"{what} layer {l} biases");
            w.CopyTo(network.Weights[l], 0);
            b.CopyTo(network.Biases[l], 0);
        }
        return network;
    }

    /// <summary>Throws <see cref="InvalidDataException"/> naming the file when this checkpoint was not written by an equivalent training.</summary>
    public void CheckMatches(MlpNetwork network, MlpTrainer.Options options, int firstEpoch, long trainRows, int batchSize, int optimizerStateLength,
        DataFingerprint data)
    {
        void Require(bool same, string what, object? inCheckpoint, object? now) => CheckpointFile.RequireSame(SourcePath, same, what, inCheckpoint, now);
        Require(Network.LayerSizes.AsSpan().SequenceEqual(network.LayerSizes), "network", string.Join('-', Network.LayerSizes), string.Join('-', network.LayerSizes));
        Require(Network.Activation == network.Activation, "activation", Network.Activation, network.Activation);
        Require(Optimizer == options.Optimizer, "optimizer", Optimizer, options.Optimizer);
        Require(FirstEpoch == firstEpoch, "first epoch", FirstEpoch, firstEpoch);
        Require(TrainRows < 0 || trainRows < 0 || TrainRows == trainRows, "number of training rows", TrainRows, trainRows);
        Require(BatchSize == batchSize, "batch size", BatchSize, batchSize);
        Require((Best is not null) == MlpTrainingLoop.TracksBest(options), "best-epoch tracking (EarlyStopping or OnDivergence = KeepBest)",
            Best is not null, MlpTrainingLoop.TracksBest(options));
        Require(OptimizerState1.Length + OptimizerState2.Length == optimizerStateLength, "optimizer state size", OptimizerState1.Length + OptimizerState2.Length, optimizerStateLength);
        Require(EpochsDone <= options.Epochs, "number of epochs done (at most Epochs)", EpochsDone, options.Epochs);
        Run.CheckMatches(SourcePath, data, SettingsOf(options));
    }

    /// <summary>
    /// The options that shape the weights beyond what is checked on its own (network, optimizer, batch size, best-epoch
    /// tracking): update rule constants, dropout, schedule, split, monitoring and data order. Left out: Epochs (a
    /// finished run may be continued for more), and LearningRate and L2Regularization, which a resume may lower on
    /// purpose, to continue a run that began to diverge (README, "Errors and recovery").
    /// </summary>
    public static string SettingsOf(MlpTrainer.Options o) => CheckpointFile.Settings(
        (nameof(o.Momentum), o.Momentum), (nameof(o.Nesterov), o.Nesterov), (nameof(o.Beta1), o.Beta1),
        (nameof(o.Beta2), o.Beta2), (nameof(o.Epsilon), o.Epsilon), (nameof(o.Dropout), o.Dropout),
        (nameof(o.LearningRateSchedule), o.LearningRateSchedule), (nameof(o.LearningRateDecay), o.LearningRateDecay),
        (nameof(o.LearningRateStepEpochs), o.LearningRateStepEpochs), (nameof(o.MinLearningRate), o.MinLearningRate),
        (nameof(o.ValidationFraction), o.ValidationFraction), (nameof(o.EarlyStopping), o.EarlyStopping),
        (nameof(o.EarlyStoppingPatience), o.EarlyStoppingPatience), (nameof(o.EarlyStoppingMinDelta), o.EarlyStoppingMinDelta),
        (nameof(o.MonitoringSubsetSize), o.MonitoringSubsetSize), (nameof(o.Shuffle), o.Shuffle), (nameof(o.ShuffleBufferSize), o.ShuffleBufferSize),
        (nameof(o.LeakyReluSlope), o.LeakyReluSlope), (nameof(o.EluAlpha), o.EluAlpha));

    private static void WriteNetwork(BinaryWriter writer, MlpNetwork network)
    {
        writer.Write(network.LayerSizes.Length);
        foreach (int size in network.LayerSizes) writer.Write(size);
        writer.Write((int)network.Activation);
        writer.Write(network.LeakyReluSlope);
        writer.Write(network.EluAlpha);
        for (int l = 0; l < network.LinearLayerCount; l++)
        {
            writer.WriteFloats(network.Weights[l]);
            writer.WriteFloats(network.Biases[l]);
        }
    }
}
