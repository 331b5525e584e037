using Microsoft.ML;

namespace MlNetMlp;

/// <summary>ML.NET catalog entry points: <c>mlContext.MulticlassClassification.Trainers.Mlp(...)</c>.</summary>
public static class MlpCatalog
{
    /// <summary>Creates an <see cref="MlpTrainer"/> from options.</summary>
    public static MlpTrainer Mlp(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, MlpTrainer.Options options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new MlpTrainer(((Microsoft.ML.Data.IInternalCatalog)catalog).Environment, options);
    }

    /// <summary>Creates an <see cref="MlpTrainer"/> with the common arguments; the rest keep their defaults.</summary>
    /// <param name="catalog">The multiclass trainers catalog.</param>
    /// <param name="labelColumnName">Key-typed label column.</param>
    /// <param name="featureColumnName">Known-size float vector feature column.</param>
    /// <param name="hiddenLayers">Hidden layer widths; null keeps the default, empty means softmax regression.</param>
    /// <param name="activation">Hidden-layer nonlinearity.</param>
    /// <param name="epochs">Passes over the training data.</param>
    /// <param name="batchSize">Rows per mini-batch.</param>
    /// <param name="learningRate">Initial learning rate.</param>
    /// <param name="optimizer">Update rule.</param>
    /// <param name="l2Regularization">λ of the L2 penalty (PyTorch's weight_decay).</param>
    public static MlpTrainer Mlp(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        string labelColumnName = "Label",
        string featureColumnName = "Features",
        int[]? hiddenLayers = null,
        MlpActivation activation = MlpActivation.LeakyRelu,
        int epochs = 20,
        int batchSize = 200,
        float learningRate = 1e-3f,
        MlpOptimizer optimizer = MlpOptimizer.Adam,
        float l2Regularization = 0f)
    {
        var options = new MlpTrainer.Options
        {
            LabelColumnName = labelColumnName,
            FeatureColumnName = featureColumnName,
            Activation = activation,
            Epochs = epochs,
            BatchSize = batchSize,
            LearningRate = learningRate,
            Optimizer = optimizer,
            L2Regularization = l2Regularization,
        };
        if (hiddenLayers != null) options.HiddenLayers = hiddenLayers;
        return catalog.Mlp(options);
    }
}
