using System.Globalization;
using MlNetMlp.Numerics;

namespace MlNetMlp;

/// <summary>
/// Verifies the MLP's backpropagation: analytic gradients of <c>mean loss + (λ/2)·Σ w²</c> (cross-entropy for
/// multiclass and binary, squared error or Huber for regression, weighted by example weights when given)
/// (the trainer's objective, see <see cref="MlpTrainer.Options"/>) against central finite differences,
/// for every weight and bias of a small random network, all in double precision.
/// </summary>
public static class MlpGradientCheck
{
    /// <summary>
    /// Gradients whose |analytic| + |numeric| is below this are compared in absolute terms, because the
    /// difference quotient carries an absolute rounding noise of about 1e-16·J/ε (~5e-11 at ε = 1e-5).
    /// </summary>
    public const double RelativeErrorFloor = 1e-4;

    /// <summary>
    /// Builds a network with <paramref name="layerSizes"/> (input, hidden…, classes), default-initialized
    /// weights and small random biases from <paramref name="seed"/>, plus <paramref name="rows"/> random
    /// rows (features uniform in [−1, 1], random labels), and compares, for every parameter, the
    /// backpropagated derivative a with the central difference n = (J(p+ε) − J(p−ε)) / 2ε.
    /// The default ε = 1e-5 balances truncation error (∝ ε²) against rounding noise (∝ 1/ε) in double.
    /// </summary>
    /// <returns>
    /// The largest relative error |a − n| / max(|a| + |n|, <see cref="RelativeErrorFloor"/>) and where it occurred.
    /// Correct backpropagation gives well below 1e-6 on small networks (typically 1e-9 to 1e-7).
    /// </returns>
    public static MlpGradientCheckResult Run(IReadOnlyList<int> layerSizes, MlpActivation activation, float l2Regularization = 0,
        int rows = 4, int seed = 0, float leakyReluSlope = 0.01f, float eluAlpha = 1f, double epsilon = 1e-5) =>
        Run(layerSizes, activation, HeadKind.Multiclass, l2Regularization, rows, seed, leakyReluSlope, eluAlpha, epsilon);

    /// <summary>
    /// <see cref="Run(IReadOnlyList{int}, MlpActivation, float, int, int, float, float, double)"/> for any head: binary
    /// (one output, labels 0/1), regression (one output, normal targets; Huber with δ = 0.5 when <paramref name="huber"/>),
    /// optionally with random example weights in [0.5, 2).
    /// </summary>
    internal static MlpGradientCheckResult Run(IReadOnlyList<int> layerSizes, MlpActivation activation, HeadKind head, float l2Regularization = 0,
        int rows = 4, int seed = 0, float leakyReluSlope = 0.01f, float eluAlpha = 1f, double epsilon = 1e-5, bool weighted = false, bool huber = false)
    {
        ArgumentNullException.ThrowIfNull(layerSizes);
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(epsilon);
        int[] sizes = [.. layerSizes];
        var random = new Random(seed);
        var network = new MlpNetwork(sizes, activation, leakyReluSlope, eluAlpha);
        network.Initialize(MlpInitialization.Auto, random);
        double[][] weights = ToDouble(network.Weights);
        double[][] biases = ToDouble(network.Biases);
        foreach (double[] b in biases)
            for (int i = 0; i < b.Length; i++)
                b[i] = 0.2 * random.NextDouble() - 0.1;
        var features = new double[rows * sizes[0]];
        for (int i = 0; i < features.Length; i++)
            features[i] = 2 * random.NextDouble() - 1;
        var labels = new int[rows];
        for (int r = 0; r < rows; r++)
            labels[r] = random.Next(head == HeadKind.Multiclass ? sizes[^1] : 2);
        double[] targets = [.. Enumerable.Range(0, rows).Select(_ => 2 * random.NextDouble() - 1)];
        double[]? exampleWeights = weighted ? [.. Enumerable.Range(0, rows).Select(_ => 0.5 + 1.5 * random.NextDouble())] : null;
        var reference = new ReferenceHead<double>(head, labels, targets, exampleWeights, huber ? RegressionLoss.Huber : RegressionLoss.SquaredError, 0.5);

        double slope = leakyReluSlope, alpha = eluAlpha, l2 = l2Regularization;
        double Objective(double[][]? weightGradients = null, double[][]? biasGradients = null) =>
            ReferenceMlp.LossAndGradients<double>(sizes, activation, slope, alpha, weights, biases, features, reference, rows, l2,
                null, weightGradients, biasGradients);

        double[][] analyticWeights = ZerosLike(weights), analyticBiases = ZerosLike(biases);
        Objective(analyticWeights, analyticBiases);
        double[][] numericWeights = ZerosLike(weights), numericBiases = ZerosLike(biases);
        foreach ((double[][] parameters, double[][] numeric) in new[] { (weights, numericWeights), (biases, numericBiases) })
        {
            for (int l = 0; l < parameters.Length; l++)
            {
                for (int i = 0; i < parameters[l].Length; i++)
                {
                    double saved = parameters[l][i];
                    parameters[l][i] = saved + epsilon;
                    double plus = Objective();
                    parameters[l][i] = saved - epsilon;
                    double minus = Objective();
                    parameters[l][i] = saved;
                    numeric[l][i] = (plus - minus) / (2 * epsilon);
                }
            }
        }
        return Compare(analyticWeights, analyticBiases, numericWeights, numericBiases, RelativeErrorFloor);
    }

    /// <summary>
    /// Compares the fast float training path's gradient of the mean cross-entropy (all rows of
    /// <paramref name="data"/> as one batch, split over <paramref name="threads"/> workers, with dropout
    /// masks from <paramref name="dropoutSeed"/>) with the double-precision reference on the same
    /// weights and masks. "analytic" in the result is the fast path, "numeric" the reference. Float sums
    /// of a few hundred terms carry ~1e-9 of absolute rounding, so the relative error's floor is 1e-3 here.
    /// </summary>
    internal static MlpGradientCheckResult CompareFastPathWithReference(MlpNetwork network, TrainingSet data, int threads, float dropoutRate = 0, int dropoutSeed = 0,
        TaskHead? head = null)
    {
        int rows = data.Rows;
        head ??= new MulticlassHead(network.OutputCount);
        using var pool = new WorkerPool(threads);
        var backpropagation = new MlpBackpropagation(network, pool, rows, dropoutRate, head);
        int[] order = Enumerable.Range(0, rows).ToArray();
        backpropagation.ComputeGradients(data, order, 0, rows, dropoutSeed, step: 0);
        backpropagation.ReduceGradients();

        ParameterLayout layout = backpropagation.Layout;
        double[][] fastWeights = new double[network.LinearLayerCount][], fastBiases = new double[network.LinearLayerCount][];
        for (int l = 0; l < network.LinearLayerCount; l++)
        {
            fastWeights[l] = ToDouble(backpropagation.Gradient.AsSpan(layout.WeightOffset(l), network.Weights[l].Length));
            fastBiases[l] = ToDouble(backpropagation.Gradient.AsSpan(layout.BiasOffset(l), network.Biases[l].Length));
        }

        double[][]? masks = null;
        if (dropoutRate > 0)
        {
            masks = new double[network.LinearLayerCount - 1][];
            for (int l = 0; l < masks.Length; l++)
            {
                var mask = new float[rows * network.LayerSizes[l + 1]];
                Dropout.FillMask(mask, 0, rows, network.LayerSizes[l + 1], dropoutRate, Dropout.Stream(dropoutSeed, 0, l));
                masks[l] = ToDouble(mask);
            }
        }
        double[][] referenceWeights = ZerosLike(ToDouble(network.Weights)), referenceBiases = ZerosLike(ToDouble(network.Biases));
        ReferenceMlp.LossAndGradients<double>(network.LayerSizes, network.Activation, network.LeakyReluSlope, network.EluAlpha,
            ToDouble(network.Weights), ToDouble(network.Biases), ToDouble(data.Features), ReferenceOf(head, data), rows, 0.0,
            masks, referenceWeights, referenceBiases);
        return Compare(fastWeights, fastBiases, referenceWeights, referenceBiases, FloatRelativeErrorFloor);
    }

    internal const double FloatRelativeErrorFloor = 1e-3;

    /// <summary>The reference writing of <paramref name="head"/>'s loss on <paramref name="data"/>'s labels, targets and weights.</summary>
    private static ReferenceHead<double> ReferenceOf(TaskHead head, TrainingSet data) => head switch
    {
        MulticlassHead => new(HeadKind.Multiclass, data.Labels, null, Weights(data)),
        BinaryHead => new(HeadKind.Binary, data.Labels, null, Weights(data)),
        RegressionHead regression => new(HeadKind.Regression, data.Labels, ToDouble(data.Targets!), Weights(data), regression.Loss, regression.HuberDelta),
        _ => throw new ArgumentOutOfRangeException(nameof(head), head.GetType().Name, "No reference for this head."),
    };

    private static double[]? Weights(TrainingSet data) => data.Weights is null ? null : ToDouble(data.Weights);

    private static MlpGradientCheckResult Compare(double[][] analyticWeights, double[][] analyticBiases, double[][] numericWeights, double[][] numericBiases, double floor)
    {
        var worst = new MlpGradientCheckResult(0, 0, 0, false, 0, 0, 0);
        int checkedCount = 0;
        for (int l = 0; l < analyticWeights.Length; l++)
        {
            for (int pass = 0; pass < 2; pass++)
            {
                bool bias = pass == 1;
                double[] analytic = bias ? analyticBiases[l] : analyticWeights[l];
                double[] numeric = bias ? numericBiases[l] : numericWeights[l];
                for (int i = 0; i < analytic.Length; i++)
                {
                    checkedCount++;
                    double a = analytic[i], n = numeric[i];
                    double error = Math.Abs(a - n) / Math.Max(Math.Abs(a) + Math.Abs(n), floor);
                    if (double.IsNaN(error)) error = double.PositiveInfinity;
                    if (error > worst.MaxRelativeError || checkedCount == 1)
                        worst = new MlpGradientCheckResult(error, 0, l, bias, i, a, n);
                }
            }
        }
        return worst with { ParametersChecked = checkedCount };
    }

    private static double[][] ToDouble(float[][] values) => values.Select(v => ToDouble(v)).ToArray();

    private static double[] ToDouble(ReadOnlySpan<float> values)
    {
        var result = new double[values.Length];
        for (int i = 0; i < values.Length; i++)
            result[i] = values[i];
        return result;
    }

    private static double[][] ZerosLike(double[][] values) => values.Select(v => new double[v.Length]).ToArray();
}

/// <summary>Outcome of the <c>MlpGradientCheck.Run</c> overloads.</summary>
/// <param name="MaxRelativeError">Largest |a − n| / max(|a| + |n|, <see cref="MlpGradientCheck.RelativeErrorFloor"/>) over all parameters.</param>
/// <param name="ParametersChecked">Number of weights and biases compared.</param>
/// <param name="WorstLayer">0-based linear layer of the worst parameter.</param>
/// <param name="WorstIsBias">Whether the worst parameter is a bias (else a weight).</param>
/// <param name="WorstIndex">Index of the worst parameter in its array (weights are [out × in] row-major).</param>
/// <param name="WorstAnalytic">Backpropagated derivative of the worst parameter.</param>
/// <param name="WorstNumeric">Finite-difference derivative of the worst parameter.</param>
public sealed record MlpGradientCheckResult(
    double MaxRelativeError,
    int ParametersChecked,
    int WorstLayer,
    bool WorstIsBias,
    int WorstIndex,
    double WorstAnalytic,
    double WorstNumeric)
{
    /// <summary>Readable summary, e.g. "max relative error 3.2E-09 over 93 parameters (worst: W1[17]: 0.0123 vs 0.0123)".</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"max relative error {MaxRelativeError:E2} over {ParametersChecked} parameters (worst: {(WorstIsBias ? "b" : "W")}{WorstLayer}[{WorstIndex}]: {WorstAnalytic:G6} vs {WorstNumeric:G6})");
}
