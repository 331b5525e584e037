using MlNetMlp.Numerics;
using MlNetMlp.Persistence;

namespace MlNetMlp.Cnn;

/// <summary>
/// Everything <see cref="CnnTrainingLoop"/> needs to continue a run exactly where it stopped, taken at an epoch
/// boundary: the network (parameters and batch-norm running statistics), Adam's moments and step count, the epoch
/// reached (which is also the learning-rate schedule's position) and the history. Shuffling, dropout and
/// augmentation are derived from (seed, epoch[, batch, row]), so the seed is all the random state there is.
/// </summary>
/// <remarks>Framed and checked by <see cref="CheckpointFile"/> (magic, version, payload, CRC-32).</remarks>
internal sealed class CnnCheckpoint
{
    /// <summary>The file name inside the checkpoint directory; each save replaces it atomically.</summary>
    public const string FileName = "cnn-checkpoint.bin";

    private static ReadOnlySpan<byte> Magic => "CNNCKPT\n"u8;
    /// <summary>2 added the starting loss, the training data's fingerprint and the result-shaping options; a version 1 file is refused by name.</summary>
    private const int FormatVersion = 2;
    private const int MaxSide = 1 << 16, MaxClasses = 1 << 24, MaxHistory = 10_000_000;

    public required int Seed { get; init; }
    public required int FirstEpoch { get; init; }
    /// <summary>Epochs of this run already done (0-based index of the next one).</summary>
    public required int EpochsDone { get; init; }
    /// <summary>Training rows when they were materialized, −1 when streamed.</summary>
    public required long TrainRows { get; init; }
    public required int BatchSize { get; init; }
    public required CnnNetwork Network { get; init; }
    public required int AdamStep { get; init; }
    public required float[] FirstMoment { get; init; }
    public required float[] SecondMoment { get; init; }
    public required IReadOnlyList<MlpEpochRecord> History { get; init; }
    /// <summary>The first loss, the training data and the result-shaping options (<see cref="SettingsOf"/>) of the run.</summary>
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
        writer.Write(TrainRows);
        writer.Write(BatchSize);
        writer.Write(Network.InputShape.Channels);
        writer.Write(Network.InputShape.Height);
        writer.Write(Network.InputShape.Width);
        writer.Write(Network.ClassCount);
        writer.Write(Network.PixelScale);
        writer.Write(CnnLayerSpec.Format(Network.Specs));
        writer.WriteFloats(Network.Parameters);
        writer.WriteFloats(Network.Buffers);
        writer.Write(AdamStep);
        writer.WriteFloats(FirstMoment);
        writer.WriteFloats(SecondMoment);
        EpochHistoryFormat.Write(writer, History, withElapsed: true);
        Run.Write(writer);
    });

    /// <exception cref="InvalidDataException">The file is empty, truncated, corrupt, not a CNN checkpoint, or of another format version.</exception>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    public static CnnCheckpoint Load(string path) => CheckpointFile.Read(path, Magic, FormatVersion, "CNN", reader =>
    {
        int seed = reader.ReadInt32(), firstEpoch = reader.ReadInt32(), epochsDone = reader.Count(MaxHistory, "epochs done");
        long trainRows = reader.ReadInt64();
        int batchSize = reader.ReadInt32();
        var shape = new TensorShape(reader.Count(MaxSide, "image channels"), reader.Count(MaxSide, "image height"), reader.Count(MaxSide, "image width"));
        int classes = reader.Count(MaxClasses, "class count");
        float pixelScale = reader.ReadSingle();
        string layers = reader.ReadString();
        // The vectors come first, so the network they must fit is never bigger than what the file holds.
        float[] parameters = reader.Floats("parameters"), buffers = reader.Floats("running statistics");
        CnnNetwork network = BuildNetwork(reader, shape, classes, pixelScale, layers, parameters.Length);
        if (buffers.Length != network.Buffers.Length) throw reader.Bad($"running statistics has {buffers.Length:N0} values, the network has {network.Buffers.Length:N0}");
        parameters.CopyTo(network.Parameters, 0);
        buffers.CopyTo(network.Buffers, 0);
        network.Prepare();
        int adamStep = reader.ReadInt32();
        if (adamStep < 0) throw reader.Bad($"Adam step {adamStep}");
        float[] first = reader.Floats(parameters.Length, "Adam first moment"), second = reader.Floats(parameters.Length, "Adam second moment");
        int historyCount = reader.Count(MaxHistory, "history length");
        var history = EpochHistoryFormat.Read(reader, historyCount, withElapsed: true);
        var run = CheckpointRun.Read(reader);
        reader.ExpectEnd("options");
        if (historyCount != epochsDone) throw reader.Bad($"the history has {historyCount} epochs but {epochsDone} are recorded as done");
        return new CnnCheckpoint
        {
            Seed = seed, FirstEpoch = firstEpoch, EpochsDone = epochsDone, TrainRows = trainRows, BatchSize = batchSize, Network = network,
            AdamStep = adamStep, FirstMoment = first, SecondMoment = second, History = history, Run = run,
            SourcePath = path,
        };
    });

    private static CnnNetwork BuildNetwork(CheckpointReader reader, TensorShape shape, int classes, float pixelScale, string layers, int parameterCount)
    {
        if (shape.Channels == 0 || shape.Height == 0 || shape.Width == 0 || classes == 0) throw reader.Bad("an empty image shape or no classes");
        if (!float.IsFinite(pixelScale) || pixelScale <= 0) throw reader.Bad($"pixel scale {pixelScale}");
        CnnNetwork network;
        try
        {
            network = new CnnNetwork(shape, CnnLayerSpec.ParseList(layers), classes, pixelScale, maxParameters: parameterCount);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or OverflowException)
        {
            throw reader.Bad($"the network \"{layers}\" on {shape} images does not match its {parameterCount:N0} parameters ({e.Message})");
        }
        if (network.Parameters.Length != parameterCount)
            throw reader.Bad($"parameters has {parameterCount:N0} values, the network \"{layers}\" has {network.Parameters.Length:N0}");
        return network;
    }

    /// <summary>Throws <see cref="InvalidDataException"/> naming the file when this checkpoint was not written by an equivalent training.</summary>
    public void CheckMatches(CnnNetwork network, CnnTrainer.Options options, int firstEpoch, long trainRows, int batchSize, DataFingerprint data)
    {
        void Require(bool same, string what, object? inCheckpoint, object? now) => CheckpointFile.RequireSame(SourcePath, same, what, inCheckpoint, now);
        string layers = CnnLayerSpec.Format(Network.Specs), expectedLayers = CnnLayerSpec.Format(network.Specs);
        Require(layers == expectedLayers, "network (Layers)", $"\"{layers}\"", $"\"{expectedLayers}\"");
        Require(Network.InputShape == network.InputShape, "image shape", Network.InputShape, network.InputShape);
        Require(Network.ClassCount == network.ClassCount, "number of classes", Network.ClassCount, network.ClassCount);
        Require(Network.PixelScale == network.PixelScale, "pixel scale", Network.PixelScale, network.PixelScale);
        Require(FirstEpoch == firstEpoch, "first epoch", FirstEpoch, firstEpoch);
        Require(TrainRows < 0 || trainRows < 0 || TrainRows == trainRows, "number of training rows", TrainRows, trainRows);
        Require(BatchSize == batchSize, "batch size", BatchSize, batchSize);
        Require(EpochsDone <= options.Epochs, "number of epochs done (at most Epochs)", EpochsDone, options.Epochs);
        Run.CheckMatches(SourcePath, data, SettingsOf(options));
    }

    /// <summary>
    /// The options that shape the parameters beyond what is checked on its own (layers, image shape, classes, pixel scale,
    /// batch size): Adam's constants, schedule, split, monitoring, augmentation and data order. Left out: Epochs (a
    /// finished run may be continued for more), and LearningRate and L2Regularization, which a resume may lower on
    /// purpose, to continue a run that began to diverge (README, "Errors and recovery").
    /// </summary>
    public static string SettingsOf(CnnTrainer.Options o) => CheckpointFile.Settings(
        (nameof(o.Beta1), o.Beta1), (nameof(o.Beta2), o.Beta2), (nameof(o.Epsilon), o.Epsilon),
        (nameof(o.LearningRateSchedule), o.LearningRateSchedule),
        (nameof(o.LearningRateDecay), o.LearningRateDecay), (nameof(o.LearningRateStepEpochs), o.LearningRateStepEpochs),
        (nameof(o.MinLearningRate), o.MinLearningRate), (nameof(o.ValidationFraction), o.ValidationFraction),
        (nameof(o.MonitoringSubsetSize), o.MonitoringSubsetSize), (nameof(o.RandomHorizontalFlip), o.RandomHorizontalFlip),
        (nameof(o.RandomShift), o.RandomShift), (nameof(o.Shuffle), o.Shuffle), (nameof(o.ShuffleBufferSize), o.ShuffleBufferSize));
}
