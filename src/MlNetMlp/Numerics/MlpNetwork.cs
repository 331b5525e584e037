namespace MlNetMlp.Numerics;

/// <summary>
/// A multilayer perceptron: hidden layers Linear → activation, output Linear → softmax.
/// Parameters are plain arrays so persistence can read and write them directly:
/// <see cref="Weights"/>[l] is [LayerSizes[l+1] × LayerSizes[l]] row-major (nn.Linear's [out, in]),
/// <see cref="Biases"/>[l] has LayerSizes[l+1] values. Training reads and updates these; scoring reads a snapshot
/// laid out for it (<see cref="MlpScoringNetwork"/>).
/// </summary>
internal sealed class MlpNetwork : ITrainableNetwork
{
    public MlpNetwork(int[] layerSizes, MlpActivation activation, float leakyReluSlope, float eluAlpha)
    {
        ArgumentNullException.ThrowIfNull(layerSizes);
        if (layerSizes.Length < 2)
            throw new ArgumentException("Layer sizes need at least the input size and the class count.", nameof(layerSizes));
        foreach (int size in layerSizes)
            ArgumentOutOfRangeException.ThrowIfLessThan(size, 1, nameof(layerSizes));
        if (!Enum.IsDefined(activation))
            throw new ArgumentOutOfRangeException(nameof(activation), activation, null);

        LayerSizes = (int[])layerSizes.Clone();
        Activation = activation;
        LeakyReluSlope = leakyReluSlope;
        EluAlpha = eluAlpha;
        Weights = new float[LinearLayerCount][];
        Biases = new float[LinearLayerCount][];
        for (int l = 0; l < LinearLayerCount; l++)
        {
            Weights[l] = new float[checked(LayerSizes[l + 1] * LayerSizes[l])];
            Biases[l] = new float[LayerSizes[l + 1]];
        }
    }

    public int[] LayerSizes { get; }
    public int InputSize => LayerSizes[0];
    public int ClassCount => LayerSizes[^1];
    public int OutputCount => LayerSizes[^1];

    public string Description => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"{string.Join('-', LayerSizes)} {Activation}({LeakyReluSlope:R}, {EluAlpha:R})");

    public int StateLength => ParameterCount;

    /// <summary>Weights and biases in <see cref="ParameterLayout"/> order: W₀, b₀, W₁, b₁, ….</summary>
    public void CopyStateTo(Span<float> state)
    {
        int offset = 0;
        for (int l = 0; l < LinearLayerCount; l++)
        {
            Weights[l].CopyTo(state[offset..]);
            offset += Weights[l].Length;
            Biases[l].CopyTo(state[offset..]);
            offset += Biases[l].Length;
        }
    }

    public void CopyStateFrom(ReadOnlySpan<float> state)
    {
        if (state.Length != StateLength) throw new ArgumentException($"The state has {state.Length} values; the network has {StateLength}.", nameof(state));
        int offset = 0;
        for (int l = 0; l < LinearLayerCount; l++)
        {
            state.Slice(offset, Weights[l].Length).CopyTo(Weights[l]);
            offset += Weights[l].Length;
            state.Slice(offset, Biases[l].Length).CopyTo(Biases[l]);
            offset += Biases[l].Length;
        }
    }
    public int LinearLayerCount => LayerSizes.Length - 1;
    public MlpActivation Activation { get; }
    public float LeakyReluSlope { get; }
    public float EluAlpha { get; }
    public float[][] Weights { get; }
    public float[][] Biases { get; }

    /// <summary>Widest hidden layer (0 without hidden layers): the size of per-row activation scratch.</summary>
    public int MaxHiddenWidth
    {
        get
        {
            int width = 0;
            for (int l = 1; l < LayerSizes.Length - 1; l++)
                width = Math.Max(width, LayerSizes[l]);
            return width;
        }
    }

    public int ParameterCount
    {
        get
        {
            int count = 0;
            for (int l = 0; l < LinearLayerCount; l++)
                count += Weights[l].Length + Biases[l].Length;
            return count;
        }
    }

    /// <summary>Draws all weights from the scheme (<see cref="MlpInitialization.Auto"/> resolved for <see cref="Activation"/>) and zeroes the biases.</summary>
    public void Initialize(MlpInitialization initialization, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        MlpInitialization scheme = Initialization.Resolve(initialization, Activation);
        for (int l = 0; l < LinearLayerCount; l++)
        {
            int fanIn = LayerSizes[l], fanOut = LayerSizes[l + 1];
            if (scheme == MlpInitialization.Glorot)
                Initialization.GlorotUniform(Weights[l], fanIn, fanOut, random);
            else
                Initialization.HeNormal(Weights[l], fanIn, random);
            Array.Clear(Biases[l]);
        }
    }

    public MlpNetwork Clone()
    {
        var clone = new MlpNetwork(LayerSizes, Activation, LeakyReluSlope, EluAlpha);
        clone.CopyParametersFrom(this);
        return clone;
    }

    /// <summary>Overwrites this network's weights and biases with those of a network of the same shape.</summary>
    public void CopyParametersFrom(MlpNetwork source)
    {
        if (!LayerSizes.AsSpan().SequenceEqual(source.LayerSizes))
            throw new ArgumentException("The networks have different layer sizes.", nameof(source));
        for (int l = 0; l < LinearLayerCount; l++)
        {
            source.Weights[l].CopyTo(Weights[l], 0);
            source.Biases[l].CopyTo(Biases[l], 0);
        }
    }
}
