using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetMlp.Mapping;

namespace MlNetMlp.Cnn;

/// <summary>The CNN as the trainers' Fit sees it (<see cref="NetworkDefinition{TModel, TOptions}"/>).</summary>
internal sealed class CnnDefinition : NetworkDefinition<CnnModelParameters, CnnTrainer.Options>
{
    public static readonly CnnDefinition Instance = new();

    public override string Name => nameof(CnnTrainer);

    public override DataViewSchema.Column FeatureColumn(DataViewSchema schema, CnnTrainer.Options options, string paramName)
    {
        var image = SchemaChecks.Column(schema, options.ImageColumnName, "image", paramName);
        var shape = ImageShape(image, options, paramName);
        image = SchemaChecks.FeatureVector(schema, image.Name, shape.Size, paramName);
        if (options.RandomShift >= Math.Min(shape.Height, shape.Width))
            throw new ArgumentOutOfRangeException(nameof(CnnTrainer.Options.RandomShift), options.RandomShift,
                $"CnnTrainer.Options.RandomShift must be smaller than the {shape.Height}×{shape.Width} images of column '{image.Name}'.");
        return image;
    }

    public override ITrainableNetwork Build(DataViewSchema.Column features, int outputs, CnnTrainer.Options options) =>
        BuildNetwork(ImageShape(features, options, "trainData"), CnnLayerSpec.ParseList(options.Layers), outputs, options);

    public override void Initialize(ITrainableNetwork network, CnnTrainer.Options options, Random random) => ((CnnNetwork)network).Initialize(random);

    /// <summary>A warm start continues the initial network as it is: options that would shape another network are refused.</summary>
    public override void CheckWarmStart(CnnModelParameters initialModel, CnnTrainer.Options options, DataViewSchema.Column features, int outputs, string labelColumnName)
    {
        string initialLayers = CnnLayerSpec.Format(initialModel.Network.Specs), layers = CnnLayerSpec.Format(CnnLayerSpec.ParseList(options.Layers));
        TrainerFitRules.SameAsInitialModel(initialLayers == layers, nameof(options.Layers), Name, $"\"{initialLayers}\"", $"\"{layers}\"");
        TrainerFitRules.SameAsInitialModel(initialModel.Network.PixelScale == options.PixelScale, nameof(options.PixelScale), Name,
            initialModel.Network.PixelScale, options.PixelScale);
        TrainerFitRules.InitialModelFits(initialModel.Network.InputShape, ImageShape(features, options, "trainData"), "images", features.Name,
            initialModel.ClassCount, outputs, labelColumnName);
    }

    public override ITrainableNetwork CopyNetwork(CnnModelParameters initialModel) => initialModel.Network.Clone();

    public override IReadOnlyList<EpochRecord> HistoryOf(CnnModelParameters model) => model.History;

    public override ITrainingEngine CreateEngine(ITrainableNetwork network, CnnTrainer.Options options, TaskHead head, int batchSize, int seed) =>
        new CnnEngine((CnnNetwork)network, TrainingMemory.Threads(options.NumberOfThreads), batchSize, head, options)
        {
            Augmentation = new ImageAugmentation(options.RandomHorizontalFlip, options.RandomShift, RandomStreams.SubSeed(seed, RandomStreams.AugmentationStream)),
        };

    public override (string Name, object? Value)[] Settings(CnnTrainer.Options o) =>
        [(nameof(o.RandomHorizontalFlip), o.RandomHorizontalFlip), (nameof(o.RandomShift), o.RandomShift)];

    public override CnnModelParameters CreateModel(ITrainableNetwork network, IReadOnlyList<EpochRecord> history) => new((CnnNetwork)network, history);

    public override string? OneClassWarning(CnnModelParameters model, TrainingSet train, IReadOnlyList<string>? classNames) =>
        OneClassPrediction.Warning(model.ScoringNetwork, train, classNames);

    /// <summary>The CNN's own option rules (<see cref="NetworkTrainerOptions.Validate"/> runs the shared ones).</summary>
    internal static void ValidateOptions(CnnTrainer.Options options, TrainerOptionRules.Require require)
    {
        require(options.ImageHeight is null or > 0, nameof(CnnTrainer.Options.ImageHeight), options.ImageHeight, "must be null (inferred) or positive");
        require(options.ImageWidth is null or > 0, nameof(CnnTrainer.Options.ImageWidth), options.ImageWidth, "must be null (inferred) or positive");
        require(options.Layers != null, nameof(CnnTrainer.Options.Layers), null, "must not be null (use \"\" for softmax regression on the pixels)");
        IReadOnlyList<CnnLayerSpec> specs;
        try
        {
            specs = CnnLayerSpec.ParseList(options.Layers!);
        }
        catch (FormatException e)
        {
            throw new ArgumentOutOfRangeException(nameof(CnnTrainer.Options.Layers), options.Layers, $"CnnTrainer.Options.Layers is invalid: {e.Message}");
        }
        if (options.ImageHeight is int height && options.ImageWidth is int width)
            BuildNetwork(new TensorShape(1, height, width), specs, 2, options); // shape and size check for the known size
        require(float.IsFinite(options.PixelScale) && options.PixelScale > 0, nameof(CnnTrainer.Options.PixelScale), options.PixelScale, "must be positive (1/255 for raw 0..255 pixels, 1 for scaled ones)");
        require(options.RandomShift >= 0 && (options.ImageHeight is not int h || options.RandomShift < h) && (options.ImageWidth is not int w || options.RandomShift < w),
            nameof(CnnTrainer.Options.RandomShift), options.RandomShift, "must be zero (off) or positive and smaller than the image");
    }

    /// <summary>The (channels, height, width) of the images in <paramref name="column"/>, per the options or the column's dimensions.</summary>
    internal static TensorShape ImageShape(DataViewSchema.Column column, CnnTrainer.Options options, string paramName)
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
                throw new ArgumentOutOfRangeException(nameof(CnnTrainer.Options.ImageHeight),
                    $"The image column '{column.Name}' holds {size} values without image dimensions and is not a square; set CnnTrainer.Options.ImageHeight and ImageWidth.");
            (height, width) = (side, side);
        }
        if (height <= 0 || width <= 0 || size % (height * width) != 0)
            throw new ArgumentOutOfRangeException(nameof(CnnTrainer.Options.ImageHeight),
                $"The image column '{column.Name}' holds {size} values per row, which is not a whole number of {height}×{width} images (CnnTrainer.Options.ImageHeight/ImageWidth).");
        return new TensorShape(size / (height * width), height, width);
    }

    /// <summary>
    /// Builds the network of <paramref name="options"/>' layers for <paramref name="shape"/> images, after checking (in
    /// 64-bit, before allocating) that training it with <paramref name="options"/> fits one array per tensor and this
    /// machine's memory; refusals name <see cref="CnnTrainer.Options.Layers"/> and the layer at fault.
    /// </summary>
    internal static CnnNetwork BuildNetwork(TensorShape shape, IReadOnlyList<CnnLayerSpec> specs, int classCount, CnnTrainer.Options options)
    {
        string prefix = $"CnnTrainer.Options.Layers \"{options.Layers}\"";
        try
        {
            var (layers, _, texts) = CnnNetwork.CreateLayers(shape, specs, classCount);
            TrainingMemory.RequireCnn("CnnTrainer.Options", nameof(CnnTrainer.Options.Layers), options.Layers, $"\"{options.Layers}\"", shape, layers, texts,
                options.BatchSize, TrainingMemory.Threads(options.NumberOfThreads), CnnEngine.EvaluationChunk, options.ShuffleBufferSize);
            return new CnnNetwork(shape, specs, classCount, options.PixelScale, maxParameters: Array.MaxLength);
        }
        catch (ArgumentOutOfRangeException e) when (e.ParamName is not (nameof(CnnTrainer.Options.Layers) or nameof(CnnTrainer.Options.BatchSize) or nameof(CnnTrainer.Options.ShuffleBufferSize)))
        {
            throw new ArgumentOutOfRangeException(nameof(CnnTrainer.Options.Layers), options.Layers,
                $"{prefix} does not fit {shape.Channels}×{shape.Height}×{shape.Width} images: {ArgumentMessages.Bare(e)}");
        }
    }

}
