namespace MlNetMlp;

public sealed partial class MlpTrainer
{
    /// <summary>
    /// Options for <see cref="MlpTrainer"/>. Names follow ML.NET's trainers for columns and
    /// PyTorch / scikit-learn's <c>MLPClassifier</c> for the knobs.
    /// </summary>
    /// <remarks>
    /// L2 convention: the minimized loss is <c>mean cross-entropy over the mini-batch + (λ/2)·Σ w²</c>
    /// over all weights (not biases), with λ = <see cref="L2Regularization"/>. That is PyTorch's
    /// <c>weight_decay=λ</c>, scikit-learn's <c>alpha = λ·batch_size</c>, and a course-style
    /// <c>J = CE + λ'/(2m)·Σ w²</c> with batch size m maps to λ = λ'/m.
    /// </remarks>
    public sealed class Options
    {
        /// <summary>Key-typed label column. Default "Label".</summary>
        public string LabelColumnName = "Label";

        /// <summary>Known-size float vector feature column. Default "Features".</summary>
        public string FeatureColumnName = "Features";

        /// <summary>Hidden layer widths, input side first. Empty = softmax regression (no hidden layer).</summary>
        public int[] HiddenLayers = [256, 128];

        /// <summary>Nonlinearity after every hidden layer.</summary>
        public MlpActivation Activation = MlpActivation.LeakyRelu;

        /// <summary>Negative slope of <see cref="MlpActivation.LeakyRelu"/> (PyTorch's <c>negative_slope</c>).</summary>
        public float LeakyReluSlope = 0.01f;

        /// <summary>Alpha of <see cref="MlpActivation.Elu"/>.</summary>
        public float EluAlpha = 1f;

        /// <summary>Weight initialization scheme.</summary>
        public MlpInitialization Initialization = MlpInitialization.Auto;

        /// <summary>Passes over the training rows (scikit-learn's <c>max_iter</c>).</summary>
        public int Epochs = 20;

        /// <summary>Rows per mini-batch; the last batch of an epoch may be smaller.</summary>
        public int BatchSize = 200;

        /// <summary>Initial learning rate (<c>lr</c>, <c>learning_rate_init</c>).</summary>
        public float LearningRate = 1e-3f;

        /// <summary>Update rule.</summary>
        public MlpOptimizer Optimizer = MlpOptimizer.Adam;

        /// <summary>Momentum factor for <see cref="MlpOptimizer.Momentum"/>.</summary>
        public float Momentum = 0.9f;

        /// <summary>Use Nesterov momentum; only with <see cref="MlpOptimizer.Momentum"/> (refused with the other optimizers).</summary>
        public bool Nesterov;

        /// <summary>Adam's β₁.</summary>
        public float Beta1 = 0.9f;

        /// <summary>Adam's β₂.</summary>
        public float Beta2 = 0.999f;

        /// <summary>Adam's ε.</summary>
        public float Epsilon = 1e-8f;

        /// <summary>λ of the L2 penalty on weights; see the class remarks for the exact convention.</summary>
        public float L2Regularization;

        /// <summary>Probability of zeroing each hidden unit while training (inverted dropout); 0 = off.</summary>
        public float Dropout;

        /// <summary>How the learning rate evolves over epochs.</summary>
        public MlpLearningRateSchedule LearningRateSchedule = MlpLearningRateSchedule.Constant;

        /// <summary>Factor γ of the <see cref="MlpLearningRateSchedule.Step"/> and <see cref="MlpLearningRateSchedule.Exponential"/> schedules.</summary>
        public float LearningRateDecay = 0.1f;

        /// <summary>Epochs between decays for <see cref="MlpLearningRateSchedule.Step"/>.</summary>
        public int LearningRateStepEpochs = 10;

        /// <summary>Final learning rate of <see cref="MlpLearningRateSchedule.Cosine"/>.</summary>
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
        /// What to do when training diverges: throw <see cref="MlpTrainingDivergedException"/> (default), or keep the best
        /// finished epoch. Training diverges when a mini-batch loss is NaN or infinite, or explodes while still finite: more
        /// than 100 times the run's first mini-batch loss (and than 100·ln(classes), 100 times a uniform guess), where no
        /// converging training goes and an exploding one (too large a learning rate) soon does.
        /// </summary>
        public MlpDivergenceAction OnDivergence = MlpDivergenceAction.Stop;

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
    }
}
