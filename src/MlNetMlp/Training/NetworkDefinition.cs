using Microsoft.ML;

namespace MlNetMlp.Training;

/// <summary>
/// What a trainer's Fit needs to know about its network, and nothing about the task: how it reads the feature column,
/// how it is built (sized against memory before any row is read), initialized, warm-started and trained (its engine),
/// the options that shape it (for checkpoints), and how it becomes the public model. The MLP and the CNN are the two
/// kinds; each serves the multiclass, binary and regression trainers alike.
/// </summary>
internal abstract class NetworkDefinition<TModel, TOptions> where TModel : NetworkModelParameters where TOptions : NetworkTrainerOptions
{
    /// <summary>The trainer family's name in messages and logs ("MlpTrainer").</summary>
    public abstract string Name { get; }

    /// <summary>The feature column, checked for this network (a known-size Single vector; for the CNN, a whole number of images).</summary>
    public abstract DataViewSchema.Column FeatureColumn(DataViewSchema schema, TOptions options, string paramName);

    /// <summary>A new network for <paramref name="features"/> and <paramref name="outputs"/> outputs, checked against memory; not yet initialized.</summary>
    public abstract ITrainableNetwork Build(DataViewSchema.Column features, int outputs, TOptions options);

    public abstract void Initialize(ITrainableNetwork network, TOptions options, Random random);

    /// <summary>Refuses a warm start from <paramref name="initialModel"/> with options that would shape another network, or other data sizes.</summary>
    public abstract void CheckWarmStart(TModel initialModel, TOptions options, DataViewSchema.Column features, int outputs, string labelColumnName);

    /// <summary>A copy of the initial model's network, to continue training.</summary>
    public abstract ITrainableNetwork CopyNetwork(TModel initialModel);

    public abstract IReadOnlyList<EpochRecord> HistoryOf(TModel model);

    public abstract ITrainingEngine CreateEngine(ITrainableNetwork network, TOptions options, TaskHead head, int batchSize, int seed);

    /// <summary>This network's options that shape a result, for <see cref="TrainingCheckpoint.SettingsOf"/>.</summary>
    public abstract (string Name, object? Value)[] Settings(TOptions options);

    public abstract TModel CreateModel(ITrainableNetwork network, IReadOnlyList<EpochRecord> history);

    /// <summary>Warnings about a trained multiclass model (<see cref="OneClassPrediction"/>), null when they do not apply.</summary>
    public abstract string? OneClassWarning(TModel model, TrainingSet train, IReadOnlyList<string>? classNames);
}
