using System.Numerics;

namespace MlNetMlp.Tasks;

/// <summary>Which head <see cref="ReferenceHead{T}"/> computes.</summary>
internal enum HeadKind
{
    Multiclass,
    Binary,
    Regression,
}

/// <summary>
/// The heads' losses and gradients as plain scalar definitions in any IEEE type, written apart from the fast heads
/// (<see cref="MulticlassHead"/>, <see cref="BinaryHead"/>, <see cref="RegressionHead"/>) so that the gradient checks
/// compare two independent writings: the objective is Σ w·loss / Σ w over the rows (w = 1 without weights).
/// </summary>
internal sealed class ReferenceHead<T>(HeadKind kind, int[] labels, T[]? targets = null, T[]? weights = null,
    RegressionLoss regressionLoss = RegressionLoss.SquaredError, double huberDelta = 1) where T : IFloatingPointIeee754<T>
{
    public HeadKind Kind => kind;

    /// <summary>The rows' mean (weighted) loss over <paramref name="outputs"/> (rows × outputs); fills <paramref name="gradient"/> when given.</summary>
    public T MeanLoss(ReadOnlySpan<T> outputs, int rows, Span<T> gradient)
    {
        int width = outputs.Length / rows;
        T total = T.Zero, weightSum = T.Zero;
        for (int r = 0; r < rows; r++) weightSum += Weight(r);
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<T> z = outputs.Slice(r * width, width);
            Span<T> g = gradient.IsEmpty ? [] : gradient.Slice(r * width, width);
            T w = Weight(r) / weightSum;
            total += w * RowLoss(z, r, g);
            for (int i = 0; i < g.Length; i++) g[i] *= w;
        }
        return total;
    }

    private T Weight(int row) => weights is null ? T.One : weights[row];

    private T RowLoss(ReadOnlySpan<T> z, int row, Span<T> gradient)
    {
        switch (kind)
        {
            case HeadKind.Multiclass:
                if (!gradient.IsEmpty)
                {
                    SoftmaxCrossEntropy.Softmax(z, gradient);
                    gradient[labels[row]] -= T.One;
                }
                return SoftmaxCrossEntropy.CrossEntropy(z, labels[row]);
            case HeadKind.Binary:
            {
                T y = T.CreateTruncating(labels[row]), x = z[0];
                if (!gradient.IsEmpty) gradient[0] = T.One / (T.One + T.Exp(-x)) - y;
                return T.Max(x, T.Zero) - y * x + T.Log(T.One + T.Exp(-T.Abs(x)));
            }
            default:
            {
                T r = z[0] - targets![row], delta = T.CreateTruncating(huberDelta), half = T.CreateTruncating(0.5);
                bool linear = regressionLoss == RegressionLoss.Huber && T.Abs(r) > delta;
                if (!gradient.IsEmpty) gradient[0] = linear ? T.CopySign(delta, r) : r;
                return linear ? delta * (T.Abs(r) - half * delta) : half * r * r;
            }
        }
    }
}
