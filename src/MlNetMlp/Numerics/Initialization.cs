namespace MlNetMlp.Numerics;

/// <summary>Weight initialization schemes (biases start at zero).</summary>
internal static class Initialization
{
    /// <summary>The scheme <see cref="MlpInitialization.Auto"/> stands for: He for the ReLU family, Glorot for tanh/sigmoid.</summary>
    public static MlpInitialization Resolve(MlpInitialization initialization, MlpActivation activation) =>
        initialization != MlpInitialization.Auto ? initialization :
        activation is MlpActivation.Tanh or MlpActivation.Sigmoid ? MlpInitialization.Glorot :
        MlpInitialization.He;

    /// <summary>He (Kaiming) normal: N(0, 2 / fan_in).</summary>
    public static void HeNormal(Span<float> weights, int fanIn, Random random)
    {
        double standardDeviation = Math.Sqrt(2.0 / fanIn);
        for (int i = 0; i < weights.Length; i++)
            weights[i] = (float)(standardDeviation * StandardNormal(random));
    }

    /// <summary>Glorot (Xavier) uniform: U(−a, a) with a = √(6 / (fan_in + fan_out)).</summary>
    public static void GlorotUniform(Span<float> weights, int fanIn, int fanOut, Random random)
    {
        double limit = Math.Sqrt(6.0 / (fanIn + fanOut));
        for (int i = 0; i < weights.Length; i++)
            weights[i] = (float)((2 * random.NextDouble() - 1) * limit);
    }

    /// <summary>Box–Muller, one value per call (the second is discarded to keep the stream simple).</summary>
    private static double StandardNormal(Random random)
    {
        double u1 = 1.0 - random.NextDouble(); // (0, 1]: log is finite
        double u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
