using System.Globalization;
using MlNetMlp.Numerics;

namespace MlNetMlp.Tasks;

/// <summary>
/// One linear output fitted to a standardized target (the trainer standardizes it and the model undoes that when
/// scoring). Squared error is scikit-learn's MLPRegressor loss, ½(ŷ − y)²; Huber (PyTorch's <c>HuberLoss(delta)</c>) is
/// ½r² for |r| ≤ δ and δ(|r| − ½δ) beyond, so outliers pull with a bounded force. No accuracy: the history's accuracy
/// columns read NaN.
/// </summary>
internal sealed class RegressionHead(RegressionLoss loss, float huberDelta) : TaskHead
{
    public override int Outputs => 1;

    public RegressionLoss Loss => loss;

    public float HuberDelta => huberDelta;

    public override string Description => loss == RegressionLoss.Huber
        ? string.Create(CultureInfo.InvariantCulture, $"Regression(Huber, {huberDelta:R})")
        : "Regression(SquaredError)";

    /// <summary>Predicting the mean of a standardized target costs ½ per row with squared error (less with Huber).</summary>
    public override double UninformedLoss => 0.5;

    public override double LossAndGradient(ReadOnlySpan<float> outputs, TrainingSet data, ReadOnlySpan<int> rows, float scale, Span<float> gradient)
    {
        float[] targets = data.Targets!;
        double sum = 0;
        for (int r = 0; r < rows.Length; r++)
        {
            int row = rows[r];
            float residual = outputs[r] - targets[row], w = Weight(data, row);
            sum += w * RowLoss(residual);
            gradient[r] = scale * w * (loss == RegressionLoss.Huber ? Math.Clamp(residual, -huberDelta, huberDelta) : residual);
        }
        return sum;
    }

    public override double Evaluate(ReadOnlySpan<float> outputs, TrainingSet data, ReadOnlySpan<int> rows, out double correct)
    {
        float[] targets = data.Targets!;
        double sum = 0;
        for (int r = 0; r < rows.Length; r++)
            sum += Weight(data, rows[r]) * RowLoss(outputs[r] - targets[rows[r]]);
        correct = double.NaN;
        return sum;
    }

    public override void CheckTargets(TrainingSet data, string paramName)
    {
        if (data.Targets is null) throw new ArgumentException("A regression needs numeric targets.", paramName);
    }

    private double RowLoss(float residual)
    {
        double r = residual;
        if (loss == RegressionLoss.Huber && Math.Abs(r) > huberDelta) return huberDelta * (Math.Abs(r) - 0.5 * huberDelta);
        return 0.5 * r * r;
    }
}
