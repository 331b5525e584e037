using MlNetMlp.Numerics;

namespace MlNetMlp.Cnn;

/// <summary>A named view of one parameter or buffer tensor in a network's flat vector, with its PyTorch shape.</summary>
internal sealed record CnnTensor(string Name, int Offset, int Length, bool IsWeight, int[] Shape);

/// <summary>
/// A convolutional network: the layers built from a list of <see cref="CnnLayerSpec"/> for an input shape, plus
/// the output layer (dense, one unit per class); all parameters in one flat vector (<see cref="Parameters"/>, in
/// layer order: conv weights HWIO then bias, batch-norm γ then β, dense weights [out, in] then bias) and the
/// batch-norm running statistics in another (<see cref="Buffers"/>).
/// <para>
/// Inputs are rows of <see cref="InputShape"/> in the column's own order, CHW (for one channel simply the image,
/// row-major); they are multiplied by <see cref="PixelScale"/> and moved to NHWC as they are loaded.
/// </para>
/// </summary>
internal sealed class CnnNetwork : ITrainableNetwork
{
    /// <param name="inputShape">Channels × height × width of one input row.</param>
    /// <param name="specs">The hidden layers; the output layer is appended.</param>
    /// <param name="classCount">Units of the output layer.</param>
    /// <param name="pixelScale">Multiplier applied to every input value as it is loaded.</param>
    /// <param name="maxParameters">
    /// Refuse (<see cref="ArgumentOutOfRangeException"/>) a network with more parameters, before allocating them: loaders
    /// pass what the file can hold, so a corrupt description cannot cost gigabytes.
    /// </param>
    /// <exception cref="ArgumentOutOfRangeException">
    /// A layer does not fit its input or gives more values or parameters than an <see cref="int"/> counts (naming the
    /// layer, <see cref="CreateLayers"/>), or the network has more than <paramref name="maxParameters"/> parameters.
    /// </exception>
    public CnnNetwork(TensorShape inputShape, IReadOnlyList<CnnLayerSpec> specs, int classCount, float pixelScale, long maxParameters = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(specs);
        ArgumentOutOfRangeException.ThrowIfLessThan(classCount, 1);
        if (inputShape.Channels < 1 || inputShape.Height < 1 || inputShape.Width < 1)
            throw new ArgumentOutOfRangeException(nameof(inputShape), inputShape, "Every input dimension must be positive.");
        InputShape = inputShape;
        Specs = specs.ToArray();
        ClassCount = classCount;
        PixelScale = pixelScale;

        (Layers, LayerNames, _) = CreateLayers(inputShape, Specs, classCount);
        var names = LayerNames;

        long total = Layers.Sum(l => (long)l.ParameterLength);
        if (total > maxParameters)
            throw new ArgumentOutOfRangeException(nameof(maxParameters), $"The network needs {total:N0} parameters, more than the {maxParameters:N0} there can be.");
        int parameters = 0, buffers = 0;
        var parameterTensors = new List<CnnTensor>();
        var bufferTensors = new List<CnnTensor>();
        for (int i = 0; i < Layers.Length; i++)
        {
            var layer = Layers[i];
            layer.ParameterOffset = parameters;
            layer.BufferOffset = buffers;
            foreach (var t in layer.ParameterTensors)
                parameterTensors.Add(new CnnTensor($"{names[i]}.{t.Suffix}", parameters + t.Offset, t.Length, t.IsWeight, t.Shape));
            foreach (var t in layer.BufferTensors)
                bufferTensors.Add(new CnnTensor($"{names[i]}.{t.Suffix}", buffers + t.Offset, t.Length, false, t.Shape));
            parameters = checked(parameters + layer.ParameterLength);
            buffers = checked(buffers + layer.BufferLength);
        }
        Parameters = new float[parameters];
        Buffers = new float[buffers];
        ParameterTensors = parameterTensors;
        BufferTensors = bufferTensors;
        InferencePass = new CnnPass(this, training: false, workers: 1);
    }

    /// <summary>
    /// The layers of a network (hidden layers, then the output layer), their names and the text of the spec each
    /// comes from, without allocating the parameters: the trainers size a network with it before building it.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">
    /// A layer does not fit its input, or gives more values or parameters than an array can count (the message names the layer).
    /// </exception>
    internal static (CnnLayer[] Layers, string[] Names, string[] Texts) CreateLayers(TensorShape inputShape, IReadOnlyList<CnnLayerSpec> specs, int classCount)
    {
        var layers = new List<CnnLayer>();
        var names = new List<string>();
        var texts = new List<string>();
        string text = "";
        var counters = new Dictionary<string, int>();
        string Name(string kind) => kind + (counters[kind] = counters.GetValueOrDefault(kind) + 1);
        TensorShape shape = inputShape;
        void Add(CnnLayer layer, string kind)
        {
            // Counting its values and parameters here turns a layer too big for an int into a refusal that names it.
            _ = layer.Output.Size;
            _ = layer.ParameterLength;
            layers.Add(layer);
            names.Add(Name(kind));
            texts.Add(text);
            shape = layer.Output;
        }
        foreach (var spec in specs)
        {
            text = spec.ToString();
            try
            {
                switch (spec.Kind)
                {
                    case CnnLayerKind.Conv:
                        if (shape.IsFlat && layers.Count > 0 && layers[^1] is FlattenLayer or DenseLayer)
                            throw new ArgumentOutOfRangeException(nameof(specs), $"'{spec}' follows a vector; convolutions must come before flatten/dense.");
                        Add(new Conv2DLayer(shape, spec.Units, spec.KernelSize, spec.Stride, spec.Padding), "conv");
                        break;
                    case CnnLayerKind.MaxPool:
                        if (shape.IsFlat && layers.Count > 0 && layers[^1] is FlattenLayer or DenseLayer)
                            throw new ArgumentOutOfRangeException(nameof(specs), $"'{spec}' follows a vector; pooling must come before flatten/dense.");
                        Add(new MaxPool2DLayer(shape, spec.KernelSize, spec.Stride, spec.Padding), "pool");
                        break;
                    case CnnLayerKind.BatchNorm: Add(new BatchNormLayer(shape), "bn"); break;
                    case CnnLayerKind.Relu: Add(new ReluLayer(shape), "relu"); break;
                    case CnnLayerKind.Dropout: Add(new DropoutLayer(shape, spec.Rate), "drop"); break;
                    case CnnLayerKind.Flatten: Add(new FlattenLayer(shape), "flatten"); break;
                    case CnnLayerKind.Dense:
                        if (!shape.IsFlat) Add(new FlattenLayer(shape), "flatten");
                        Add(new DenseLayer(shape, spec.Units), "dense");
                        break;
                    default: throw new ArgumentOutOfRangeException(nameof(specs), spec.Kind, "Unknown layer kind.");
                }
            }
            catch (OverflowException)
            {
                throw new ArgumentOutOfRangeException(nameof(specs),
                    $"'{spec}' on {shape} inputs gives more values or parameters than an array can hold ({int.MaxValue:N0} at most).");
            }
        }
        text = $"the output layer (dense{classCount})";
        if (!shape.IsFlat) Add(new FlattenLayer(shape), "flatten");
        try
        {
            Add(new DenseLayer(shape, classCount), "dense");
        }
        catch (OverflowException)
        {
            throw new ArgumentOutOfRangeException(nameof(classCount),
                $"The output layer of {classCount:N0} classes on {shape} inputs has more parameters than an array can hold ({int.MaxValue:N0} at most).");
        }
        return (layers.ToArray(), names.ToArray(), texts.ToArray());
    }

    public TensorShape InputShape { get; }

    /// <summary>The hidden layers as specified (the output layer is not among them).</summary>
    public CnnLayerSpec[] Specs { get; }

    public int ClassCount { get; }

    public int InputSize => InputShape.Size;

    public int OutputCount => ClassCount;

    public string Description => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"{InputShape.Channels}x{InputShape.Height}x{InputShape.Width} \"{CnnLayerSpec.Format(Specs)}\" {ClassCount} outputs, pixel scale {PixelScale:R}");

    /// <summary>Parameters, then batch-norm running statistics.</summary>
    public int StateLength => Parameters.Length + Buffers.Length;

    public void CopyStateTo(Span<float> state)
    {
        Parameters.CopyTo(state);
        Buffers.CopyTo(state[Parameters.Length..]);
    }

    public void CopyStateFrom(ReadOnlySpan<float> state)
    {
        if (state.Length != StateLength) throw new ArgumentException($"The state has {state.Length} values; the network has {StateLength}.", nameof(state));
        state[..Parameters.Length].CopyTo(Parameters);
        state[Parameters.Length..].CopyTo(Buffers);
        Prepare();
    }

    /// <summary>The parameter tensors for <see cref="ParameterUpdater"/>, in the one parameter vector.</summary>
    public ParameterTensor[] UpdaterTensors() =>
        [.. ParameterTensors.Select(t => new ParameterTensor(Parameters, t.Offset, t.Offset, t.Length, t.IsWeight))];

    public float PixelScale { get; }

    public CnnLayer[] Layers { get; }

    /// <summary>"conv1", "bn1", "relu1", … "dense2": kind and 1-based ordinal of each layer.</summary>
    public string[] LayerNames { get; }

    public float[] Parameters { get; }

    public float[] Buffers { get; }

    public IReadOnlyList<CnnTensor> ParameterTensors { get; }

    public IReadOnlyList<CnnTensor> BufferTensors { get; }

    /// <summary>A single-worker inference pass (no shared mutable state: batch norm reads the running statistics).</summary>
    public CnnPass InferencePass { get; }

    /// <summary>PyTorch's default initialization of every layer, then <see cref="Prepare"/>.</summary>
    public void Initialize(Random random)
    {
        foreach (var layer in Layers)
            layer.Initialize(Parameters.AsSpan(layer.ParameterOffset, layer.ParameterLength), Buffers.AsSpan(layer.BufferOffset, layer.BufferLength), random);
        Prepare();
    }

    /// <summary>Refreshes what the layers derive from the parameters (packed convolution weights); call after changing <see cref="Parameters"/>.</summary>
    public void Prepare()
    {
        foreach (var layer in Layers)
            layer.Prepare(Parameters.AsSpan(layer.ParameterOffset, layer.ParameterLength));
    }

    public CnnNetwork Clone()
    {
        var copy = new CnnNetwork(InputShape, Specs, ClassCount, PixelScale);
        copy.CopyStateFrom(this);
        return copy;
    }

    public void CopyStateFrom(CnnNetwork other)
    {
        other.Parameters.CopyTo(Parameters, 0);
        other.Buffers.CopyTo(Buffers, 0);
        Prepare();
    }

    public CnnTensor? FindParameter(string name) => ParameterTensors.FirstOrDefault(t => t.Name == name);

    public CnnTensor? FindBuffer(string name) => BufferTensors.FirstOrDefault(t => t.Name == name);

    /// <summary>Multiply-adds of one forward pass of one row (convolutions and dense layers).</summary>
    public long MultiplyAddsPerRow => Layers.Sum(l => l switch
    {
        Conv2DLayer c => c.Geometry.MultiplyAddsPerImage,
        DenseLayer d => (long)d.Inputs * d.Units,
        _ => 0L,
    });

    /// <summary>
    /// Copies <paramref name="rows"/> raw rows (CHW, the column's order) into an NHWC input buffer, times <see cref="PixelScale"/>.
    /// </summary>
    public void LoadInput(ReadOnlySpan<float> raw, int rows, Span<float> input)
    {
        int size = InputShape.Size;
        if (InputShape.Channels == 1)
        {
            System.Numerics.Tensors.TensorPrimitives.Multiply(raw[..(rows * size)], PixelScale, input[..(rows * size)]);
            return;
        }
        TensorLayout.NchwToNhwc(raw[..(rows * size)], input[..(rows * size)], rows, InputShape.Channels, InputShape.Height, InputShape.Width);
        System.Numerics.Tensors.TensorPrimitives.Multiply(input[..(rows * size)], PixelScale, input[..(rows * size)]);
    }

    /// <summary>Runs every layer forward on the rows already loaded into <c>work.Activations[0]</c>; returns the logits.</summary>
    public ReadOnlySpan<float> Forward(CnnPass pass, CnnWorkspace work)
    {
        for (int i = 0; i < Layers.Length; i++)
            Layers[i].Forward(pass, work, i);
        return work.Activations[Layers.Length].AsSpan(0, work.Rows * ClassCount);
    }

    /// <summary>Inference-mode logits of <paramref name="rows"/> raw rows, on the calling thread (thread-safe given separate workspaces).</summary>
    public void ComputeLogits(ReadOnlySpan<float> raw, int rows, Span<float> logits, CnnWorkspace work)
    {
        if (work.Training) throw new ArgumentException("Inference needs an inference workspace.", nameof(work));
        for (int start = 0; start < rows; start += work.MaxRows)
        {
            int count = Math.Min(work.MaxRows, rows - start);
            work.Rows = count;
            work.FirstRow = 0;
            LoadInput(raw.Slice(start * InputShape.Size, count * InputShape.Size), count, work.Activations[0]);
            Forward(InferencePass, work).CopyTo(logits.Slice(start * ClassCount, count * ClassCount));
        }
    }

    /// <summary>Class probabilities (softmax of the logits) of <paramref name="rows"/> raw rows.</summary>
    public void PredictProbabilities(ReadOnlySpan<float> raw, int rows, Span<float> probabilities, CnnWorkspace work)
    {
        ComputeLogits(raw, rows, probabilities, work);
        SoftmaxCrossEntropy.SoftmaxRows(probabilities, rows, ClassCount);
    }
}
