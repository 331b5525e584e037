using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace MlNetMlp;

/// <summary>
/// ML.NET catalog entry points for every MlNetMlp trainer: <c>mlContext.MulticlassClassification.Trainers.Mlp(...)</c>,
/// <c>.BinaryClassification.Trainers.Mlp(...)</c>, <c>.Regression.Trainers.Mlp(...)</c>, and <c>.Cnn(...)</c> in each. Each
/// takes the network's options, or the common arguments (the rest keep their defaults: <see cref="MlpTrainer.Options"/>,
/// <see cref="CnnTrainer.Options"/>).
/// </summary>
public static class TrainersCatalog
{
    /// <summary>An <see cref="MlpTrainer"/> (multiclass; key-typed label) from options.</summary>
    public static MlpTrainer Mlp(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, MlpTrainer.Options options) => new(Environment(catalog), options);

    /// <summary>An <see cref="MlpBinaryTrainer"/> (Boolean label) from options.</summary>
    public static MlpBinaryTrainer Mlp(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog, MlpTrainer.Options options) => new(Environment(catalog), options);

    /// <summary>An <see cref="MlpRegressionTrainer"/> (Single label) from options.</summary>
    public static MlpRegressionTrainer Mlp(this RegressionCatalog.RegressionTrainers catalog, MlpTrainer.Options options) => new(Environment(catalog), options);

    /// <summary>A <see cref="CnnTrainer"/> (multiclass; key-typed label) from options.</summary>
    public static CnnTrainer Cnn(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, CnnTrainer.Options options) => new(Environment(catalog), options);

    /// <summary>A <see cref="CnnBinaryTrainer"/> (Boolean label) from options.</summary>
    public static CnnBinaryTrainer Cnn(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog, CnnTrainer.Options options) => new(Environment(catalog), options);

    /// <summary>A <see cref="CnnRegressionTrainer"/> (Single label) from options.</summary>
    public static CnnRegressionTrainer Cnn(this RegressionCatalog.RegressionTrainers catalog, CnnTrainer.Options options) => new(Environment(catalog), options);

    /// <summary>An <see cref="MlpTrainer"/> with the common arguments; the rest keep their defaults.</summary>
    /// <param name="catalog">The multiclass trainers catalog.</param>
    /// <param name="labelColumnName">Key-typed label column.</param>
    /// <param name="featureColumnName">Known-size Single vector feature column.</param>
    /// <param name="hiddenLayers">Hidden layer widths; null keeps the default, empty means a linear model (softmax regression).</param>
    /// <param name="activation">Hidden-layer nonlinearity.</param>
    /// <param name="epochs">Passes over the training data.</param>
    /// <param name="batchSize">Rows per mini-batch.</param>
    /// <param name="learningRate">Initial learning rate.</param>
    /// <param name="optimizer">Update rule.</param>
    /// <param name="l2Regularization">λ of the L2 penalty (PyTorch's weight_decay).</param>
    public static MlpTrainer Mlp(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, string labelColumnName = "Label", string featureColumnName = "Features",
        int[]? hiddenLayers = null, MlpActivation activation = MlpActivation.LeakyRelu, int epochs = 20, int batchSize = 200, float learningRate = 1e-3f,
        Optimizer optimizer = Optimizer.Adam, float l2Regularization = 0f) =>
        catalog.Mlp(MlpOptions(labelColumnName, featureColumnName, null, hiddenLayers, activation, epochs, batchSize, learningRate, optimizer, l2Regularization));

    /// <summary>
    /// An <see cref="MlpBinaryTrainer"/> with the common arguments (as the multiclass overload, plus example weights). Its
    /// defaults are scikit-learn's <c>MLPClassifier</c>'s, sized for the small tables binary tasks usually come with: one
    /// hidden layer of 100 ReLU units, 200 epochs (the multiclass defaults are the Fashion-MNIST study's).
    /// </summary>
    public static MlpBinaryTrainer Mlp(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog, string labelColumnName = "Label", string featureColumnName = "Features",
        string? exampleWeightColumnName = null, int[]? hiddenLayers = null, MlpActivation activation = MlpActivation.Relu, int epochs = 200, int batchSize = 200,
        float learningRate = 1e-3f, Optimizer optimizer = Optimizer.Adam, float l2Regularization = 0f) =>
        catalog.Mlp(MlpOptions(labelColumnName, featureColumnName, exampleWeightColumnName, hiddenLayers ?? TableHiddenLayers, activation, epochs, batchSize,
            learningRate, optimizer, l2Regularization));

    /// <summary>
    /// An <see cref="MlpRegressionTrainer"/> with the common arguments (as the multiclass overload, plus example weights and the
    /// loss), with scikit-learn's <c>MLPRegressor</c> defaults: one hidden layer of 100 ReLU units, 200 epochs. The target is
    /// standardized inside the trainer and the model undoes it, so targets of any scale train with these defaults.
    /// </summary>
    public static MlpRegressionTrainer Mlp(this RegressionCatalog.RegressionTrainers catalog, string labelColumnName = "Label", string featureColumnName = "Features",
        string? exampleWeightColumnName = null, int[]? hiddenLayers = null, MlpActivation activation = MlpActivation.Relu, int epochs = 200, int batchSize = 200,
        float learningRate = 1e-3f, Optimizer optimizer = Optimizer.Adam, float l2Regularization = 0f, RegressionLoss loss = RegressionLoss.SquaredError)
    {
        var options = MlpOptions(labelColumnName, featureColumnName, exampleWeightColumnName, hiddenLayers ?? TableHiddenLayers, activation, epochs, batchSize,
            learningRate, optimizer, l2Regularization);
        options.Loss = loss;
        return catalog.Mlp(options);
    }

    /// <summary>A <see cref="CnnTrainer"/> with the common arguments; the rest keep their defaults.</summary>
    /// <param name="catalog">The multiclass trainers catalog.</param>
    /// <param name="labelColumnName">Key-typed label column.</param>
    /// <param name="imageColumnName">Known-size Single vector column with the images (e.g. Fashion-MNIST's 28×28 "Image").</param>
    /// <param name="layers">Hidden layers in <see cref="CnnLayerSpec"/>'s text form; null keeps <see cref="CnnTrainer.DefaultLayers"/>.</param>
    /// <param name="epochs">Passes over the training data.</param>
    /// <param name="batchSize">Rows per mini-batch.</param>
    /// <param name="learningRate">The update rule's learning rate.</param>
    /// <param name="pixelScale">Multiplier applied to every pixel (1/255 for raw 0..255 pixels).</param>
    public static CnnTrainer Cnn(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, string labelColumnName = "Label", string imageColumnName = "Image",
        string? layers = null, int epochs = 10, int batchSize = 128, float learningRate = 1e-3f, float pixelScale = 1f / 255) =>
        catalog.Cnn(CnnOptions(labelColumnName, imageColumnName, null, layers, epochs, batchSize, learningRate, pixelScale));

    /// <summary>A <see cref="CnnBinaryTrainer"/> with the common arguments (as the multiclass overload, plus example weights).</summary>
    public static CnnBinaryTrainer Cnn(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog, string labelColumnName = "Label", string imageColumnName = "Image",
        string? exampleWeightColumnName = null, string? layers = null, int epochs = 10, int batchSize = 128, float learningRate = 1e-3f, float pixelScale = 1f / 255) =>
        catalog.Cnn(CnnOptions(labelColumnName, imageColumnName, exampleWeightColumnName, layers, epochs, batchSize, learningRate, pixelScale));

    /// <summary>A <see cref="CnnRegressionTrainer"/> with the common arguments (as the multiclass overload, plus example weights).</summary>
    public static CnnRegressionTrainer Cnn(this RegressionCatalog.RegressionTrainers catalog, string labelColumnName = "Label", string imageColumnName = "Image",
        string? exampleWeightColumnName = null, string? layers = null, int epochs = 10, int batchSize = 128, float learningRate = 1e-3f, float pixelScale = 1f / 255) =>
        catalog.Cnn(CnnOptions(labelColumnName, imageColumnName, exampleWeightColumnName, layers, epochs, batchSize, learningRate, pixelScale));

    /// <summary>scikit-learn's <c>hidden_layer_sizes=(100,)</c>: the binary and regression overloads' default network.</summary>
    private static int[] TableHiddenLayers => [100];

    private static MlpTrainer.Options MlpOptions(string label, string features, string? weight, int[]? hiddenLayers, MlpActivation activation, int epochs, int batchSize,
        float learningRate, Optimizer optimizer, float l2Regularization)
    {
        var options = new MlpTrainer.Options
        {
            LabelColumnName = label, FeatureColumnName = features, ExampleWeightColumnName = weight, Activation = activation, Epochs = epochs,
            BatchSize = batchSize, LearningRate = learningRate, Optimizer = optimizer, L2Regularization = l2Regularization,
        };
        if (hiddenLayers != null) options.HiddenLayers = hiddenLayers;
        return options;
    }

    private static CnnTrainer.Options CnnOptions(string label, string image, string? weight, string? layers, int epochs, int batchSize, float learningRate, float pixelScale)
    {
        var options = new CnnTrainer.Options
        {
            LabelColumnName = label, ImageColumnName = image, ExampleWeightColumnName = weight, Epochs = epochs, BatchSize = batchSize,
            LearningRate = learningRate, PixelScale = pixelScale,
        };
        if (layers != null) options.Layers = layers;
        return options;
    }

    private static IHostEnvironment Environment(object catalog) =>
        ((IInternalCatalog)(catalog ?? throw new ArgumentNullException(nameof(catalog)))).Environment;
}
