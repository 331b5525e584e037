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

/// <summary>Parameter-update rule, named as in <c>torch.optim</c> and scikit-learn's <c>solver</c>.</summary>
public enum MlpOptimizer
{
    /// <summary>Plain mini-batch stochastic gradient descent.</summary>
    Sgd,
    /// <summary>SGD with (optionally Nesterov) momentum, PyTorch's convention.</summary>
    Momentum,
    /// <summary>Adam (Kingma &amp; Ba), with bias correction.</summary>
    Adam,
}

/// <summary>How the learning rate changes from epoch to epoch.</summary>
public enum MlpLearningRateSchedule
{
    /// <summary>The same rate every epoch.</summary>
    Constant,
    /// <summary>Multiply by <see cref="NetworkTrainerOptions.LearningRateDecay"/> every <see cref="NetworkTrainerOptions.LearningRateStepEpochs"/> epochs (PyTorch's <c>StepLR</c>).</summary>
    Step,
    /// <summary>Multiply by <see cref="NetworkTrainerOptions.LearningRateDecay"/> every epoch (<c>ExponentialLR</c>).</summary>
    Exponential,
    /// <summary>Cosine annealing from the initial rate to <see cref="NetworkTrainerOptions.MinLearningRate"/> over all epochs (<c>CosineAnnealingLR</c>).</summary>
    Cosine,
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

/// <summary>What training does when the loss becomes NaN or infinite (<see cref="NetworkTrainerOptions.OnDivergence"/>).</summary>
public enum MlpDivergenceAction
{
    /// <summary>Throw <see cref="MlpTrainingDivergedException"/> naming the epoch and batch.</summary>
    Stop,
    /// <summary>
    /// End training and return the weights of the best finished epoch (lowest validation loss, or training loss
    /// without validation data); the trainer's TrainingDiverged event reports where it diverged. Throws like
    /// <see cref="Stop"/> when no epoch finished.
    /// </summary>
    KeepBest,
}

/// <summary>The loss a regression network fits (<see cref="NetworkTrainerOptions.Loss"/>).</summary>
public enum RegressionLoss
{
    /// <summary>½(ŷ − y)², scikit-learn's MLPRegressor loss.</summary>
    SquaredError,

    /// <summary>Squared near zero, linear beyond <see cref="NetworkTrainerOptions.HuberDelta"/>: robust to outliers.</summary>
    Huber,
}
