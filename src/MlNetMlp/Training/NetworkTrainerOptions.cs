namespace MlNetMlp;

/// <summary>
/// The options every MlNetMlp trainer shares, declared once with their defaults: columns, epochs and batches, the update
/// rule, L2, the learning-rate schedule, validation and early stopping, monitoring, threads, divergence, streaming and
/// checkpoints, and the regression loss. <see cref="MlpTrainer.Options"/> and <see cref="CnnTrainer.Options"/> add their
/// network's options (and the CNN its own defaults); one options object serves the multiclass, binary and regression
/// trainer of a network.
/// </summary>
/// <remarks>
/// L2 convention: the minimized loss is <c>mean loss over the mini-batch + (λ/2)·Σ w²</c> over all weights (not biases,
/// not batch-norm γ/β), with λ = <see cref="L2Regularization"/>. That is PyTorch's <c>weight_decay=λ</c>,
/// scikit-learn's <c>alpha = λ·batch_size</c>, and a course-style <c>J = CE + λ'/(2m)·Σ w²</c> with batch size m maps to
/// λ = λ'/m.
/// </remarks>
public abstract class NetworkTrainerOptions
{
    private protected NetworkTrainerOptions()
    {
    }

    /// <summary>
    /// Label column: a key (multiclass, e.g. from MapValueToKey), Boolean (binary) or Single (regression) column. Default "Label".
    /// </summary>
    public string LabelColumnName = "Label";

    /// <summary>Known-size Single vector column the network reads. Default "Features" ("Image" for the CNN).</summary>
    public string FeatureColumnName = "Features";

    /// <summary>
    /// Optional Single column of example weights (ML.NET's convention; scikit-learn's <c>sample_weight</c>): each row's loss
    /// counts this many times, and a mini-batch's loss is the weighted mean. Rows must have finite, non-negative weights.
    /// Null = every row weighs 1.
    /// </summary>
    public string? ExampleWeightColumnName;

    /// <summary>Passes over the training rows (scikit-learn's <c>max_iter</c>).</summary>
    public int Epochs = 20;

    /// <summary>Rows per mini-batch; the last batch of an epoch may be smaller.</summary>
    public int BatchSize = 200;

    /// <summary>Initial learning rate (<c>lr</c>, <c>learning_rate_init</c>).</summary>
    public float LearningRate = 1e-3f;

    /// <summary>Update rule.</summary>
    public Optimizer Optimizer = Optimizer.Adam;

    /// <summary>Momentum factor for <see cref="Optimizer.Momentum"/>.</summary>
    public float Momentum = 0.9f;

    /// <summary>Use Nesterov momentum; only with <see cref="Optimizer.Momentum"/> (refused with the other optimizers).</summary>
    public bool Nesterov;

    /// <summary>Adam's β₁.</summary>
    public float Beta1 = 0.9f;

    /// <summary>Adam's β₂.</summary>
    public float Beta2 = 0.999f;

    /// <summary>Adam's ε.</summary>
    public float Epsilon = 1e-8f;

    /// <summary>λ of the L2 penalty on weights; see the class remarks for the exact convention.</summary>
    public float L2Regularization;

    /// <summary>How the learning rate evolves over epochs.</summary>
    public LearningRateSchedule LearningRateSchedule = LearningRateSchedule.Constant;

    /// <summary>Factor γ of the <see cref="LearningRateSchedule.Step"/> and <see cref="LearningRateSchedule.Exponential"/> schedules.</summary>
    public float LearningRateDecay = 0.1f;

    /// <summary>Epochs between decays for <see cref="LearningRateSchedule.Step"/>.</summary>
    public int LearningRateStepEpochs = 10;

    /// <summary>Final learning rate of <see cref="LearningRateSchedule.Cosine"/>.</summary>
    public float MinLearningRate;

    /// <summary>
    /// Fraction of the training rows held out (stratification-free, seeded) to monitor
    /// validation loss/accuracy when no validation set is passed to Fit. 0 = none. Fit refuses a fraction
    /// that leaves fewer training rows than there are classes in the data.
    /// </summary>
    public float ValidationFraction;

    /// <summary>
    /// Stop when validation loss has not improved by <see cref="EarlyStoppingMinDelta"/> for <see cref="EarlyStoppingPatience"/> epochs;
    /// the best epoch's weights are kept. Needs validation data (<see cref="ValidationFraction"/> or a validation set passed to Fit).
    /// </summary>
    public bool EarlyStopping;

    /// <summary>Epochs without improvement tolerated by early stopping (scikit-learn's <c>n_iter_no_change</c>).</summary>
    public int EarlyStoppingPatience = 5;

    /// <summary>Smallest decrease of validation loss that counts as improvement (scikit-learn's <c>tol</c>).</summary>
    public float EarlyStoppingMinDelta = 1e-4f;

    /// <summary>
    /// When positive, per-epoch accuracy/loss in the history are measured on a fixed random
    /// subset of this many training (and validation) rows, as the reproduced study did with 500.
    /// 0 = use all rows. The default, 10,000, measures accuracy to about ±0.3 points; measuring all 60,000
    /// Fashion-MNIST rows every epoch is a forward pass over the whole set, which adds half an epoch's
    /// arithmetic (14 GFLOP to the 30 of a 784-128-128-10 epoch).
    /// </summary>
    public int MonitoringSubsetSize = 10_000;

    /// <summary>Shuffle the training rows every epoch.</summary>
    public bool Shuffle = true;

    /// <summary>Random seed for initialization, shuffling, dropout and splits. Null = take one from the MLContext.</summary>
    public int? Seed;

    /// <summary>Threads used by the kernels. Null = all cores. Results are identical for a given thread count.</summary>
    public int? NumberOfThreads;

    /// <summary>
    /// What to do when training diverges: throw <see cref="TrainingDivergedException"/> (default), or keep the best
    /// finished epoch. Training diverges when a mini-batch loss is NaN or infinite, or explodes while still finite: more
    /// than 100 times the run's first mini-batch loss (and than 100·ln(classes), 100 times a uniform guess), where no
    /// converging training goes and an exploding one (too large a learning rate) soon does.
    /// </summary>
    public DivergenceAction OnDivergence = DivergenceAction.Stop;

    /// <summary>
    /// 0 (default) reads the training rows into memory once. A positive value streams them from the
    /// <c>IDataView</c> every epoch instead, shuffled through a buffer of this many rows (like
    /// <c>tf.data.Dataset.shuffle(buffer_size)</c>), so memory stays bounded however many rows there are.
    /// Training accuracy in the history is then measured on the first <see cref="MonitoringSubsetSize"/>
    /// rows (10,000 when 0), and <see cref="ValidationFraction"/> must be 0 (pass a validation set to Fit).
    /// </summary>
    public int ShuffleBufferSize;

    /// <summary>
    /// Directory where training saves a checkpoint (weights, optimizer state, epoch, early-stopping
    /// state, history) every <see cref="CheckpointEveryEpochs"/> epochs and after the last one, replacing
    /// the file atomically. Null = no checkpoints.
    /// </summary>
    public string? CheckpointDirectory;

    /// <summary>Epochs between checkpoints (PyTorch Lightning's <c>every_n_epochs</c>).</summary>
    public int CheckpointEveryEpochs = 1;

    /// <summary>
    /// Continue from the checkpoint in <see cref="CheckpointDirectory"/> when there is one (start from
    /// scratch when there is none). Given the same data, options and thread count, the result is
    /// bit-identical to a run that was never interrupted. The checkpoint records the training data as the
    /// trainer sees it (row count, values per row, a hash of the first rows) and the options that shape the
    /// result: a resume on other data (another normalization upstream, other rows) or with other options is
    /// refused with an <see cref="InvalidDataException"/> naming the checkpoint. Epochs, LearningRate and
    /// L2Regularization may change (to continue longer, or more gently after a near-divergence).
    /// </summary>
    public bool ResumeFromCheckpoint;

    /// <summary>Regression only: the loss fitted to the (standardized) target. Squared error (default) or Huber.</summary>
    public RegressionLoss Loss = RegressionLoss.SquaredError;

    /// <summary>
    /// Regression with <see cref="RegressionLoss.Huber"/>: residuals beyond δ, in standard deviations of the target, count
    /// linearly (PyTorch's <c>HuberLoss(delta)</c>).
    /// </summary>
    public float HuberDelta = 1f;

    /// <summary>The host environment of <paramref name="mlContext"/> (how the trainers' public constructors reach it).</summary>
    internal static Microsoft.ML.Runtime.IHostEnvironment Environment(Microsoft.ML.MLContext mlContext) =>
        mlContext ?? throw new ArgumentNullException(nameof(mlContext));

    /// <summary>The options' type as errors name it ("MlpTrainer.Options").</summary>
    private protected abstract string OptionsName { get; }

    /// <summary>A copy (arrays too), so a trainer keeps its options as they were when it was created.</summary>
    internal NetworkTrainerOptions Clone()
    {
        var copy = (NetworkTrainerOptions)MemberwiseClone();
        copy.CopyArrays();
        return copy;
    }

    /// <summary>Deep-copies the derived options' arrays after <see cref="Clone"/>.</summary>
    private protected virtual void CopyArrays()
    {
    }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid option.</summary>
    internal void Validate()
    {
        void Require(bool ok, string name, object? value, string rule)
        {
            if (!ok) throw new ArgumentOutOfRangeException(name, value, $"{OptionsName}.{name} {rule}.");
        }
        Require(!string.IsNullOrWhiteSpace(LabelColumnName), nameof(LabelColumnName), LabelColumnName, "must name a column");
        Require(!string.IsNullOrWhiteSpace(FeatureColumnName), FeatureColumnOption, FeatureColumnName, "must name a column");
        Require(ExampleWeightColumnName is null || !string.IsNullOrWhiteSpace(ExampleWeightColumnName), nameof(ExampleWeightColumnName), ExampleWeightColumnName,
            "must be null (no weights) or name a column");
        Require(Enum.IsDefined(Optimizer), nameof(Optimizer), Optimizer, "is not a defined Optimizer");
        Require(Enum.IsDefined(OnDivergence), nameof(OnDivergence), OnDivergence, "is not a defined DivergenceAction");
        Require(Enum.IsDefined(LearningRateSchedule), nameof(LearningRateSchedule), LearningRateSchedule, "is not a defined LearningRateSchedule");
        Require(Enum.IsDefined(Loss), nameof(Loss), Loss, "is not a defined RegressionLoss");
        Require(Epochs > 0, nameof(Epochs), Epochs, "must be at least 1");
        Require(BatchSize > 0, nameof(BatchSize), BatchSize, "must be at least 1");
        Require(float.IsFinite(LearningRate) && LearningRate > 0, nameof(LearningRate), LearningRate, "must be positive");
        Require(float.IsFinite(Momentum) && Momentum >= 0 && Momentum < 1, nameof(Momentum), Momentum, "must be in [0, 1)");
        Require(!Nesterov || Optimizer == Optimizer.Momentum, nameof(Nesterov), Nesterov, $"applies to the Momentum optimizer only, not to {Optimizer}");
        Require(!Nesterov || Momentum > 0, nameof(Nesterov), Nesterov, "needs Momentum > 0");
        Require(float.IsFinite(Beta1) && Beta1 >= 0 && Beta1 < 1, nameof(Beta1), Beta1, "must be in [0, 1)");
        Require(float.IsFinite(Beta2) && Beta2 >= 0 && Beta2 < 1, nameof(Beta2), Beta2, "must be in [0, 1)");
        Require(float.IsFinite(Epsilon) && Epsilon > 0, nameof(Epsilon), Epsilon, "must be positive");
        Require(float.IsFinite(L2Regularization) && L2Regularization >= 0, nameof(L2Regularization), L2Regularization, "must be zero or positive");
        Require(float.IsFinite(LearningRateDecay) && LearningRateDecay > 0 && LearningRateDecay <= 1, nameof(LearningRateDecay), LearningRateDecay, "must be in (0, 1]");
        Require(LearningRateStepEpochs > 0, nameof(LearningRateStepEpochs), LearningRateStepEpochs, "must be at least 1");
        Require(float.IsFinite(MinLearningRate) && MinLearningRate >= 0 && MinLearningRate <= LearningRate, nameof(MinLearningRate), MinLearningRate, "must be in [0, LearningRate]");
        Require(float.IsFinite(ValidationFraction) && ValidationFraction >= 0 && ValidationFraction < 1, nameof(ValidationFraction), ValidationFraction, "must be in [0, 1)");
        Require(EarlyStoppingPatience > 0, nameof(EarlyStoppingPatience), EarlyStoppingPatience, "must be at least 1");
        Require(float.IsFinite(EarlyStoppingMinDelta) && EarlyStoppingMinDelta >= 0, nameof(EarlyStoppingMinDelta), EarlyStoppingMinDelta, "must be zero or positive");
        Require(MonitoringSubsetSize >= 0, nameof(MonitoringSubsetSize), MonitoringSubsetSize, "must be zero (all rows) or positive");
        Require(NumberOfThreads is null or > 0, nameof(NumberOfThreads), NumberOfThreads, "must be null (all cores) or positive");
        Require(float.IsFinite(HuberDelta) && HuberDelta > 0, nameof(HuberDelta), HuberDelta, "must be positive");
        TrainerOptionRules.Streaming(Require, ShuffleBufferSize, ValidationFraction);
        TrainerOptionRules.Checkpoints(Require, CheckpointDirectory, CheckpointEveryEpochs, ResumeFromCheckpoint);
        ValidateNetwork(Require);
    }

    /// <summary>The name errors use for <see cref="FeatureColumnName"/> (the CNN calls it ImageColumnName).</summary>
    private protected virtual string FeatureColumnOption => nameof(FeatureColumnName);

    /// <summary>The derived options' own rules.</summary>
    private protected abstract void ValidateNetwork(TrainerOptionRules.Require require);

    /// <summary>Whether training keeps a copy of the best epoch's weights (early stopping, or keep-best on divergence).</summary>
    internal bool TracksBest => EarlyStopping || OnDivergence == DivergenceAction.KeepBest;
}
