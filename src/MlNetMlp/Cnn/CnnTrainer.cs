using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Microsoft.ML.Trainers;
using MlNetMlp.Cnn;
using MlNetMlp.Mapping;
using MlNetMlp.Numerics;
using MlNetMlp.Persistence;

namespace MlNetMlp;

/// <summary>
/// Trains a convolutional network for multiclass image classification: conv / max-pool / batch-norm / ReLU /
/// dropout / dense layers (<see cref="Options.Layers"/>), softmax cross-entropy, Adam — on MlNetMlp's own engine
/// (NHWC direct-convolution kernels, verified layer by layer against PyTorch). Takes the image column as a
/// known-size Single vector (not flattened by the user) and a key-typed label, like ML.NET's own trainers.
/// </summary>
public sealed partial class CnnTrainer : ITrainerEstimator<MulticlassNetworkTransformer<CnnModelParameters>, CnnModelParameters>
{
    private readonly IHost _host;
    private readonly Options _options;

    /// <summary>Creates the trainer; <paramref name="options"/> is validated here and copied.</summary>
    public CnnTrainer(MLContext mlContext, Options options)
        : this((IHostEnvironment)(mlContext ?? throw new ArgumentNullException(nameof(mlContext))), options)
    {
    }

    internal CnnTrainer(IHostEnvironment environment, Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Validate(options);
        _host = environment.Register(nameof(CnnTrainer));
        _options = Copy(options);
    }

    /// <summary>Raised after every epoch with that epoch's record (also kept in <see cref="CnnModelParameters.History"/>).</summary>
    public event EventHandler<MlpEpochRecord>? EpochCompleted;

    /// <summary>A copy of the options this trainer was created with.</summary>
    public Options TrainerOptions => Copy(_options);

    public TrainerInfo Info { get; } = new(normalization: false, caching: false, supportValid: true, supportIncrementalTrain: true);

    /// <summary>Trains on <paramref name="trainData"/>.</summary>
    public MulticlassNetworkTransformer<CnnModelParameters> Fit(IDataView trainData) => Fit(trainData, null, null, CancellationToken.None);

    /// <summary>Trains on <paramref name="trainData"/>, monitoring <paramref name="validationData"/> every epoch.</summary>
    public MulticlassNetworkTransformer<CnnModelParameters> Fit(IDataView trainData, IDataView validationData) => Fit(trainData, validationData, null, CancellationToken.None);

    /// <summary>Continues training <paramref name="initialModel"/> (warm start; optimizer state starts fresh).</summary>
    public MulticlassNetworkTransformer<CnnModelParameters> Fit(IDataView trainData, CnnModelParameters initialModel) => Fit(trainData, null, initialModel, CancellationToken.None);

    /// <summary>Trains on <paramref name="trainData"/>; cancellation is checked before every mini-batch (throws <see cref="OperationCanceledException"/>).</summary>
    public MulticlassNetworkTransformer<CnnModelParameters> Fit(IDataView trainData, CancellationToken cancellationToken) => Fit(trainData, null, null, cancellationToken);

    /// <summary>
    /// Trains with every option: optional validation data, optional warm start, and cancellation
    /// (checked before every mini-batch; throws <see cref="OperationCanceledException"/>). Throws
    /// <see cref="MlpTrainingDivergedException"/> when a mini-batch loss is NaN or infinite, or explodes to more than 100
    /// times the run's first one (as <see cref="MlpTrainer.Options.OnDivergence"/> describes).
    /// </summary>
    public MulticlassNetworkTransformer<CnnModelParameters> Fit(IDataView trainData, IDataView? validationData, CnnModelParameters? initialModel, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(trainData);
        var label = SchemaChecks.KeyLabel(trainData.Schema, _options.LabelColumnName, nameof(trainData));
        var image = SchemaChecks.Column(trainData.Schema, _options.ImageColumnName, "image", nameof(trainData));
        var shape = ImageShape(image, _options, nameof(trainData));
        image = SchemaChecks.FeatureVector(trainData.Schema, image.Name, shape.Size, nameof(trainData));
        int classCount = (int)((KeyDataViewType)label.Type).Count;
        if (_options.RandomShift >= Math.Min(shape.Height, shape.Width))
            throw new ArgumentOutOfRangeException(nameof(Options.RandomShift), _options.RandomShift,
                $"CnnTrainer.Options.RandomShift must be smaller than the {shape.Height}×{shape.Width} images of column '{image.Name}'.");

        if (initialModel != null) CheckWarmStart(initialModel);
        // Built (and sized against this machine's memory) before any row is read, so a network too big fails at once.
        CnnNetwork? built = initialModel is null ? BuildNetwork(shape, CnnLayerSpec.ParseList(_options.Layers), classCount, _options) : null;

        bool streaming = _options.ShuffleBufferSize > 0;
        // Streaming keeps only a bounded sample in memory, for measuring training accuracy each epoch.
        var train = TrainingData.ReadTraining(trainData, image, label, streaming, _options.MonitoringSubsetSize, nameof(trainData));
        TrainerFitRules.TwoClassesOrMore(train, TrainingData.HoldsAllRows(train, streaming, _options.MonitoringSubsetSize), label.Name, nameof(trainData));
        MlpDataSet? validation = validationData is null ? null
            : TrainingData.ReadValidation(validationData, label, image.Name, shape.Size, nameof(validationData));
        TrainerFitRules.HoldOutLeavesTrainingRows(train, validation is { Rows: > 0 }, _options.ValidationFraction, nameof(CnnTrainer));

        // A checkpoint to resume from decides the seed: the run it continues drew its split, shuffles, dropout and augmentation from it.
        var checkpointing = Checkpointing<CnnCheckpoint>.Open(_options.CheckpointDirectory, CnnCheckpoint.PathIn, _options.CheckpointEveryEpochs,
            _options.ResumeFromCheckpoint, _options.Seed, CnnCheckpoint.Load, checkpoint => checkpoint.Seed);
        var resume = checkpointing?.ResumeFrom;

        int seed = resume?.Seed ?? _options.Seed ?? _host.Rand.Next();
        CnnNetwork network;
        IReadOnlyList<MlpEpochRecord> previousHistory = [];
        if (initialModel != null)
        {
            if (initialModel.Network.InputShape != shape)
                throw new ArgumentOutOfRangeException(nameof(initialModel), $"The initial model reads {initialModel.Network.InputShape} images, the column '{image.Name}' holds {shape}.");
            if (initialModel.ClassCount != classCount)
                throw new ArgumentOutOfRangeException(nameof(initialModel), $"The initial model has {initialModel.ClassCount} classes, the label column '{label.Name}' has {classCount}.");
            network = initialModel.Network.Clone();
            previousHistory = initialModel.History;
        }
        else
        {
            network = built!;
            network.Initialize(new Random(seed));
        }

        Action<MlpEpochRecord> onEpoch = record => EpochCompleted?.Invoke(this, record);
        IReadOnlyList<MlpEpochRecord> history;
        if (streaming)
        {
            using var batches = new StreamingBatches(trainData, image, label, _options.ShuffleBufferSize, _options.BatchSize, _options.Shuffle, seed);
            history = CnnTrainingLoop.TrainStreaming(network, batches, train, validation, _options, seed, previousHistory.Count + 1, onEpoch, cancellationToken, checkpointing);
        }
        else
        {
            history = CnnTrainingLoop.Train(network, train, validation, _options, seed, previousHistory.Count + 1, onEpoch, cancellationToken, checkpointing);
        }
        var keyValues = LabelKeyValues.FromColumn(label);
        var model = new CnnModelParameters(network, [.. previousHistory, .. history]);
        model.TrainingWarnings = TrainerWarnings.Report(_host, new CnnScoringNetwork(network), train, keyValues);
        return new MulticlassNetworkTransformer<CnnModelParameters>(model, image.Name, keyValues);
    }

    /// <summary>A warm start continues the initial network as it is: options that would shape another network are refused.</summary>
    private void CheckWarmStart(CnnModelParameters initialModel)
    {
        string initialLayers = CnnLayerSpec.Format(initialModel.Network.Specs), layers = CnnLayerSpec.Format(CnnLayerSpec.ParseList(_options.Layers));
        TrainerFitRules.SameAsInitialModel(initialLayers == layers, nameof(Options.Layers), nameof(CnnTrainer), $"\"{initialLayers}\"", $"\"{layers}\"");
        TrainerFitRules.SameAsInitialModel(initialModel.Network.PixelScale == _options.PixelScale, nameof(Options.PixelScale), nameof(CnnTrainer),
            initialModel.Network.PixelScale, _options.PixelScale);
    }

    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        if (!inputSchema.TryFindColumn(_options.LabelColumnName, out var label))
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"The label column '{_options.LabelColumnName}' was not found in the data.");
        if (!label.IsKey)
            throw new ArgumentOutOfRangeException(nameof(inputSchema),
                $"The label column '{label.Name}' must be a key type (it is {label.ItemType}); convert it with mlContext.Transforms.Conversion.MapValueToKey(\"{label.Name}\").");
        if (!inputSchema.TryFindColumn(_options.ImageColumnName, out var image))
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"The image column '{_options.ImageColumnName}' was not found in the data.");
        if (image.Kind != SchemaShape.Column.VectorKind.Vector || image.ItemType != NumberDataViewType.Single)
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"The image column '{image.Name}' must be a known-size vector of Single.");

        var columns = inputSchema.ToDictionary(c => c.Name);
        var scoreKinds = new SchemaShape([
            new SchemaShape.Column(AnnotationUtils.Kinds.ScoreColumnKind, SchemaShape.Column.VectorKind.Scalar, TextDataViewType.Instance, false),
            new SchemaShape.Column(AnnotationUtils.Kinds.ScoreValueKind, SchemaShape.Column.VectorKind.Scalar, TextDataViewType.Instance, false)]);
        columns["Score"] = new SchemaShape.Column("Score", SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single, false, scoreKinds);
        columns["PredictedLabel"] = new SchemaShape.Column("PredictedLabel", SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.UInt32, true, label.Annotations);
        return new SchemaShape(columns.Values);
    }

    /// <summary>The (channels, height, width) of the images in <paramref name="column"/>, per the options or the column's dimensions.</summary>
    internal static TensorShape ImageShape(DataViewSchema.Column column, Options options, string paramName)
    {
        if (column.Type is not VectorDataViewType { ItemType: NumberDataViewType item } vector || item != NumberDataViewType.Single || !vector.IsKnownSize)
            throw new ArgumentOutOfRangeException(paramName, $"The image column '{column.Name}' must be a known-size vector of Single, but it is {column.Type}.");
        int size = vector.Size;
        var dims = vector.Dimensions;
        int height, width;
        if (options.ImageHeight is int h && options.ImageWidth is int w)
            (height, width) = (h, w);
        else if (dims.Length == 2 || dims.Length == 3)
            (height, width) = (options.ImageHeight ?? dims[^2], options.ImageWidth ?? dims[^1]);
        else if (options.ImageHeight is int oh)
            (height, width) = (oh, size % oh == 0 ? size / oh : 0);
        else if (options.ImageWidth is int ow)
            (height, width) = (size % ow == 0 ? size / ow : 0, ow);
        else
        {
            int side = (int)Math.Round(Math.Sqrt(size));
            if (side * side != size)
                throw new ArgumentOutOfRangeException(nameof(Options.ImageHeight),
                    $"The image column '{column.Name}' holds {size} values without image dimensions and is not a square; set CnnTrainer.Options.ImageHeight and ImageWidth.");
            (height, width) = (side, side);
        }
        if (height <= 0 || width <= 0 || size % (height * width) != 0)
            throw new ArgumentOutOfRangeException(nameof(Options.ImageHeight),
                $"The image column '{column.Name}' holds {size} values per row, which is not a whole number of {height}×{width} images (CnnTrainer.Options.ImageHeight/ImageWidth).");
        return new TensorShape(size / (height * width), height, width);
    }

    /// <summary>
    /// Builds the network of <paramref name="options"/>' layers for <paramref name="shape"/> images, after checking (in
    /// 64-bit, before allocating) that training it with <paramref name="options"/> fits one array per tensor and this
    /// machine's memory; refusals name <see cref="Options.Layers"/> and the layer at fault.
    /// </summary>
    internal static CnnNetwork BuildNetwork(TensorShape shape, IReadOnlyList<CnnLayerSpec> specs, int classCount, Options options)
    {
        string prefix = $"CnnTrainer.Options.Layers \"{options.Layers}\"";
        try
        {
            var (layers, _, texts) = CnnNetwork.CreateLayers(shape, specs, classCount);
            TrainingMemory.RequireCnn("CnnTrainer.Options", nameof(Options.Layers), options.Layers, $"\"{options.Layers}\"", shape, layers, texts,
                options.BatchSize, TrainingMemory.Threads(options.NumberOfThreads), CnnEngine.EvaluationChunk, options.ShuffleBufferSize);
            return new CnnNetwork(shape, specs, classCount, options.PixelScale, maxParameters: Array.MaxLength);
        }
        catch (ArgumentOutOfRangeException e) when (e.ParamName is not (nameof(Options.Layers) or nameof(Options.BatchSize) or nameof(Options.ShuffleBufferSize)))
        {
            throw new ArgumentOutOfRangeException(nameof(Options.Layers), options.Layers,
                $"{prefix} does not fit {shape.Channels}×{shape.Height}×{shape.Width} images: {ArgumentMessages.Bare(e)}");
        }
    }

    private static Options Copy(Options o)
    {
        var copy = (Options)o.GetType().GetMethod(nameof(MemberwiseClone), System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic)!.Invoke(o, null)!;
        return copy;
    }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid option.</summary>
    public static void Validate(Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        static void Require(bool ok, string name, object? value, string rule)
        {
            if (!ok) throw new ArgumentOutOfRangeException(name, value, $"CnnTrainer.Options.{name} {rule}.");
        }
        Require(!string.IsNullOrWhiteSpace(options.LabelColumnName), nameof(Options.LabelColumnName), options.LabelColumnName, "must name a column");
        Require(!string.IsNullOrWhiteSpace(options.ImageColumnName), nameof(Options.ImageColumnName), options.ImageColumnName, "must name a column");
        Require(options.ImageHeight is null or > 0, nameof(Options.ImageHeight), options.ImageHeight, "must be null (inferred) or positive");
        Require(options.ImageWidth is null or > 0, nameof(Options.ImageWidth), options.ImageWidth, "must be null (inferred) or positive");
        Require(options.Layers != null, nameof(Options.Layers), null, "must not be null (use \"\" for softmax regression on the pixels)");
        IReadOnlyList<CnnLayerSpec> specs;
        try
        {
            specs = CnnLayerSpec.ParseList(options.Layers!);
        }
        catch (FormatException e)
        {
            throw new ArgumentOutOfRangeException(nameof(Options.Layers), options.Layers, $"CnnTrainer.Options.Layers is invalid: {e.Message}");
        }
        if (options.ImageHeight is int height && options.ImageWidth is int width)
            BuildNetwork(new TensorShape(1, height, width), specs, 2, options); // shape and size check for the known size
        Require(float.IsFinite(options.PixelScale) && options.PixelScale > 0, nameof(Options.PixelScale), options.PixelScale, "must be positive (1/255 for raw 0..255 pixels, 1 for scaled ones)");
        Require(options.Epochs > 0, nameof(Options.Epochs), options.Epochs, "must be at least 1");
        Require(options.BatchSize > 0, nameof(Options.BatchSize), options.BatchSize, "must be at least 1");
        Require(float.IsFinite(options.LearningRate) && options.LearningRate > 0, nameof(Options.LearningRate), options.LearningRate, "must be positive");
        Require(Enum.IsDefined(options.LearningRateSchedule), nameof(Options.LearningRateSchedule), options.LearningRateSchedule, "is not a defined MlpLearningRateSchedule");
        Require(float.IsFinite(options.LearningRateDecay) && options.LearningRateDecay > 0 && options.LearningRateDecay <= 1, nameof(Options.LearningRateDecay), options.LearningRateDecay, "must be in (0, 1]");
        Require(options.LearningRateStepEpochs > 0, nameof(Options.LearningRateStepEpochs), options.LearningRateStepEpochs, "must be at least 1");
        Require(float.IsFinite(options.MinLearningRate) && options.MinLearningRate >= 0 && options.MinLearningRate <= options.LearningRate, nameof(Options.MinLearningRate), options.MinLearningRate, "must be in [0, LearningRate]");
        Require(float.IsFinite(options.Beta1) && options.Beta1 >= 0 && options.Beta1 < 1, nameof(Options.Beta1), options.Beta1, "must be in [0, 1)");
        Require(float.IsFinite(options.Beta2) && options.Beta2 >= 0 && options.Beta2 < 1, nameof(Options.Beta2), options.Beta2, "must be in [0, 1)");
        Require(float.IsFinite(options.Epsilon) && options.Epsilon > 0, nameof(Options.Epsilon), options.Epsilon, "must be positive");
        Require(float.IsFinite(options.L2Regularization) && options.L2Regularization >= 0, nameof(Options.L2Regularization), options.L2Regularization, "must be zero or positive");
        Require(float.IsFinite(options.ValidationFraction) && options.ValidationFraction >= 0 && options.ValidationFraction < 1, nameof(Options.ValidationFraction), options.ValidationFraction, "must be in [0, 1)");
        Require(options.RandomShift >= 0 && (options.ImageHeight is not int h || options.RandomShift < h) && (options.ImageWidth is not int w || options.RandomShift < w),
            nameof(Options.RandomShift), options.RandomShift, "must be zero (off) or positive and smaller than the image");
        Require(options.MonitoringSubsetSize >= 0, nameof(Options.MonitoringSubsetSize), options.MonitoringSubsetSize, "must be zero (all rows) or positive");
        Require(options.NumberOfThreads is null or > 0, nameof(Options.NumberOfThreads), options.NumberOfThreads, "must be null (all cores) or positive");
        TrainerOptionRules.Streaming(Require, options.ShuffleBufferSize, options.ValidationFraction);
        TrainerOptionRules.Checkpoints(Require, options.CheckpointDirectory, options.CheckpointEveryEpochs, options.ResumeFromCheckpoint);
    }
}
