using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Microsoft.ML.Trainers;
using MlNetMlp.Mapping;
using MlNetMlp.Numerics;
using MlNetMlp.Persistence;

namespace MlNetMlp;

/// <summary>
/// Trains a multilayer perceptron for multiclass classification: mini-batch SGD / Momentum / Adam on
/// softmax cross-entropy, with L2, dropout, learning-rate schedules and early stopping. Takes a
/// known-size float vector feature column and a key-typed label, like ML.NET's own multiclass trainers.
/// </summary>
public sealed partial class MlpTrainer : ITrainerEstimator<MulticlassNetworkTransformer<MlpModelParameters>, MlpModelParameters>
{
    private readonly IHost _host;
    private readonly Options _options;

    /// <summary>Creates the trainer; <paramref name="options"/> is validated here and copied.</summary>
    public MlpTrainer(MLContext mlContext, Options options)
        : this((IHostEnvironment)(mlContext ?? throw new ArgumentNullException(nameof(mlContext))), options)
    {
    }

    internal MlpTrainer(IHostEnvironment environment, Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Validate(options);
        _host = environment.Register(nameof(MlpTrainer));
        _options = Copy(options);
    }

    /// <summary>Raised after every epoch with that epoch's record (also kept in <see cref="MlpModelParameters.History"/>).</summary>
    public event EventHandler<MlpEpochRecord>? EpochCompleted;

    /// <summary>
    /// Raised when training diverged and <see cref="Options.OnDivergence"/> is <see cref="MlpDivergenceAction.KeepBest"/>:
    /// Fit then returns the best finished epoch instead of throwing this exception.
    /// </summary>
    public event EventHandler<MlpTrainingDivergedException>? TrainingDiverged;

    /// <summary>A copy of the options this trainer was created with.</summary>
    public Options TrainerOptions => Copy(_options);

    public TrainerInfo Info { get; } = new(normalization: false, caching: false, supportValid: true, supportIncrementalTrain: true);

    /// <summary>Trains on <paramref name="trainData"/>.</summary>
    public MulticlassNetworkTransformer<MlpModelParameters> Fit(IDataView trainData) => Fit(trainData, null, null, CancellationToken.None);

    /// <summary>Trains on <paramref name="trainData"/>, monitoring (and early-stopping on) <paramref name="validationData"/>.</summary>
    public MulticlassNetworkTransformer<MlpModelParameters> Fit(IDataView trainData, IDataView validationData) => Fit(trainData, validationData, null, CancellationToken.None);

    /// <summary>Continues training <paramref name="initialModel"/> (warm start); optimizer state starts fresh.</summary>
    public MulticlassNetworkTransformer<MlpModelParameters> Fit(IDataView trainData, MlpModelParameters initialModel) => Fit(trainData, null, initialModel, CancellationToken.None);

    /// <summary>
    /// Trains with every option: optional validation data, optional warm start, and cancellation
    /// (checked at every mini-batch; throws <see cref="OperationCanceledException"/>).
    /// </summary>
    public MulticlassNetworkTransformer<MlpModelParameters> Fit(IDataView trainData, IDataView? validationData, MlpModelParameters? initialModel, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(trainData);
        var label = SchemaChecks.KeyLabel(trainData.Schema, _options.LabelColumnName, nameof(trainData));
        var features = SchemaChecks.FeatureVector(trainData.Schema, _options.FeatureColumnName, null, nameof(trainData));
        int classCount = (int)((KeyDataViewType)label.Type).Count;
        int featureCount = ((VectorDataViewType)features.Type).Size;

        TrainerFitRules.EarlyStoppingHasValidation(_options.EarlyStopping, validationData is not null, _options.ValidationFraction, nameof(MlpTrainer));
        if (initialModel != null) CheckWarmStart(initialModel);
        else RequireTrainable(_options, featureCount, classCount,
            string.Create(System.Globalization.CultureInfo.InvariantCulture, $" for {featureCount:N0} features (column '{features.Name}') and {classCount} classes"));

        bool streaming = _options.ShuffleBufferSize > 0;
        // Streaming keeps only a bounded sample in memory, for measuring training accuracy each epoch.
        var train = TrainingData.ReadTraining(trainData, features, label, streaming, _options.MonitoringSubsetSize, nameof(trainData));
        TrainerFitRules.TwoClassesOrMore(train, TrainingData.HoldsAllRows(train, streaming, _options.MonitoringSubsetSize), label.Name, nameof(trainData));
        MlpDataSet? validation = validationData is null ? null
            : TrainingData.ReadValidation(validationData, label, _options.FeatureColumnName, featureCount, nameof(validationData));
        TrainerFitRules.HoldOutLeavesTrainingRows(train, validation is { Rows: > 0 }, _options.ValidationFraction, nameof(MlpTrainer));

        // A checkpoint to resume from decides the seed: the run it continues drew its split, shuffles and dropout from it.
        var checkpointing = Checkpointing<TrainingCheckpoint>.Open(_options.CheckpointDirectory, TrainingCheckpoint.PathIn, _options.CheckpointEveryEpochs,
            _options.ResumeFromCheckpoint, _options.Seed, TrainingCheckpoint.Load, checkpoint => checkpoint.Seed);
        var resume = checkpointing?.ResumeFrom;

        int seed = resume?.Seed ?? _options.Seed ?? _host.Rand.Next();
        MlpNetwork network;
        IReadOnlyList<MlpEpochRecord> previousHistory = [];
        if (initialModel != null)
        {
            if (initialModel.InputSize != featureCount)
                throw new ArgumentOutOfRangeException(nameof(initialModel), $"The initial model reads {initialModel.InputSize} features, the column '{features.Name}' has {featureCount}.");
            if (initialModel.ClassCount != classCount)
                throw new ArgumentOutOfRangeException(nameof(initialModel), $"The initial model has {initialModel.ClassCount} classes, the label column '{label.Name}' has {classCount}.");
            network = initialModel.Network.Clone();
            previousHistory = initialModel.History;
        }
        else
        {
            network = new MlpNetwork([featureCount, .. _options.HiddenLayers, classCount], _options.Activation, _options.LeakyReluSlope, _options.EluAlpha);
            network.Initialize(_options.Initialization, new Random(seed));
        }

        Action<MlpEpochRecord> onEpoch = record => EpochCompleted?.Invoke(this, record);
        Action<MlpTrainingDivergedException> onDiverged = e => TrainingDiverged?.Invoke(this, e);
        MlpTrainingResult result;
        if (streaming)
        {
            using var batches = new StreamingBatches(trainData, features, label, _options.ShuffleBufferSize, _options.BatchSize, _options.Shuffle, seed);
            result = MlpTrainingLoop.TrainStreaming(network, batches, train, validation, _options, seed, previousHistory.Count + 1, onEpoch, cancellationToken, checkpointing, onDiverged);
        }
        else
        {
            result = MlpTrainingLoop.Train(network, train, validation, _options, seed, previousHistory.Count + 1, onEpoch, cancellationToken, checkpointing, onDiverged);
        }

        var keyValues = LabelKeyValues.FromColumn(label);
        var model = new MlpModelParameters(result.Network, [.. previousHistory, .. result.History]);
        model.TrainingWarnings = TrainerWarnings.Report(_host, model.ScoringNetwork, train, keyValues);
        return new MulticlassNetworkTransformer<MlpModelParameters>(model, _options.FeatureColumnName, keyValues);
    }

    /// <summary>A warm start continues the initial network as it is: options that would shape another network are refused.</summary>
    private void CheckWarmStart(MlpModelParameters initialModel)
    {
        static string Layers(IEnumerable<int> widths) => $"[{string.Join(", ", widths)}]";
        TrainerFitRules.SameAsInitialModel(initialModel.HiddenLayers.SequenceEqual(_options.HiddenLayers), nameof(Options.HiddenLayers), nameof(MlpTrainer),
            Layers(initialModel.HiddenLayers), Layers(_options.HiddenLayers));
        if (initialModel.HiddenLayers.Count == 0) return; // softmax regression: no activation to differ
        TrainerFitRules.SameAsInitialModel(initialModel.Activation == _options.Activation, nameof(Options.Activation), nameof(MlpTrainer),
            initialModel.Activation, _options.Activation);
        if (initialModel.Activation == MlpActivation.LeakyRelu)
            TrainerFitRules.SameAsInitialModel(initialModel.LeakyReluSlope == _options.LeakyReluSlope, nameof(Options.LeakyReluSlope), nameof(MlpTrainer),
                initialModel.LeakyReluSlope, _options.LeakyReluSlope);
        if (initialModel.Activation == MlpActivation.Elu)
            TrainerFitRules.SameAsInitialModel(initialModel.EluAlpha == _options.EluAlpha, nameof(Options.EluAlpha), nameof(MlpTrainer),
                initialModel.EluAlpha, _options.EluAlpha);
    }

    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        if (!inputSchema.TryFindColumn(_options.LabelColumnName, out var label))
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"The label column '{_options.LabelColumnName}' was not found in the data.");
        if (!label.IsKey)
            throw new ArgumentOutOfRangeException(nameof(inputSchema),
                $"The label column '{label.Name}' must be a key type (it is {label.ItemType}); convert it with mlContext.Transforms.Conversion.MapValueToKey(\"{label.Name}\").");
        if (!inputSchema.TryFindColumn(_options.FeatureColumnName, out var features))
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"The feature column '{_options.FeatureColumnName}' was not found in the data.");
        if (features.Kind != SchemaShape.Column.VectorKind.Vector || features.ItemType != NumberDataViewType.Single)
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"The feature column '{features.Name}' must be a known-size vector of Single.");

        var columns = inputSchema.ToDictionary(c => c.Name);
        var scoreKinds = new SchemaShape([
            new SchemaShape.Column(AnnotationUtils.Kinds.ScoreColumnKind, SchemaShape.Column.VectorKind.Scalar, TextDataViewType.Instance, false),
            new SchemaShape.Column(AnnotationUtils.Kinds.ScoreValueKind, SchemaShape.Column.VectorKind.Scalar, TextDataViewType.Instance, false)]);
        columns["Score"] = new SchemaShape.Column("Score", SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single, false, scoreKinds);
        columns["PredictedLabel"] = new SchemaShape.Column("PredictedLabel", SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.UInt32, true, label.Annotations);
        return new SchemaShape(columns.Values);
    }

    private static Options Copy(Options o)
    {
        var copy = (Options)o.GetType().GetMethod(nameof(MemberwiseClone), System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic)!.Invoke(o, null)!;
        copy.HiddenLayers = (int[])o.HiddenLayers.Clone();
        return copy;
    }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid option.</summary>
    public static void Validate(Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        static void Require(bool ok, string name, object? value, string rule)
        {
            if (!ok) throw new ArgumentOutOfRangeException(name, value, $"MlpTrainer.Options.{name} {rule}.");
        }
        Require(!string.IsNullOrWhiteSpace(options.LabelColumnName), nameof(Options.LabelColumnName), options.LabelColumnName, "must name a column");
        Require(!string.IsNullOrWhiteSpace(options.FeatureColumnName), nameof(Options.FeatureColumnName), options.FeatureColumnName, "must name a column");
        Require(options.HiddenLayers != null, nameof(Options.HiddenLayers), null, "must not be null (use an empty array for softmax regression)");
        for (int i = 0; i < options.HiddenLayers!.Length; i++)
            Require(options.HiddenLayers[i] > 0, nameof(Options.HiddenLayers), options.HiddenLayers[i], $"must hold positive widths, but entry {i} is {options.HiddenLayers[i]}");
        Require(Enum.IsDefined(options.Activation), nameof(Options.Activation), options.Activation, "is not a defined MlpActivation");
        Require(Enum.IsDefined(options.Optimizer), nameof(Options.Optimizer), options.Optimizer, "is not a defined MlpOptimizer");
        Require(Enum.IsDefined(options.OnDivergence), nameof(Options.OnDivergence), options.OnDivergence, "is not a defined MlpDivergenceAction");
        Require(Enum.IsDefined(options.Initialization), nameof(Options.Initialization), options.Initialization, "is not a defined MlpInitialization");
        Require(Enum.IsDefined(options.LearningRateSchedule), nameof(Options.LearningRateSchedule), options.LearningRateSchedule, "is not a defined MlpLearningRateSchedule");
        Require(float.IsFinite(options.LeakyReluSlope) && options.LeakyReluSlope >= 0 && options.LeakyReluSlope < 1, nameof(Options.LeakyReluSlope), options.LeakyReluSlope, "must be in [0, 1)");
        Require(float.IsFinite(options.EluAlpha) && options.EluAlpha > 0, nameof(Options.EluAlpha), options.EluAlpha, "must be positive");
        Require(options.Epochs > 0, nameof(Options.Epochs), options.Epochs, "must be at least 1");
        Require(options.BatchSize > 0, nameof(Options.BatchSize), options.BatchSize, "must be at least 1");
        Require(float.IsFinite(options.LearningRate) && options.LearningRate > 0, nameof(Options.LearningRate), options.LearningRate, "must be positive");
        Require(float.IsFinite(options.Momentum) && options.Momentum >= 0 && options.Momentum < 1, nameof(Options.Momentum), options.Momentum, "must be in [0, 1)");
        Require(!options.Nesterov || options.Optimizer == MlpOptimizer.Momentum, nameof(Options.Nesterov), options.Nesterov,
            $"applies to the Momentum optimizer only, not to {options.Optimizer}");
        Require(!options.Nesterov || options.Momentum > 0, nameof(Options.Nesterov), options.Nesterov, "needs Momentum > 0");
        Require(float.IsFinite(options.Beta1) && options.Beta1 >= 0 && options.Beta1 < 1, nameof(Options.Beta1), options.Beta1, "must be in [0, 1)");
        Require(float.IsFinite(options.Beta2) && options.Beta2 >= 0 && options.Beta2 < 1, nameof(Options.Beta2), options.Beta2, "must be in [0, 1)");
        Require(float.IsFinite(options.Epsilon) && options.Epsilon > 0, nameof(Options.Epsilon), options.Epsilon, "must be positive");
        Require(float.IsFinite(options.L2Regularization) && options.L2Regularization >= 0, nameof(Options.L2Regularization), options.L2Regularization, "must be zero or positive");
        Require(float.IsFinite(options.Dropout) && options.Dropout >= 0 && options.Dropout < 1, nameof(Options.Dropout), options.Dropout, "must be in [0, 1)");
        Require(float.IsFinite(options.LearningRateDecay) && options.LearningRateDecay > 0 && options.LearningRateDecay <= 1, nameof(Options.LearningRateDecay), options.LearningRateDecay, "must be in (0, 1]");
        Require(options.LearningRateStepEpochs > 0, nameof(Options.LearningRateStepEpochs), options.LearningRateStepEpochs, "must be at least 1");
        Require(float.IsFinite(options.MinLearningRate) && options.MinLearningRate >= 0 && options.MinLearningRate <= options.LearningRate, nameof(Options.MinLearningRate), options.MinLearningRate, "must be in [0, LearningRate]");
        Require(float.IsFinite(options.ValidationFraction) && options.ValidationFraction >= 0 && options.ValidationFraction < 1, nameof(Options.ValidationFraction), options.ValidationFraction, "must be in [0, 1)");
        Require(options.EarlyStoppingPatience > 0, nameof(Options.EarlyStoppingPatience), options.EarlyStoppingPatience, "must be at least 1");
        Require(float.IsFinite(options.EarlyStoppingMinDelta) && options.EarlyStoppingMinDelta >= 0, nameof(Options.EarlyStoppingMinDelta), options.EarlyStoppingMinDelta, "must be zero or positive");
        Require(options.MonitoringSubsetSize >= 0, nameof(Options.MonitoringSubsetSize), options.MonitoringSubsetSize, "must be zero (all rows) or positive");
        Require(options.NumberOfThreads is null or > 0, nameof(Options.NumberOfThreads), options.NumberOfThreads, "must be null (all cores) or positive");
        TrainerOptionRules.Streaming(Require, options.ShuffleBufferSize, options.ValidationFraction);
        TrainerOptionRules.Checkpoints(Require, options.CheckpointDirectory, options.CheckpointEveryEpochs, options.ResumeFromCheckpoint);
        // The smallest data (one feature, two classes) already needs the hidden layers; Fit checks again with the data's sizes.
        RequireTrainable(options, 1, 2, "", dataSizesKnown: false);
    }

    /// <summary>
    /// Throws <see cref="ArgumentOutOfRangeException"/> naming <see cref="Options.HiddenLayers"/> when the network for
    /// <paramref name="featureCount"/> features and <paramref name="classCount"/> classes cannot be trained here: counted
    /// in 64-bit before anything is allocated (<see cref="TrainingMemory"/>).
    /// </summary>
    internal static void RequireTrainable(Options options, int featureCount, int classCount, string forData, bool dataSizesKnown = true)
    {
        string hidden = options.HiddenLayers.Length == 0 ? "[]" : string.Join(',', options.HiddenLayers);
        TrainingMemory.RequireMlp("MlpTrainer.Options", nameof(Options.HiddenLayers), hidden, hidden + forData,
            [featureCount, .. options.HiddenLayers, classCount], options.BatchSize, TrainingMemory.Threads(options.NumberOfThreads),
            options.Optimizer, options.Dropout > 0, MlpTrainingLoop.TracksBest(options), options.ShuffleBufferSize, dataSizesKnown);
    }
}
