namespace MlNetMlp;

// The choices every network and task shares (NetworkTrainerOptions): update rule, schedule, divergence policy, regression loss.

/// <summary>Parameter-update rule, named as in <c>torch.optim</c> and scikit-learn's <c>solver</c>.</summary>
public enum Optimizer
{
    /// <summary>Plain mini-batch stochastic gradient descent.</summary>
    Sgd,
    /// <summary>SGD with (optionally Nesterov) momentum, PyTorch's convention.</summary>
    Momentum,
    /// <summary>Adam (Kingma &amp; Ba), with bias correction.</summary>
    Adam,
}

/// <summary>How the learning rate changes from epoch to epoch.</summary>
public enum LearningRateSchedule
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

/// <summary>What training does when the loss becomes NaN or infinite (<see cref="NetworkTrainerOptions.OnDivergence"/>).</summary>
public enum DivergenceAction
{
    /// <summary>Throw <see cref="TrainingDivergedException"/> naming the epoch and batch.</summary>
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
