using System.Globalization;

namespace MlNetMlp.Numerics;

/// <summary>
/// Notices a trained model that predicts one class for (almost) every row while the labels are spread over several:
/// training that collapsed (too large a learning rate, or so much L2 that only the biases are left) but ended with a
/// finite loss, so nothing failed. Shared by every trainer; the model is scored on up to <see cref="MaxRows"/> training
/// rows spread evenly over the rows the trainer holds in memory.
/// </summary>
internal static class OneClassPrediction
{
    /// <summary>Rows scored: a share of 99 % is then measured to about ±0.3 points, in a few milliseconds for an MLP.</summary>
    public const int MaxRows = 1000;

    /// <summary>The share of rows predicted as one class from which a model counts as a one-class predictor.</summary>
    public const double PredictedShare = 0.99;

    /// <summary>...as long as no label has this share of the rows (a model that always answers a 95 % majority may be right).</summary>
    public const double LabelShare = 0.9;

    /// <summary>The warning to give about <paramref name="model"/>, or null when its predictions are spread as they should be.</summary>
    /// <param name="model">The trained network (its outputs are a multiclass model's logits).</param>
    /// <param name="data">The training rows the trainer holds in memory.</param>
    /// <param name="classNames">The label's key values, to name the class; null names it by index.</param>
    public static string? Warning<TWorkspace>(INetworkOutputs<TWorkspace> model, TrainingSet data, IReadOnlyList<string>? classNames)
    {
        int rows = Math.Min(MaxRows, data.Rows), classes = model.OutputCount, block = Math.Max(1, model.BlockRowsPerCore);
        if (rows == 0 || classes < 2) return null;
        var predicted = new int[classes];
        var labels = new int[classes];
        var workspace = model.CreateWorkspace(block);
        var features = new float[block * data.FeatureCount];
        var probabilities = new float[block * classes];
        for (int first = 0; first < rows; first += block)
        {
            int count = Math.Min(block, rows - first);
            for (int r = 0; r < count; r++)
            {
                int row = (int)((first + r) * (long)data.Rows / rows); // evenly over all rows
                data.Row(row).CopyTo(features.AsSpan(r * data.FeatureCount));
                labels[data.Labels[row]]++;
            }
            model.ComputeOutputs(features.AsSpan(0, count * data.FeatureCount), count, probabilities.AsSpan(0, count * classes), workspace);
            SoftmaxCrossEntropy.SoftmaxRows(probabilities.AsSpan(0, count * classes), count, classes);
            for (int r = 0; r < count; r++)
            {
                ReadOnlySpan<float> p = probabilities.AsSpan(r * classes, classes);
                int k = p.IndexOf(Max(p));
                if (k >= 0) predicted[k]++; // a row of NaN probabilities counts for no class
            }
        }
        int top = Array.IndexOf(predicted, predicted.Max());
        double share = (double)predicted[top] / rows, labelShare = (double)labels.Max() / rows;
        if (share < PredictedShare || labelShare >= LabelShare) return null;
        string name = classNames is not null && top < classNames.Count ? $"'{classNames[top]}'" : top.ToString(CultureInfo.InvariantCulture);
        return string.Create(CultureInfo.InvariantCulture,
            $"The trained model predicts class {name} for {share:P1} of {rows:N0} training rows, whose most common label has only {labelShare:P1}: training collapsed to one class. Lower the learning rate or the L2 regularization, or normalize the features.");
    }

    private static float Max(ReadOnlySpan<float> values)
    {
        float max = values[0];
        foreach (float v in values) if (v > max) max = v;
        return max;
    }
}
