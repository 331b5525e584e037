using System.Globalization;
using Microsoft.ML;
using MlNetMlp.Mapping;

namespace MlNetMlp.Numerics;

/// <summary>The MLP as the trainers' Fit sees it (<see cref="NetworkDefinition{TModel, TOptions}"/>).</summary>
internal sealed class MlpDefinition : NetworkDefinition<MlpModelParameters, MlpTrainer.Options>
{
    public static readonly MlpDefinition Instance = new();

    public override string Name => nameof(MlpTrainer);

    public override DataViewSchema.Column FeatureColumn(DataViewSchema schema, MlpTrainer.Options options, string paramName) =>
        SchemaChecks.FeatureVector(schema, options.FeatureColumnName, null, paramName);

    public override ITrainableNetwork Build(DataViewSchema.Column features, int outputs, MlpTrainer.Options options)
    {
        int featureCount = ((Microsoft.ML.Data.VectorDataViewType)features.Type).Size;
        RequireTrainable(options, featureCount, outputs,
            string.Create(CultureInfo.InvariantCulture, $" for {featureCount:N0} features (column '{features.Name}') and {outputs} outputs"));
        return new MlpNetwork([featureCount, .. options.HiddenLayers, outputs], options.Activation, options.LeakyReluSlope, options.EluAlpha);
    }

    public override void Initialize(ITrainableNetwork network, MlpTrainer.Options options, Random random) =>
        ((MlpNetwork)network).Initialize(options.Initialization, random);

    /// <summary>A warm start continues the initial network as it is: options that would shape another network are refused.</summary>
    public override void CheckWarmStart(MlpModelParameters initialModel, MlpTrainer.Options options, DataViewSchema.Column features, int outputs, string labelColumnName)
    {
        static string Layers(IEnumerable<int> widths) => $"[{string.Join(", ", widths)}]";
        TrainerFitRules.SameAsInitialModel(initialModel.HiddenLayers.SequenceEqual(options.HiddenLayers), nameof(options.HiddenLayers), Name,
            Layers(initialModel.HiddenLayers), Layers(options.HiddenLayers));
        if (initialModel.HiddenLayers.Count > 0) // a linear model has no activation to differ
        {
            TrainerFitRules.SameAsInitialModel(initialModel.Activation == options.Activation, nameof(options.Activation), Name,
                initialModel.Activation, options.Activation);
            if (initialModel.Activation == MlpActivation.LeakyRelu)
                TrainerFitRules.SameAsInitialModel(initialModel.LeakyReluSlope == options.LeakyReluSlope, nameof(options.LeakyReluSlope), Name,
                    initialModel.LeakyReluSlope, options.LeakyReluSlope);
            if (initialModel.Activation == MlpActivation.Elu)
                TrainerFitRules.SameAsInitialModel(initialModel.EluAlpha == options.EluAlpha, nameof(options.EluAlpha), Name,
                    initialModel.EluAlpha, options.EluAlpha);
        }
        int featureCount = ((Microsoft.ML.Data.VectorDataViewType)features.Type).Size;
        TrainerFitRules.InitialModelFits(initialModel.InputSize, featureCount, "features", features.Name, initialModel.ClassCount, outputs, labelColumnName);
    }

    public override ITrainableNetwork CopyNetwork(MlpModelParameters initialModel) => initialModel.Network.Clone();

    public override IReadOnlyList<EpochRecord> HistoryOf(MlpModelParameters model) => model.History;

    public override ITrainingEngine CreateEngine(ITrainableNetwork network, MlpTrainer.Options options, TaskHead head, int batchSize, int seed) =>
        new MlpEngine((MlpNetwork)network, TrainingMemory.Threads(options.NumberOfThreads), batchSize, head, options, options.Dropout);

    public override (string Name, object? Value)[] Settings(MlpTrainer.Options o) =>
        [(nameof(o.Dropout), o.Dropout), (nameof(o.LeakyReluSlope), o.LeakyReluSlope), (nameof(o.EluAlpha), o.EluAlpha)];

    public override MlpModelParameters CreateModel(ITrainableNetwork network, IReadOnlyList<EpochRecord> history) => new((MlpNetwork)network, history);

    public override string? OneClassWarning(MlpModelParameters model, TrainingSet train, IReadOnlyList<string>? classNames) =>
        OneClassPrediction.Warning(model.ScoringNetwork, train, classNames);

    /// <summary>
    /// Throws <see cref="ArgumentOutOfRangeException"/> naming HiddenLayers when the network for
    /// <paramref name="featureCount"/> features and <paramref name="outputs"/> outputs cannot be trained here: counted
    /// in 64-bit before anything is allocated (<see cref="TrainingMemory"/>).
    /// </summary>
    internal static void RequireTrainable(MlpTrainer.Options options, int featureCount, int outputs, string forData, bool dataSizesKnown = true)
    {
        string hidden = options.HiddenLayers.Length == 0 ? "[]" : string.Join(',', options.HiddenLayers);
        TrainingMemory.RequireMlp("MlpTrainer.Options", nameof(options.HiddenLayers), hidden, hidden + forData,
            [featureCount, .. options.HiddenLayers, outputs], options.BatchSize, TrainingMemory.Threads(options.NumberOfThreads),
            options.Optimizer, options.Dropout > 0, options.TracksBest, options.ShuffleBufferSize, dataSizesKnown);
    }
}
