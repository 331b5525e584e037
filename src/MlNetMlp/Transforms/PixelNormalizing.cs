using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MlNetMlp.Mapping;
using MlNetMlp.Onnx;
using MlNetMlp.Persistence;
using MlNetMlp.Transforms;

[assembly: LoadableClass(typeof(PixelNormalizingTransformer), null, typeof(SignatureLoadModel),
    "Pixel Normalizing Transformer", PixelNormalizingTransformer.LoaderSignature)]

namespace MlNetMlp.Transforms;

/// <summary>How <see cref="PixelNormalizingEstimator"/> rescales pixels.</summary>
public enum PixelNormalizationMode
{
    /// <summary><c>x / maxPixelValue</c>: pixels 0..255 become 0..1.</summary>
    Scale,
    /// <summary><c>(x / maxPixelValue − mean) / std</c> with one mean and std fitted over all training pixels.</summary>
    Standardize,
}

/// <summary>
/// Estimator for <see cref="PixelNormalizingTransformer"/>: scales a float vector of pixels to [0, 1],
/// optionally standardizing with a mean and standard deviation fitted on the training data.
/// </summary>
public sealed class PixelNormalizingEstimator : IEstimator<PixelNormalizingTransformer>
{
    private readonly string _outputColumnName;
    private readonly string _inputColumnName;
    private readonly PixelNormalizationMode _mode;
    private readonly float _maxPixelValue;

    internal PixelNormalizingEstimator(string outputColumnName, string? inputColumnName, PixelNormalizationMode mode, float maxPixelValue)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(outputColumnName);
        if (!Enum.IsDefined(mode)) throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown PixelNormalizationMode.");
        if (!float.IsFinite(maxPixelValue) || maxPixelValue <= 0)
            throw new ArgumentOutOfRangeException(nameof(maxPixelValue), maxPixelValue, "maxPixelValue must be a positive number, e.g. 255.");
        _outputColumnName = outputColumnName;
        _inputColumnName = inputColumnName ?? outputColumnName;
        _mode = mode;
        _maxPixelValue = maxPixelValue;
    }

    public PixelNormalizingTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var column = VectorColumnMapping.FloatVector(input.Schema, _inputColumnName, "NormalizePixels");
        float mean = 0, std = 1;
        if (_mode == PixelNormalizationMode.Standardize)
            (mean, std) = FitMeanAndStd(input, column);
        return new PixelNormalizingTransformer(_outputColumnName, _inputColumnName) { Mode = _mode, MaxPixelValue = _maxPixelValue, Mean = mean, StandardDeviation = std };
    }

    private (float mean, float std) FitMeanAndStd(IDataView input, DataViewSchema.Column column)
    {
        // Welford-free two-moment sums in double: pixel data is bounded, so cancellation is harmless.
        double sum = 0, sumSquares = 0;
        long count = 0;
        using var cursor = input.GetRowCursor([column]);
        var getter = cursor.GetGetter<VBuffer<float>>(column);
        var buffer = default(VBuffer<float>);
        while (cursor.MoveNext())
        {
            getter(ref buffer);
            foreach (var value in buffer.DenseValues())
            {
                double x = value / _maxPixelValue;
                sum += x;
                sumSquares += x * x;
            }
            count += buffer.Length;
        }
        if (count == 0)
            throw new ArgumentException($"NormalizePixels: no rows to fit the mean and standard deviation of column '{column.Name}'.", nameof(input));
        double mean = sum / count;
        double variance = Math.Max(0, sumSquares / count - mean * mean);
        double std = Math.Sqrt(variance);
        return ((float)mean, std > 1e-12 ? (float)std : 1f);
    }

    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        var column = EstimatorSchema.Find(inputSchema, _inputColumnName, "NormalizePixels");
        if (column.Kind == SchemaShape.Column.VectorKind.Scalar || column.ItemType != NumberDataViewType.Single)
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"NormalizePixels: the column '{_inputColumnName}' must be a vector of Single.");
        return EstimatorSchema.WithSingleColumn(inputSchema, _outputColumnName, column.Kind);
    }
}

/// <summary>Applies <c>(x / MaxPixelValue − Mean) / StandardDeviation</c> to every slot of a float vector column.</summary>
public sealed class PixelNormalizingTransformer : OneToOneColumnTransformer
{
    internal const string LoaderSignature = "MlNetMlpPixelNormXf";
    private static readonly VersionInfo Version = ModelFormat.Version("PIXNORMX", 0x00010001, LoaderSignature);

    // The estimator and the model loader set the constants by name.
    internal PixelNormalizingTransformer(string outputColumnName, string inputColumnName) : base(outputColumnName, inputColumnName)
    {
    }

    public PixelNormalizationMode Mode { get; internal init; }

    public float MaxPixelValue { get; internal init; }

    /// <summary>Fitted mean of the scaled pixels (0 in <see cref="PixelNormalizationMode.Scale"/> mode).</summary>
    public float Mean { get; internal init; }

    /// <summary>Fitted standard deviation of the scaled pixels (1 in <see cref="PixelNormalizationMode.Scale"/> mode).</summary>
    public float StandardDeviation { get; internal init; }

    private protected override IRowMapping Bind(DataViewSchema inputSchema)
    {
        var column = VectorColumnMapping.FloatVector(inputSchema, InputColumnName, "NormalizePixels");
        float scale = 1f / (MaxPixelValue * StandardDeviation), offset = -Mean / StandardDeviation;
        return new VectorColumnMapping(inputSchema, column, OutputColumnName, (VectorDataViewType)column.Type, column.Annotations,
            (source, destination) =>
            {
                var editor = VBufferEditor.Create(ref destination, source.Length);
                source.CopyTo(editor.Values);
                // y = x·scale + offset, vectorized.
                System.Numerics.Tensors.TensorPrimitives.Multiply(editor.Values, scale, editor.Values);
                System.Numerics.Tensors.TensorPrimitives.Add(editor.Values, offset, editor.Values);
                return editor.Commit();
            },
            (ctx, input, output) =>
            {
                // The same two float operations in the same order, so ONNX reproduces every value exactly.
                string scaled = OnnxNodes.Node(ctx, "Mul", [input, ctx.AddInitializer(scale, "pixel_scale")], "pixel_scaled");
                ctx.CreateNode("Add", [scaled, ctx.AddInitializer(offset, "pixel_offset")], [output], ctx.GetNodeName("Add"), "");
            });
    }

    private protected override VersionInfo ModelVersion => Version;

    private protected override void SaveParameters(BinaryWriter writer)
    {
        writer.Write((int)Mode);
        writer.Write(MaxPixelValue);
        writer.Write(Mean);
        writer.Write(StandardDeviation);
    }

    internal static PixelNormalizingTransformer Create(IHostEnvironment env, ModelLoadContext ctx)
    {
        var (reader, output, input) = BeginLoad(ctx, Version);
        int mode = reader.ReadInt32();
        if (!Enum.IsDefined(typeof(PixelNormalizationMode), mode)) throw ModelFormat.Corrupt($"unknown pixel normalization mode {mode}");
        float max = reader.ReadSingle(), mean = reader.ReadSingle(), std = reader.ReadSingle();
        if (!(max > 0) || !(std > 0) || !float.IsFinite(mean)) throw ModelFormat.Corrupt("invalid pixel normalization constants");
        return new PixelNormalizingTransformer(output, input) { Mode = (PixelNormalizationMode)mode, MaxPixelValue = max, Mean = mean, StandardDeviation = std };
    }
}
