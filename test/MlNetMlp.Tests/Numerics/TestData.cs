using MlNetMlp.Numerics;

namespace MlNetMlp.Tests.Numerics;

/// <summary>Random arrays and small synthetic classification problems for the numerics tests.</summary>
internal static class TestData
{
    public static float[] Uniform(int length, Random random, float low = -1f, float high = 1f)
    {
        var values = new float[length];
        for (int i = 0; i < length; i++)
            values[i] = low + (high - low) * (float)random.NextDouble();
        return values;
    }

    public static int[] Labels(int rows, int classes, Random random)
    {
        var labels = new int[rows];
        for (int r = 0; r < rows; r++)
            labels[r] = random.Next(classes);
        return labels;
    }

    /// <summary>Random features in [0, 1) with random labels: nothing to learn, easy to overfit.</summary>
    public static TrainingSet Noise(int rows, int features, int classes, int seed)
    {
        var random = new Random(seed);
        return new TrainingSet(Uniform(rows * features, random, 0f, 1f), Labels(rows, classes, random), features);
    }

    /// <summary>
    /// Well-separated Gaussian clusters, one per class: class centres uniform in [0, 1]^features,
    /// points within a small spread, so a small MLP can reach ~100% accuracy.
    /// </summary>
    public static TrainingSet Clusters(int rows, int features, int classes, int seed, float spread = 0.05f)
    {
        var random = new Random(seed);
        float[] centres = Uniform(classes * features, new Random(1000 + classes * 31 + features), 0f, 1f);
        var values = new float[rows * features];
        var labels = new int[rows];
        for (int r = 0; r < rows; r++)
        {
            int label = r % classes;
            labels[r] = label;
            for (int f = 0; f < features; f++)
            {
                double gaussian = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
                values[r * features + f] = centres[label * features + f] + spread * (float)gaussian;
            }
        }
        return new TrainingSet(values, labels, features);
    }

    public static MlpNetwork Network(int[] sizes, MlpActivation activation, int seed)
    {
        var network = new MlpNetwork(sizes, activation, leakyReluSlope: 0.01f, eluAlpha: 1f);
        var random = new Random(seed);
        network.Initialize(MlpInitialization.Auto, random);
        foreach (float[] bias in network.Biases)
            for (int i = 0; i < bias.Length; i++)
                bias[i] = 0.2f * (float)random.NextDouble() - 0.1f;
        return network;
    }

    public static double[] ToDouble(ReadOnlySpan<float> values)
    {
        var result = new double[values.Length];
        for (int i = 0; i < values.Length; i++)
            result[i] = values[i];
        return result;
    }

    public static double[][] ToDouble(float[][] values) => values.Select(v => ToDouble(v)).ToArray();

    /// <summary>Whether two networks hold bit-identical parameters.</summary>
    public static bool SameParameters(MlpNetwork a, MlpNetwork b)
    {
        for (int l = 0; l < a.LinearLayerCount; l++)
        {
            if (!a.Weights[l].AsSpan().SequenceEqual(b.Weights[l]) || !a.Biases[l].AsSpan().SequenceEqual(b.Biases[l]))
                return false;
        }
        return true;
    }
}
