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
    /// Options for the CNN trainers (<see cref="CnnTrainer"/>, <see cref="CnnBinaryTrainer"/>, <see cref="CnnRegressionTrainer"/>):
    /// the shared <see cref="NetworkTrainerOptions"/> (with the CNN's defaults: 10 epochs of 128-row batches, images in
    /// column "Image", 2,000 monitoring rows) and the network's own. Names follow PyTorch.
    /// </summary>
    public sealed class Options : NetworkTrainerOptions
    {
        public Options()
        {
            FeatureColumnName = "Image";
            Epochs = 10;
            BatchSize = 128;
            // Monitoring a CNN costs a forward pass per row: 2,000 rows keep it to about 1 % of an epoch's time.
            MonitoringSubsetSize = 2000;
        }

        /// <summary>
        /// The image column (the same as <see cref="NetworkTrainerOptions.FeatureColumnName"/>): a known-size Single vector,
        /// row-major; several channels are stored channel after channel (CHW). Default "Image", the column
        /// <c>FashionMnist.Load</c> produces.
        /// </summary>
        public string ImageColumnName
        {
            get => FeatureColumnName;
            set => FeatureColumnName = value;
        }

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
        /// 1/255 maps raw 0..255 pixels, as <c>FashionMnist.Load</c> gives them, to 0..1 like the PyTorch peer;
        /// use 1 for data already scaled.
        /// </summary>
        public float PixelScale = 1f / 255;

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

        private protected override string OptionsName => "CnnTrainer.Options";

        private protected override string FeatureColumnOption => nameof(ImageColumnName);

        private protected override void ValidateNetwork(TrainerOptionRules.Require require) => Cnn.CnnDefinition.ValidateOptions(this, require);
    }
}
