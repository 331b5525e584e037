using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MlNetMlp.Mapping;
using MlNetMlp.Persistence;
using MlNetMlp.Transforms;

[assembly: LoadableClass(typeof(ImageFlatteningTransformer), null, typeof(SignatureLoadModel),
    "Image Flattening Transformer", ImageFlatteningTransformer.LoaderSignature)]

namespace MlNetMlp.Transforms;

/// <summary>Estimator for <see cref="ImageFlatteningTransformer"/> (stateless: Fit only checks the schema).</summary>
public sealed class ImageFlatteningEstimator : IEstimator<ImageFlatteningTransformer>
{
    private readonly string _outputColumnName;
    private readonly string _inputColumnName;

    internal ImageFlatteningEstimator(string outputColumnName, string? inputColumnName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(outputColumnName);
        _outputColumnName = outputColumnName;
        _inputColumnName = inputColumnName ?? outputColumnName;
    }

    public ImageFlatteningTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var transformer = new ImageFlatteningTransformer(_outputColumnName, _inputColumnName);
        transformer.GetOutputSchema(input.Schema);
        return transformer;
    }

    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        var column = EstimatorSchema.Find(inputSchema, _inputColumnName, "FlattenImage");
        if (column.Kind != SchemaShape.Column.VectorKind.Vector || column.ItemType != NumberDataViewType.Single)
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"FlattenImage: the column '{_inputColumnName}' must be a known-size vector of Single.");
        return EstimatorSchema.WithSingleColumn(inputSchema, _outputColumnName, SchemaShape.Column.VectorKind.Vector);
    }
}

/// <summary>
/// Turns a multi-dimensional float vector (e.g. a 28×28 image) into a flat vector of the same
/// length (784) in row-major order, the feature shape an MLP reads. Values are not copied twice:
/// only the column type changes.
/// </summary>
public sealed class ImageFlatteningTransformer : OneToOneColumnTransformer
{
    internal const string LoaderSignature = "MlNetMlpFlattenImgXf";
    private static readonly VersionInfo Version = ModelFormat.Version("FLATIMGX", 0x00010001, LoaderSignature);

    internal ImageFlatteningTransformer(string outputColumnName, string inputColumnName) : base(outputColumnName, inputColumnName)
    {
    }

    private protected override IRowMapping Bind(DataViewSchema inputSchema)
    {
        var column = VectorColumnMapping.FloatVector(inputSchema, InputColumnName, "FlattenImage");
        var type = (VectorDataViewType)column.Type;
        if (!type.IsKnownSize)
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"FlattenImage: the column '{InputColumnName}' must have a known size, but it is {type}.");
        return new VectorColumnMapping(inputSchema, column, OutputColumnName, new VectorDataViewType(NumberDataViewType.Single, type.Size),
            DataViewSchema.Annotations.Empty, (source, destination) =>
            {
                source.CopyTo(ref destination);
                return destination;
            },
            // ML.NET declares a [28, 28] column as an [N, 28, 28] input; Flatten(axis 1) makes it [N, 784] (and keeps [N, 784]).
            (ctx, input, output) => ctx.CreateNode("Flatten", input, output, ctx.GetNodeName("Flatten"), "").AddAttribute("axis", 1L));
    }

    private protected override VersionInfo ModelVersion => Version;

    internal static ImageFlatteningTransformer Create(IHostEnvironment env, ModelLoadContext ctx)
    {
        var (_, output, input) = BeginLoad(ctx, Version);
        return new ImageFlatteningTransformer(output, input);
    }
}
