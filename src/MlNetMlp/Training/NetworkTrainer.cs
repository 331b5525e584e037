using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Microsoft.ML.Trainers;
using MlNetMlp.Mapping;
using MlNetMlp.Persistence;

namespace MlNetMlp;

/// <summary>
/// The base of every MlNetMlp trainer: the Fit skeleton (schema checks, <see cref="GetOutputSchema"/>, validation data or
/// hold-out, warm start, cancellation, checkpoints, early stopping, the divergence policy, per-epoch history and events)
/// written once. A trainer is a network (<c>MlpTrainer.Options</c> or <c>CnnTrainer.Options</c>: MLP or CNN) times a
/// task (multiclass, binary, regression): the network decides how features are read and the weights trained, the task
/// the label, the output head and loss, and the columns the model appends.
/// </summary>
public abstract class NetworkTrainer<TTransformer, TModel, TOptions> : ITrainerEstimator<TTransformer, TModel>
    where TTransformer : class, ISingleFeaturePredictionTransformer<TModel>
    where TModel : NetworkModelParameters
    where TOptions : NetworkTrainerOptions
{
    private readonly IHost _host;
    private readonly TOptions _options;
    private readonly NetworkDefinition<TModel, TOptions> _network;
    private readonly TrainingTask _task;

    private protected NetworkTrainer(IHostEnvironment environment, TOptions options, NetworkDefinition<TModel, TOptions> network, TrainingTask task, string name)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _host = environment.Register(name);
        _options = (TOptions)options.Clone();
        _network = network;
        _task = task;
    }

    /// <summary>Raised after every epoch with that epoch's record (also kept in the model's History).</summary>
    public event EventHandler<EpochRecord>? EpochCompleted;

    /// <summary>
    /// Raised when training diverged and <see cref="NetworkTrainerOptions.OnDivergence"/> is <see cref="DivergenceAction.KeepBest"/>:
    /// Fit then returns the best finished epoch instead of throwing this exception.
    /// </summary>
    public event EventHandler<TrainingDivergedException>? TrainingDiverged;

    /// <summary>A copy of the options this trainer was created with.</summary>
    public TOptions TrainerOptions => (TOptions)_options.Clone();

    public TrainerInfo Info { get; } = new(normalization: false, caching: false, supportValid: true, supportIncrementalTrain: true);

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid option.</summary>
    public static void Validate(TOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
    }

    /// <summary>Trains on <paramref name="trainData"/>.</summary>
    public TTransformer Fit(IDataView trainData) => Fit(trainData, null, null, CancellationToken.None);

    /// <summary>Trains on <paramref name="trainData"/>, monitoring (and early-stopping on) <paramref name="validationData"/>.</summary>
    public TTransformer Fit(IDataView trainData, IDataView validationData) => Fit(trainData, validationData, null, CancellationToken.None);

    /// <summary>Continues training <paramref name="initialModel"/> (warm start); the optimizer state and schedule start fresh.</summary>
    public TTransformer Fit(IDataView trainData, TModel initialModel) => Fit(trainData, null, initialModel, CancellationToken.None);

    /// <summary>Trains on <paramref name="trainData"/>; cancellation is checked before every mini-batch (throws <see cref="OperationCanceledException"/>).</summary>
    public TTransformer Fit(IDataView trainData, CancellationToken cancellationToken) => Fit(trainData, null, null, cancellationToken);

    /// <summary>
    /// Trains with every option: optional validation data, optional warm start, and cancellation (checked before every
    /// mini-batch; throws <see cref="OperationCanceledException"/>). Throws <see cref="TrainingDivergedException"/> when
    /// training diverges and <see cref="NetworkTrainerOptions.OnDivergence"/> is Stop.
    /// </summary>
    public TTransformer Fit(IDataView trainData, IDataView? validationData, TModel? initialModel, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(trainData);
        var options = _options;
        string optionsType = _network.Name;
        var label = _task.Label(trainData.Schema, options.LabelColumnName, nameof(trainData));
        var features = _network.FeatureColumn(trainData.Schema, options, nameof(trainData));
        var weight = options.ExampleWeightColumnName is { } weightName ? SchemaChecks.Weight(trainData.Schema, weightName, nameof(trainData)) : (DataViewSchema.Column?)null;
        int outputs = _task.Outputs(label);
        TrainerFitRules.EarlyStoppingHasValidation(options.EarlyStopping, validationData is not null, options.ValidationFraction, optionsType);

        // Built (and sized against this machine's memory) before any row is read, so a network too big fails at once.
        ITrainableNetwork network;
        IReadOnlyList<EpochRecord> previousHistory = [];
        if (initialModel is not null)
        {
            _network.CheckWarmStart(initialModel, options, features, outputs, label.Name);
            network = _network.CopyNetwork(initialModel);
            previousHistory = _network.HistoryOf(initialModel);
        }
        else
        {
            network = _network.Build(features, outputs, options);
        }

        bool streaming = options.ShuffleBufferSize > 0;
        // Streaming keeps only a bounded sample in memory, for measuring training accuracy each epoch.
        var train = TrainingData.ReadTraining(trainData, features, label, streaming, options.MonitoringSubsetSize, nameof(trainData), weight);
        TrainingSet? validation = validationData is null ? null
            : TrainingData.ReadValidation(validationData, _task.ValidationLabel(validationData.Schema, label, nameof(validationData)),
                features.Name, network.InputSize, options.ExampleWeightColumnName, nameof(validationData));
        _task.CheckRows(train, TrainingData.HoldsAllRows(train, streaming, options.MonitoringSubsetSize), validation is { Rows: > 0 }, options,
            label.Name, optionsType, nameof(trainData));
        var targetStandardization = _task.PrepareTargets(train, validation, label.Name);

        // A checkpoint to resume from decides the seed: the run it continues drew its split, shuffles, dropout and augmentation from it.
        var checkpointing = Checkpointing<TrainingCheckpoint>.Open(options.CheckpointDirectory, TrainingCheckpoint.PathIn, options.CheckpointEveryEpochs,
            options.ResumeFromCheckpoint, directory => TrainingCheckpoint.LoadForResume(directory, options.Seed));
        int seed = checkpointing?.ResumeFrom?.Seed ?? options.Seed ?? _host.Rand.Next();
        if (initialModel is null) _network.Initialize(network, options, new Random(seed));

        var head = _task.CreateHead(outputs, options);
        StreamingBatches? streamed = null;
        try
        {
            IBatchSource batches;
            TrainingSet trainMonitor = train;
            int[]? trainMonitorRows = null, validationMonitorRows = null;
            TrainingSet? validationRows;
            if (streaming)
            {
                streamed = new StreamingBatches(trainData, features, label, options.ShuffleBufferSize, options.BatchSize, options.Shuffle, seed, weight)
                {
                    TargetStandardization = targetStandardization,
                };
                batches = streamed;
                validationRows = validation is { Rows: > 0 } ? validation : null;
            }
            else
            {
                // Which rows train, which validate (a seeded hold-out without a validation set), which are measured each epoch.
                var rows = TrainingRows.Plan(train, validation, options.ValidationFraction, options.MonitoringSubsetSize, seed);
                batches = new InMemoryBatches(train, rows.Train, options.BatchSize, options.Shuffle, seed);
                (trainMonitorRows, validationRows, validationMonitorRows) = (rows.TrainMonitor, rows.ValidationData, rows.ValidationMonitor);
            }
            train.CheckFits(network.InputSize, head, nameof(trainData));
            validationRows?.CheckFits(network.InputSize, head, nameof(validationData));

            using var engine = _network.CreateEngine(network, options, head, batches.BatchSize, seed);
            var run = new TrainingLoop.Run(batches, trainMonitor, trainMonitorRows, validationRows, validationMonitorRows, options, head, seed,
                previousHistory.Count + 1, TrainingCheckpoint.SettingsOf(options, head, _network.Settings(options)), checkpointing);
            var result = TrainingLoop.Train(network, engine, run, record => EpochCompleted?.Invoke(this, record),
                e => TrainingDiverged?.Invoke(this, e), cancellationToken);

            var model = _network.CreateModel(network, [.. previousHistory, .. result.History]);
            var fit = new FitResult(label, features.Name, LabelKeyValues.FromColumn(label), targetStandardization.Mean, targetStandardization.Scale);
            if (_task.WarnsOfOneClassPredictions
                && _network.OneClassWarning(model, train, fit.LabelKeyValues?.AsText().Select(v => v.ToString()).ToArray()) is { } warning)
            {
                using var channel = _host.Start("Training");
                channel.Warning(MessageSensitivity.None, "{0}", warning);
                model.TrainingWarnings = [warning];
            }
            return CreateTransformer(model, fit);
        }
        finally
        {
            streamed?.Dispose();
        }
    }

    /// <summary>What the trainer learned about the data besides the weights, for the transformer.</summary>
    private protected readonly record struct FitResult(DataViewSchema.Column Label, string FeatureColumnName, LabelKeyValues? LabelKeyValues,
        float TargetMean, float TargetScale);

    private protected abstract TTransformer CreateTransformer(TModel model, FitResult fit);

    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        if (!inputSchema.TryFindColumn(_options.LabelColumnName, out var label))
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"The label column '{_options.LabelColumnName}' was not found in the data.");
        _task.CheckOutputSchemaLabel(label);
        if (!inputSchema.TryFindColumn(_options.FeatureColumnName, out var features))
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"The feature column '{_options.FeatureColumnName}' was not found in the data.");
        if (features.Kind != SchemaShape.Column.VectorKind.Vector || features.ItemType != NumberDataViewType.Single)
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"The feature column '{features.Name}' must be a known-size vector of Single.");
        var columns = inputSchema.ToDictionary(c => c.Name);
        foreach (var column in _task.OutputColumns(label)) columns[column.Name] = column;
        return new SchemaShape(columns.Values);
    }
}
