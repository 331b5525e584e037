using BenchmarkDotNet.Attributes;
using MlNetMlp.Numerics;

namespace MlNetMlp.Benchmarks;

/// <summary>
/// The three products of one linear layer on one worker's share of a mini-batch (100 of the 200 rows, as the
/// 2-worker training loop splits them), for the layer shapes of the reference workload (784-128-128-10) and the
/// CLI's default network (784-512-256-10), at every SIMD width this CPU has.
/// <list type="bullet">
/// <item>Forward: Y[rows×out] = X·Wᵀ + b (dot products over W's rows).</item>
/// <item>ForwardTransposed: the same from Wᵀ stored [in×out] (broadcast FMA), what training and scoring use for layers at least one register wide.</item>
/// <item>InputGradient: dX[rows×in] = dY·W.</item>
/// <item>WeightGradient: dW[out×in] = dYᵀ·X.</item>
/// </list>
/// The GFLOP/s column is 2·rows·in·out floating-point operations over the mean time.
/// </summary>
[Config(typeof(KernelConfig))]
public class GemmBenchmarks
{
    [ParamsSource(nameof(Shapes))]
    public LayerShape Shape { get; set; }

    /// <summary>Floats per SIMD register: 16 (Vector512), 8 (Vector256), 4 (Vector128).</summary>
    [ParamsSource(nameof(Widths))]
    public int Lanes { get; set; }

    public static IEnumerable<LayerShape> Shapes =>
    [
        new(100, 784, 128), new(100, 128, 128), new(100, 128, 10),
        new(100, 784, 512), new(100, 512, 256), new(100, 256, 10),
    ];

    /// <summary>Every accelerated width, or only the widest when MLNETMLP_BENCH_WIDEST_ONLY=1 (a run of a few minutes).</summary>
    public static IEnumerable<int> Widths =>
        new[] { SimdWidth.Vector512, SimdWidth.Vector256, SimdWidth.Vector128 }
            .Where(w => w <= Simd.Best && (Environment.GetEnvironmentVariable("MLNETMLP_BENCH_WIDEST_ONLY") != "1" || w == Simd.Best))
            .Select(w => (int)w);

    private SimdWidth Width => (SimdWidth)Lanes;

    private float[] _x = [], _w = [], _wt = [], _b = [], _y = [], _dy = [], _dx = [], _dw = [];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(0);
        float[] Random(int n) => Enumerable.Range(0, n).Select(_ => random.NextSingle() - 0.5f).ToArray();
        var (rows, inputs, outputs) = (Shape.Rows, Shape.Inputs, Shape.Outputs);
        _x = Random(rows * inputs);
        _w = Random(outputs * inputs);
        _wt = new float[outputs * inputs];
        Gemm.Transpose(_w, outputs, inputs, _wt, 0, inputs);
        _b = Random(outputs);
        _y = new float[rows * outputs];
        _dy = Random(rows * outputs);
        _dx = new float[rows * inputs];
        _dw = new float[outputs * inputs];
    }

    [Benchmark]
    public void Forward() => Gemm.LinearForward(_x, _w, _b, _y, Shape.Rows, Shape.Inputs, Shape.Outputs, Width);

    [Benchmark]
    public void ForwardTransposed() => Gemm.LinearForwardTransposed(_x, _wt, _b, _y, Shape.Rows, Shape.Inputs, Shape.Outputs, Width);

    [Benchmark]
    public void InputGradient() => Gemm.Multiply(_dy, _w, _dx, Shape.Rows, Shape.Outputs, Shape.Inputs, Width);

    [Benchmark]
    public void WeightGradient() => Gemm.TransposeMultiply(_dy, _x, _dw, Shape.Outputs, Shape.Rows, Shape.Inputs, Width);
}

/// <summary>rows × inputs → outputs.</summary>
public readonly record struct LayerShape(int Rows, int Inputs, int Outputs)
{
    public double Flop => 2.0 * Rows * Inputs * Outputs;

    public override string ToString() => $"{Rows}x{Inputs}->{Outputs}";
}
