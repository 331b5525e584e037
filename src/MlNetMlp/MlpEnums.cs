namespace MlNetMlp;

/// <summary>Hidden-layer nonlinearity, as in PyTorch's <c>nn</c> modules of the same names.</summary>
public enum MlpActivation
{
    /// <summary><c>max(0, x)</c>.</summary>
    Relu,
    /// <summary><c>x</c> for <c>x &gt; 0</c>, else <c>slope·x</c> (<see cref="MlpTrainer.Options.LeakyReluSlope"/>, PyTorch's default 0.01).</summary>
    LeakyRelu,
    /// <summary>Hyperbolic tangent.</summary>
    Tanh,
    /// <summary>Logistic sigmoid <c>1 / (1 + e^-x)</c>.</summary>
    Sigmoid,
    /// <summary><c>x</c> for <c>x &gt; 0</c>, else <c>alpha·(e^x − 1)</c> (<see cref="MlpTrainer.Options.EluAlpha"/>).</summary>
    Elu,
    /// <summary>Gaussian error linear unit, tanh approximation (PyTorch's <c>approximate='tanh'</c>).</summary>
    Gelu,
}

/// <summary>Weight initialization. <see cref="Auto"/> picks He for the ReLU family and Glorot for tanh/sigmoid.</summary>
public enum MlpInitialization
{
    /// <summary>He (Kaiming) normal for Relu/LeakyRelu/Elu/Gelu, Glorot uniform for Tanh/Sigmoid.</summary>
    Auto,
    /// <summary>He (Kaiming) normal: N(0, 2 / fan_in).</summary>
    He,
    /// <summary>Glorot (Xavier) uniform: U(±sqrt(6 / (fan_in + fan_out))).</summary>
    Glorot,
}
