using System.Numerics;

namespace MlNetMlp.Numerics;

/// <summary>
/// The network's forward and backward pass as plain scalar loops in any IEEE type. In double it is the
/// analytic side of <see cref="MlpGradientCheck"/>; it is also what the fast float path is checked against.
/// The objective is <c>mean loss of the head over the rows + (λ/2)·Σ w²</c> over weights (not biases), the head's loss
/// written as its plain definition (<see cref="ReferenceHead{T}"/>).
/// </summary>
internal static class ReferenceMlp
{
    /// <summary>
    /// Returns the objective and, when gradient arrays are given, fills them (shaped like the parameters).
    /// <paramref name="dropoutMasks"/>[l], if given, multiplies hidden layer l's activations (rows × width).
    /// </summary>
    public static T LossAndGradients<T>(int[] layerSizes, MlpActivation activation, T leakyReluSlope, T eluAlpha,
        T[][] weights, T[][] biases, ReadOnlySpan<T> features, ReferenceHead<T> head, int rows, T l2,
        T[][]? dropoutMasks = null, T[][]? weightGradients = null, T[][]? biasGradients = null)
        where T : IFloatingPointIeee754<T>
    {
        int layers = layerSizes.Length - 1;
        var linear = new T[layers][];      // z of each layer
        var activated = new T[layers][];   // f(z) of each hidden layer, before dropout
        var layerInput = new T[layers + 1][];
        Forward(layerSizes, activation, leakyReluSlope, eluAlpha, weights, biases, features, rows, dropoutMasks, linear, activated, layerInput);

        int classes = layerSizes[^1];
        bool withGradients = weightGradients is not null && biasGradients is not null;
        // dLoss/dz of the output layer, divided by the rows' (total weight): filled when gradients are asked for.
        var delta = new T[withGradients ? rows * classes : 0];
        T loss = head.MeanLoss(linear[^1], rows, delta);
        T squares = T.Zero;
        foreach (T[] w in weights)
            foreach (T value in w)
                squares += value * value;
        loss += l2 / T.CreateTruncating(2) * squares;

        if (!withGradients)
            return loss;
        for (int l = layers - 1; l >= 0; l--)
        {
            int inputs = layerSizes[l], outputs = layerSizes[l + 1];
            ReferenceGemm.TransposeMultiply<T>(delta, layerInput[l], weightGradients![l], outputs, rows, inputs);
            for (int i = 0; i < weightGradients[l].Length; i++)
                weightGradients[l][i] += l2 * weights[l][i];
            for (int o = 0; o < outputs; o++)
            {
                T sum = T.Zero;
                for (int r = 0; r < rows; r++)
                    sum += delta[r * outputs + o];
                biasGradients![l][o] = sum;
            }
            if (l == 0) break;
            var inputDelta = new T[rows * inputs];
            ReferenceGemm.Multiply<T>(delta, weights[l], inputDelta, rows, outputs, inputs);
            for (int i = 0; i < inputDelta.Length; i++)
            {
                T d = dropoutMasks is null ? inputDelta[i] : inputDelta[i] * dropoutMasks[l - 1][i];
                inputDelta[i] = d * Activations.Derivative(activation, linear[l - 1][i], leakyReluSlope, eluAlpha);
            }
            delta = inputDelta;
        }
        return loss;
    }

    /// <summary>The output layer's logits (rows × classes), without dropout: inference.</summary>
    public static T[] Logits<T>(int[] layerSizes, MlpActivation activation, T leakyReluSlope, T eluAlpha,
        T[][] weights, T[][] biases, ReadOnlySpan<T> features, int rows)
        where T : IFloatingPointIeee754<T>
    {
        int layers = layerSizes.Length - 1;
        var linear = new T[layers][];
        Forward(layerSizes, activation, leakyReluSlope, eluAlpha, weights, biases, features, rows, null, linear, new T[layers][], new T[layers + 1][]);
        return linear[^1];
    }

    private static void Forward<T>(int[] layerSizes, MlpActivation activation, T leakyReluSlope, T eluAlpha,
        T[][] weights, T[][] biases, ReadOnlySpan<T> features, int rows, T[][]? dropoutMasks,
        T[][] linear, T[][] activated, T[][] layerInput)
        where T : IFloatingPointIeee754<T>
    {
        int layers = layerSizes.Length - 1;
        layerInput[0] = features[..(rows * layerSizes[0])].ToArray();
        for (int l = 0; l < layers; l++)
        {
            int inputs = layerSizes[l], outputs = layerSizes[l + 1];
            linear[l] = new T[rows * outputs];
            ReferenceGemm.LinearForward<T>(layerInput[l], weights[l], biases[l], linear[l], rows, inputs, outputs);
            if (l == layers - 1) break;
            activated[l] = new T[rows * outputs];
            layerInput[l + 1] = new T[rows * outputs];
            for (int i = 0; i < rows * outputs; i++)
            {
                activated[l][i] = Activations.Value(activation, linear[l][i], leakyReluSlope, eluAlpha);
                layerInput[l + 1][i] = dropoutMasks is null ? activated[l][i] : activated[l][i] * dropoutMasks[l][i];
            }
        }
    }
}
