using System.Numerics;
using System.Numerics.Tensors;

namespace MlNetMlp.Numerics;

/// <summary>
/// Softmax output and its cross-entropy loss, both computed after subtracting the row maximum so that
/// huge logits neither overflow e^z nor turn the loss into NaN: CE = log Σ e^(z−max) − (z_label − max).
/// The generic methods are the plain scalar definitions; the float span methods are what the network runs.
/// </summary>
internal static class SoftmaxCrossEntropy
{
    /// <summary>Softmax of one row, scalar reference.</summary>
    public static void Softmax<T>(ReadOnlySpan<T> logits, Span<T> probabilities) where T : IFloatingPointIeee754<T>
    {
        T max = Max(logits);
        T sum = T.Zero;
        for (int i = 0; i < logits.Length; i++)
        {
            probabilities[i] = T.Exp(logits[i] - max);
            sum += probabilities[i];
        }
        for (int i = 0; i < logits.Length; i++)
            probabilities[i] /= sum;
    }

    /// <summary>−log softmax(logits)[label], scalar reference.</summary>
    public static T CrossEntropy<T>(ReadOnlySpan<T> logits, int label) where T : IFloatingPointIeee754<T>
    {
        T max = Max(logits);
        T sum = T.Zero;
        for (int i = 0; i < logits.Length; i++)
            sum += T.Exp(logits[i] - max);
        return T.Log(sum) - (logits[label] - max);
    }

    private static T Max<T>(ReadOnlySpan<T> values) where T : IFloatingPointIeee754<T>
    {
        T max = T.NegativeInfinity;
        foreach (T value in values)
            max = T.Max(max, value); // T.Max propagates NaN, so a NaN logit shows up in the loss
        return max;
    }

    /// <summary>Replaces each of the <paramref name="rows"/> rows of <paramref name="values"/> by its softmax.</summary>
    public static void SoftmaxRows(Span<float> values, int rows, int classes)
    {
        for (int r = 0; r < rows; r++)
        {
            Span<float> row = values.Slice(r * classes, classes);
            float max = TensorPrimitives.Max(row);
            TensorPrimitives.Subtract(row, max, row);
            TensorPrimitives.Exp(row, row);
            TensorPrimitives.Multiply(row, 1f / TensorPrimitives.Sum(row), row);
        }
    }

    /// <summary>
    /// For each row: its cross-entropy against <paramref name="labels"/>, and the gradient of
    /// <c><paramref name="gradientScale"/>·CE</c> with respect to the logits, <c>(softmax − onehot)·scale</c>,
    /// written to <paramref name="gradient"/> (which may be <paramref name="logits"/>). Returns the sum of the rows' losses.
    /// </summary>
    public static double LossAndGradient(ReadOnlySpan<float> logits, ReadOnlySpan<int> labels, int rows, int classes, float gradientScale, Span<float> gradient)
    {
        double lossSum = 0;
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> z = logits.Slice(r * classes, classes);
            Span<float> g = gradient.Slice(r * classes, classes);
            int label = labels[r];
            float max = TensorPrimitives.Max(z);
            float shiftedLabelLogit = z[label] - max;
            TensorPrimitives.Subtract(z, max, g);
            TensorPrimitives.Exp(g, g);
            float sum = TensorPrimitives.Sum(g);
            lossSum += MathF.Log(sum) - shiftedLabelLogit;
            TensorPrimitives.Multiply(g, gradientScale / sum, g);
            g[label] -= gradientScale;
        }
        return lossSum;
    }

    /// <summary>Sum of the rows' cross-entropies, and how many rows have their label as the (first) largest logit.</summary>
    public static double LossAndCorrectCount(ReadOnlySpan<float> logits, ReadOnlySpan<int> labels, int rows, int classes, out int correct)
    {
        double lossSum = 0;
        correct = 0;
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> z = logits.Slice(r * classes, classes);
            int label = labels[r];
            int predicted = TensorPrimitives.IndexOfMax(z);
            float max = z[predicted];
            float sum = 0;
            foreach (float value in z)
                sum += MathF.Exp(value - max);
            lossSum += MathF.Log(sum) - (z[label] - max);
            if (predicted == label) correct++;
        }
        return lossSum;
    }
}
