namespace MlNetMlp;

public sealed partial class CnnTrainer
{
    /// <summary>
    /// The default architecture, in the style of the report's CNN (convolutions, max pooling, batch normalization,
    /// ReLU, dropout at several layers, Adam) and sized so that its default training fits in 10 minutes on 2 cores:
    /// [3×3 convolution (32) → batch norm → ReLU] → 2×2 max pooling → dropout 0.25 → [3×3 convolution (64) → batch
    /// norm → ReLU] × 2 → 2×2 max pooling → dropout 0.25 → flatten → dense 512 → batch norm → ReLU → dropout 0.5, and
    /// the output layer (dense, one unit per class, softmax) that the trainer appends. On 28×28×1 images with 10
    /// classes: 1,668,362 trainable parameters. It drops the second 32-filter convolution of
    /// <see cref="PeerLayers"/>, the costliest layer (a third of the multiply-adds, at full 28×28 resolution).
    /// </summary>
    public const string DefaultLayers = "conv32,bn,relu,pool,drop0.25,conv64,bn,relu,conv64,bn,relu,pool,drop0.25,flatten,dense512,bn,relu,drop0.5";

    /// <summary>
    /// The PyTorch peer's network (<c>shared/peers/torch_cnn.py</c>), a VGG-style pair of [3×3 convolution → batch
    /// norm → ReLU] × 2 blocks (32 then 64 filters), each followed by 2×2 max pooling and dropout 0.25, then dense
    /// 512 → batch norm → ReLU → dropout 0.5: 1,677,674 trainable parameters, about 1.6× the multiply-adds of
    /// <see cref="DefaultLayers"/>.
    /// </summary>
    public const string PeerLayers = "conv32,bn,relu,conv32,bn,relu,pool,drop0.25,conv64,bn,relu,conv64,bn,relu,pool,drop0.25,flatten,dense512,bn,relu,drop0.5";

    /// <summary>
    /// Options for <see cref="CnnTrainer"/>. Names follow <see cref="MlpTrainer.Options"/> and PyTorch.
    /// </summary>
    /// <remarks>
    /// L2 convention as <see cref="MlpTrainer.Options"/>: the minimized loss is <c>mean cross-entropy + (λ/2)·Σ w²</c>
    /// over convolution and dense weights (not biases, not batch-norm γ/β), i.e. PyTorch's Adam <c>weight_decay=λ</c>
    /// restricted to the weights.
    /// </remarks>
    public sealed class Options
    {
        /// <summary>Key-typed label column. Default "Label".</summary>
        public string LabelColumnName = "Label";

        /// <summary>
        /// Known-size Single vector column holding each image, row-major; several channels are stored channel after
        /// channel (CHW). Default "Image", the column <see cref="Data.FashionMnist.Load"/> produces.
        /// </summary>
        public string ImageColumnName = "Image";

        /// <summary>
        /// Image height in pixels; null = inferred: from the column's dimensions ([H, W] or [C, H, W]), else the
        /// column is taken as one square single-channel image (784 values → 28×28).
        /// </summary>
        public int? ImageHeight;

        /// <summary>Image width in pixels; null = inferred like <see cref="ImageHeight"/>.</summary>
        public int? ImageWidth;

        /// <summary>
        /// The hidden layers, in <see cref="CnnLayerSpec"/>'s text form (see <see cref="DefaultLayers"/>); the output layer is appended.
        /// </summary>
        public string Layers = DefaultLayers;

        /// <summary>
        /// Multiplier applied to every pixel as it is read, inside the model (training and scoring alike). The default
        /// 1/255 maps raw 0..255 pixels, as <see cref="Data.FashionMnist.Load"/> gives them, to 0..1 like the PyTorch peer;
        /// use 1 for data already scaled.
        /// </summary>
        public float PixelScale = 1f / 255;

        /// <summary>Passes over the training rows.</summary>
        public int Epochs = 10;

        /// <summary>Rows per mini-batch (the PyTorch peer's 128); the last batch of an epoch may be smaller.</summary>
        public int BatchSize = 128;

        /// <summary>Adam's initial learning rate.</summary>
        public float LearningRate = 1e-3f;

        /// <summary>How the learning rate evolves over the epochs (PyTorch's schedulers, stepped once per epoch).</summary>
        public MlpLearningRateSchedule LearningRateSchedule = MlpLearningRateSchedule.Constant;

        /// <summary>Factor γ of the Step and Exponential schedules.</summary>
        public float LearningRateDecay = 0.1f;

        /// <summary>Epochs between decays of the Step schedule.</summary>
        public int LearningRateStepEpochs = 10;

        /// <summary>Final learning rate of the Cosine schedule.</summary>
        public float MinLearningRate;

        /// <summary>Adam's β₁.</summary>
        public float Beta1 = 0.9f;

        /// <summary>Adam's β₂.</summary>
        public float Beta2 = 0.999f;

        /// <summary>Adam's ε.</summary>
        public float Epsilon = 1e-8f;

        /// <summary>λ of the L2 penalty on weights; see the class remarks.</summary>
        public float L2Regularization;

        /// <summary>
        /// Fraction of the training rows held out (seeded) to monitor validation loss/accuracy when Fit gets no validation set. 0 = none.
        /// Fit refuses a fraction that leaves fewer training rows than there are classes in the data.
        /// </summary>
        public float ValidationFraction;

        /// <summary>
        /// Per-epoch training (and validation) accuracy/loss in the history are measured in inference mode on a fixed
        /// random subset of this many rows; 0 = all rows. The default keeps monitoring to about 1% of an epoch's time.
        /// </summary>
        public int MonitoringSubsetSize = 2000;

        /// <summary>
        /// Mirror each training image left-right with probability 0.5 (torchvision's <c>RandomHorizontalFlip</c>);
        /// Fashion-MNIST's garments are nearly symmetric, so this adds variety without changing the class.
        /// </summary>
        public bool RandomHorizontalFlip;

        /// <summary>
        /// Translate each training image by a random whole number of pixels in [−n, n] along each axis, filling with
        /// zeros (torchvision's <c>RandomCrop(size, padding: n)</c>). 0 = off; must be smaller than the image.
        /// </summary>
        public int RandomShift;

        /// <summary>Shuffle the training rows every epoch.</summary>
        public bool Shuffle = true;

        /// <summary>Random seed for initialization, shuffling, dropout and splits. Null = take one from the MLContext.</summary>
        public int? Seed;

        /// <summary>Threads used for training. Null = all cores. Results are identical for a given seed and thread count.</summary>
        public int? NumberOfThreads;

        /// <summary>
        /// 0 (default) reads the training rows into memory once. A positive value streams them from the
        /// <c>IDataView</c> every epoch instead, shuffled through a buffer of this many rows (like
        /// <c>tf.data.Dataset.shuffle(buffer_size)</c>), so memory stays bounded however many images there are.
        /// Training accuracy in the history is then measured on the first <see cref="MonitoringSubsetSize"/>
        /// rows (10,000 when 0), and <see cref="ValidationFraction"/> must be 0 (pass a validation set to Fit).
        /// </summary>
        public int ShuffleBufferSize;

        /// <summary>
        /// Directory where training saves a checkpoint (parameters, batch-norm running statistics, Adam's state, epoch,
        /// history) every <see cref="CheckpointEveryEpochs"/> epochs and after the last one, replacing the file
        /// (<c>cnn-checkpoint.bin</c>) atomically. Null = no checkpoints.
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
