using System.Text;
using MlNetMlp.Cnn;

namespace MlNetMlp.Tests.Cnn;

/// <summary>
/// One PyTorch fixture file of test/fixtures/cnn (written by test/generate_cnn_fixtures.py; format in that folder's
/// README): named float32 tensors with their shapes. The folder is found from the repository root at run time.
/// </summary>
internal sealed class CnnFixture
{
    private readonly Dictionary<string, (int[] Shape, float[] Data)> _tensors;

    private CnnFixture(string name, Dictionary<string, (int[], float[])> tensors)
    {
        Name = name;
        _tensors = tensors;
    }

    public string Name { get; }

    public static string Directory
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "MlNetMlp.sln")))
                    return Path.Combine(dir.FullName, "test", "fixtures", "cnn");
            throw new InvalidOperationException("Repository root (MlNetMlp.sln) not found above " + AppContext.BaseDirectory);
        }
    }

    public static CnnFixture Load(string name)
    {
        using var reader = new BinaryReader(File.OpenRead(Path.Combine(Directory, name + ".bin")));
        int count = reader.ReadInt32();
        var tensors = new Dictionary<string, (int[], float[])>();
        for (int t = 0; t < count; t++)
        {
            string tensorName = Encoding.UTF8.GetString(reader.ReadBytes(reader.ReadInt32()));
            var shape = new int[reader.ReadInt32()];
            for (int d = 0; d < shape.Length; d++) shape[d] = reader.ReadInt32();
            var data = new float[shape.Aggregate(1, (a, b) => a * b)];
            for (int i = 0; i < data.Length; i++) data[i] = reader.ReadSingle();
            tensors.Add(tensorName, (shape, data));
        }
        Assert.AreEqual(reader.BaseStream.Length, reader.BaseStream.Position, $"{name}.bin has trailing bytes");
        return new CnnFixture(name, tensors);
    }

    public float[] this[string name] => Get(name).Data;

    public int[] Shape(string name) => Get(name).Shape;

    public int Int(string name) => (int)this[name][0];

    public float Scalar(string name) => this[name][0];

    public bool Has(string name) => _tensors.ContainsKey(name);

    private (int[] Shape, float[] Data) Get(string name) =>
        _tensors.TryGetValue(name, out var tensor) ? tensor : throw new KeyNotFoundException($"{Name}.bin has no tensor '{name}'.");

    /// <summary>An NCHW tensor of the fixture in the engine's NHWC layout.</summary>
    public float[] Nhwc(string name)
    {
        var shape = Shape(name);
        return shape.Length == 4 ? TensorLayout.NchwToNhwc(this[name], shape[0], shape[1], shape[2], shape[3]) : this[name];
    }

    /// <summary>
    /// Asserts <c>|actual − expected| ≤ absolute + relative·|expected|</c> element by element, reporting the worst one.
    /// </summary>
    public static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double absolute, double relative, string what)
    {
        Assert.AreEqual(expected.Length, actual.Length, $"{what}: length");
        int worst = -1;
        double worstExcess = 0, maxError = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double error = Math.Abs((double)actual[i] - expected[i]);
            if (double.IsNaN(error)) error = double.PositiveInfinity;
            maxError = Math.Max(maxError, error);
            double excess = error - (absolute + relative * Math.Abs(expected[i]));
            if (excess > worstExcess)
            {
                worstExcess = excess;
                worst = i;
            }
        }
        if (worst >= 0)
            Assert.Fail($"{what}: element {worst} is {actual[worst]:R}, expected {expected[worst]:R} (tolerance {absolute:G2} + {relative:G2}·|x|; max error {maxError:G3}).");
    }

    /// <summary>The largest <c>|actual − expected| / (1 + |expected|)</c>.</summary>
    public static double MaxError(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual)
    {
        double max = 0;
        for (int i = 0; i < expected.Length; i++)
            max = Math.Max(max, Math.Abs((double)actual[i] - expected[i]) / (1 + Math.Abs(expected[i])));
        return max;
    }
}

/// <summary>
/// Runs the first layer of a one-layer network (the trainer appends its output layer, which these tests ignore) on
/// given rows: forward from an NHWC input, backward from an NHWC output gradient.
/// </summary>
internal sealed class LayerHarness
{
    public LayerHarness(TensorShape input, string layer, int rows, bool training = true, int classes = 3)
    {
        Network = new CnnNetwork(input, CnnLayerSpec.ParseList(layer), classes, pixelScale: 1f);
        Pass = new CnnPass(Network, training, workers: 1) { BatchRows = rows, DropoutSeed = 1, Step = 1 };
        Work = new CnnWorkspace(Network, rows, training: true) { Rows = rows };
        Rows = rows;
    }

    public CnnNetwork Network { get; }

    public CnnPass Pass { get; }

    public CnnWorkspace Work { get; }

    public int Rows { get; }

    public CnnLayer Layer => Network.Layers[0];

    public Span<float> Parameters => Network.Parameters.AsSpan(Layer.ParameterOffset, Layer.ParameterLength);

    public Span<float> Buffers => Network.Buffers.AsSpan(Layer.BufferOffset, Layer.BufferLength);

    public ReadOnlySpan<float> ParameterGradient => Work.ParameterGradient.AsSpan(Layer.ParameterOffset, Layer.ParameterLength);

    public float[] Forward(float[] input)
    {
        Network.Prepare();
        input.CopyTo(Work.Activations[0], 0);
        Layer.Forward(Pass, Work, 0);
        return Work.Activations[1].AsSpan(0, Rows * Layer.Output.Size).ToArray();
    }

    public float[] Backward(float[] outputGradient)
    {
        outputGradient.CopyTo(Work.GradientA, 0);
        Layer.Backward(Pass, Work, 0, Work.GradientA, Work.GradientB, needInputGradient: true);
        return Work.GradientB.AsSpan(0, Rows * Layer.Input.Size).ToArray();
    }
}
