namespace MlNetMlp;

public sealed partial class MlpTrainer
{
    /// <summary>
    /// Options for the MLP trainers (<see cref="MlpTrainer"/>, <see cref="MlpBinaryTrainer"/>, <see cref="MlpRegressionTrainer"/>):
    /// the shared <see cref="NetworkTrainerOptions"/> and the network's own. Names follow ML.NET's trainers for columns and
    /// PyTorch / scikit-learn's <c>MLPClassifier</c> for the knobs.
    /// </summary>
    public sealed class Options : NetworkTrainerOptions
    {

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

        /// <summary>Probability of zeroing each hidden unit while training (inverted dropout); 0 = off.</summary>
        public float Dropout;

        private protected override string OptionsName => "MlpTrainer.Options";

        private protected override void CopyArrays() => HiddenLayers = (int[])HiddenLayers.Clone();

        private protected override void ValidateNetwork(TrainerOptionRules.Require require)
        {
            require(HiddenLayers != null, nameof(HiddenLayers), null, "must not be null (use an empty array for a linear model)");
            for (int i = 0; i < HiddenLayers!.Length; i++)
                require(HiddenLayers[i] > 0, nameof(HiddenLayers), HiddenLayers[i], $"must hold positive widths, but entry {i} is {HiddenLayers[i]}");
            require(Enum.IsDefined(Activation), nameof(Activation), Activation, "is not a defined MlpActivation");
            require(Enum.IsDefined(Initialization), nameof(Initialization), Initialization, "is not a defined MlpInitialization");
            require(float.IsFinite(LeakyReluSlope) && LeakyReluSlope >= 0 && LeakyReluSlope < 1, nameof(LeakyReluSlope), LeakyReluSlope, "must be in [0, 1)");
            require(float.IsFinite(EluAlpha) && EluAlpha > 0, nameof(EluAlpha), EluAlpha, "must be positive");
            require(float.IsFinite(Dropout) && Dropout >= 0 && Dropout < 1, nameof(Dropout), Dropout, "must be in [0, 1)");
            // The smallest data (one feature, two outputs) already needs the hidden layers; Fit checks again with the data's sizes.
            MlpDefinition.RequireTrainable(this, 1, 2, "", dataSizesKnown: false);
        }
    }
}
