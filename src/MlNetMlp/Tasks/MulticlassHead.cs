using MlNetMlp.Numerics;

namespace MlNetMlp.Tasks;

/// <summary>Softmax over one output per class, cross-entropy loss; accuracy is the arg-max's.</summary>
internal sealed class MulticlassHead(int classes) : TaskHead
{
    // Labels of one worker's rows are gathered on the stack up to this many rows, beyond it into a rented array.
    private const int StackRows = 512;

    public override int Outputs => classes;

    public override string Description => "Multiclass";

    public override double UninformedLoss => Math.Log(Math.Max(2, classes));

    public override double LossAndGradient(ReadOnlySpan<float> outputs, TrainingSet data, ReadOnlySpan<int> rows, float scale, Span<float> gradient)
    {
        if (data.Weights is { } weights)
        {
            double sum = 0;
            for (int r = 0; r < rows.Length; r++)
            {
                int row = rows[r];
                float w = weights[row];
                sum += w * SoftmaxCrossEntropy.LossAndGradient(outputs.Slice(r * classes, classes), [data.Labels[row]], 1, classes, scale * w,
                    gradient.Slice(r * classes, classes));
            }
            return sum;
        }
        Span<int> labels = rows.Length <= StackRows ? stackalloc int[rows.Length] : new int[rows.Length];
        Gather(data, rows, labels);
        return SoftmaxCrossEntropy.LossAndGradient(outputs, labels, rows.Length, classes, scale, gradient);
    }

    public override double Evaluate(ReadOnlySpan<float> outputs, TrainingSet data, ReadOnlySpan<int> rows, out double correct)
    {
        Span<int> labels = rows.Length <= StackRows ? stackalloc int[rows.Length] : new int[rows.Length];
        Gather(data, rows, labels);
        if (data.Weights is not { } weights)
        {
            double loss = SoftmaxCrossEntropy.LossAndCorrectCount(outputs, labels, rows.Length, classes, out int hits);
            correct = hits;
            return loss;
        }
        double weightedLoss = 0;
        correct = 0;
        for (int r = 0; r < rows.Length; r++)
        {
            float w = weights[rows[r]];
            weightedLoss += w * SoftmaxCrossEntropy.LossAndCorrectCount(outputs.Slice(r * classes, classes), labels.Slice(r, 1), 1, classes, out int hit);
            correct += w * hit;
        }
        return weightedLoss;
    }

    public override void CheckTargets(TrainingSet data, string paramName)
    {
        foreach (int label in data.Labels)
        {
            if ((uint)label >= (uint)classes)
                throw new ArgumentException($"Label {label} is outside 0..{classes - 1}.", paramName);
        }
    }

    private static void Gather(TrainingSet data, ReadOnlySpan<int> rows, Span<int> labels)
    {
        int[] all = data.Labels;
        for (int r = 0; r < rows.Length; r++) labels[r] = all[rows[r]];
    }
}
