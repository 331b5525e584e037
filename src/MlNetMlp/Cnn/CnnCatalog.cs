using Microsoft.ML;

namespace MlNetMlp;

/// <summary>ML.NET catalog entry points: <c>mlContext.MulticlassClassification.Trainers.Cnn(...)</c>.</summary>
public static class CnnCatalog
{
    /// <summary>Creates a <see cref="CnnTrainer"/> from options.</summary>
    public static CnnTrainer Cnn(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, CnnTrainer.Options options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new CnnTrainer(((Microsoft.ML.Data.IInternalCatalog)catalog).Environment, options);
    }

    /// <summary>Creates a <see cref="CnnTrainer"/> with the common arguments; the rest keep their defaults.</summary>
    /// <param name="catalog">The multiclass trainers catalog.</param>
    /// <param name="labelColumnName">Key-typed label column.</param>
    /// <param name="imageColumnName">Known-size Single vector column with the images (e.g. Fashion-MNIST's 28×28 "Image").</param>
    /// <param name="layers">Hidden layers in <see cref="CnnLayerSpec"/>'s text form; null keeps <see cref="CnnTrainer.DefaultLayers"/>.</param>
    /// <param name="epochs">Passes over the training data.</param>
    /// <param name="batchSize">Rows per mini-batch.</param>
    /// <param name="learningRate">Adam's learning rate.</param>
    /// <param name="pixelScale">Multiplier applied to every pixel (1/255 for raw 0..255 pixels).</param>
    public static CnnTrainer Cnn(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        string labelColumnName = "Label",
        string imageColumnName = "Image",
        string? layers = null,
        int epochs = 10,
        int batchSize = 128,
        float learningRate = 1e-3f,
        float pixelScale = 1f / 255)
    {
        var options = new CnnTrainer.Options
        {
            LabelColumnName = labelColumnName,
            ImageColumnName = imageColumnName,
            Epochs = epochs,
            BatchSize = batchSize,
            LearningRate = learningRate,
            PixelScale = pixelScale,
        };
        if (layers != null) options.Layers = layers;
        return catalog.Cnn(options);
    }
}
