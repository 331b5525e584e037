using MlNetMlp.Numerics;

namespace MlNetMlp.Tasks;

/// <summary>
/// One output, the logit z of the positive class: p = σ(z), loss = binary cross-entropy written as
/// <c>max(z, 0) − y·z + log(1 + e^(−|z|))</c>, which neither overflows nor loses the tail for large |z|; ∂loss/∂z = p − y.
/// Labels are 0 (false) and 1 (true); a row is predicted right when z ≥ 0 ⇔ p ≥ ½ says its label.
/// </summary>
internal sealed class BinaryHead : TaskHead
{
    public static readonly BinaryHead Instance = new();

    public override int Outputs => 1;

    public override string Description => "Binary";

    public override double UninformedLoss => Math.Log(2);

    public override double LossAndGradient(ReadOnlySpan<float> outputs, TrainingSet data, ReadOnlySpan<int> rows, float scale, Span<float> gradient)
    {
        double sum = 0;
        for (int r = 0; r < rows.Length; r++)
        {
            int row = rows[r];
            float z = outputs[r], y = data.Labels[row], w = Weight(data, row);
            sum += w * Loss(z, y);
            gradient[r] = scale * w * (Sigmoid(z) - y);
        }
        return sum;
    }

    public override double Evaluate(ReadOnlySpan<float> outputs, TrainingSet data, ReadOnlySpan<int> rows, out double correct)
    {
        double sum = 0;
        correct = 0;
        for (int r = 0; r < rows.Length; r++)
        {
            int row = rows[r];
            float z = outputs[r], w = Weight(data, row);
            int y = data.Labels[row];
            sum += w * Loss(z, y);
            if ((z >= 0 ? 1 : 0) == y) correct += w;
        }
        return sum;
    }

    public override void CheckTargets(TrainingSet data, string paramName)
    {
        foreach (int label in data.Labels)
        {
            if (label is not (0 or 1))
                throw new ArgumentException($"Binary label {label} is neither 0 (false) nor 1 (true).", paramName);
        }
    }

    /// <summary>σ(z), computed from e^(−|z|) so that it neither overflows nor divides by infinity.</summary>
    public static float Sigmoid(float z)
    {
        float e = MathF.Exp(-MathF.Abs(z));
        return z >= 0 ? 1 / (1 + e) : e / (1 + e);
    }

    private static double Loss(float z, float y) => Math.Max(z, 0) - y * (double)z + Math.Log(1 + Math.Exp(-Math.Abs((double)z)));
}
