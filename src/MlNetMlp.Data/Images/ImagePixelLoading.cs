using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MlNetMlp.Data;
using MlNetMlp.Mapping;
using MlNetMlp.Persistence;
using MlNetMlp.Transforms;

[assembly: LoadableClass(typeof(ImagePixelLoadingTransformer), null, typeof(SignatureLoadModel),
    "Image Pixel Loading Transformer", ImagePixelLoadingTransformer.LoaderSignature)]

namespace MlNetMlp.Data;

/// <summary>Estimator for <see cref="ImagePixelLoadingTransformer"/> (stateless: Fit only checks the schema).</summary>
public sealed class ImagePixelLoadingEstimator : IEstimator<ImagePixelLoadingTransformer>
{
    private readonly ImagePixelLoadingTransformer _transformer;

    internal ImagePixelLoadingEstimator(string outputColumnName, string inputColumnName, int width, int height, bool color)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(outputColumnName);
        ArgumentException.ThrowIfNullOrWhiteSpace(inputColumnName);
        if (width is < 1 or > 4096) throw new ArgumentOutOfRangeException(nameof(width), width, "The image width must be from 1 to 4096 pixels.");
        if (height is < 1 or > 4096) throw new ArgumentOutOfRangeException(nameof(height), height, "The image height must be from 1 to 4096 pixels.");
        _transformer = new ImagePixelLoadingTransformer(outputColumnName, inputColumnName) { Width = width, Height = height, Color = color };
    }

    public ImagePixelLoadingTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        _transformer.GetOutputSchema(input.Schema);
        return _transformer;
    }

    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        var column = EstimatorSchema.Find(inputSchema, _transformer.InputColumnName, "LoadImagePixels");
        if (column.Kind != SchemaShape.Column.VectorKind.Scalar || column.ItemType is not TextDataViewType)
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"LoadImagePixels: the column '{_transformer.InputColumnName}' must hold text (image file paths).");
        return EstimatorSchema.WithSingleColumn(inputSchema, _transformer.OutputColumnName, SchemaShape.Column.VectorKind.Vector);
    }
}

/// <summary>
/// Reads each row's image file (a path in the text column <see cref="OneToOneColumnTransformer.InputColumnName"/>,
/// absolute or relative to the working directory) into a pixel vector: decoded by SkiaSharp
/// (<see cref="DecodedImage"/>: JPEG, PNG, BMP, GIF, WebP, at most 4096×4096), stretched to Width×Height, and laid out
/// as [channels, height, width] values 0..255 like ImageAnalytics' <c>LoadImages → ResizeImages → ExtractPixels</c>:
/// red, green and blue planes with <see cref="Color"/>, one plane of Rec. 601 luminance without. Transparent pixels
/// are black. A model that starts with it scores image paths: <c>mlContext.Model.Load</c> then a
/// <c>PredictionEngine</c> over a class with a string path property.
/// </summary>
/// <remarks>
/// ImageAnalytics itself is not used: its 5.0 release is compiled against SkiaSharp 2.88 and fails at run time
/// (<c>MissingMethodException</c> for <c>SKBitmap.GetPixelSpan</c>) beside the SkiaSharp 3 that ScottPlot, and so the
/// figures and the CLI, load; one process holds one SkiaSharp. A file that cannot be read stops the cursor with the
/// <see cref="InvalidDataException"/> or <see cref="IOException"/> that names it.
/// </remarks>
public sealed class ImagePixelLoadingTransformer : OneToOneColumnTransformer
{
    internal const string LoaderSignature = "MlNetMlpImagePixelsXf";
    // Written into the model header with this assembly's name, so ML.NET's loader registers MlNetMlp.Data by itself on Load.
    private static readonly VersionInfo Version = new(
        modelSignature: "IMGPIXLX",
        verWrittenCur: 0x00010001,
        verReadableCur: 0x00010001,
        verWeCanReadBack: 0x00010001,
        loaderSignature: LoaderSignature,
        loaderAssemblyName: typeof(ImagePixelLoadingTransformer).Assembly.FullName);

    // The estimator and the model loader set the image geometry by name.
    internal ImagePixelLoadingTransformer(string outputColumnName, string inputColumnName) : base(outputColumnName, inputColumnName)
    {
    }

    public int Width { get; internal init; }

    public int Height { get; internal init; }

    /// <summary>Red, green and blue planes; false: one grayscale plane.</summary>
    public bool Color { get; internal init; }

    private protected override IRowMapping Bind(DataViewSchema inputSchema)
    {
        var column = inputSchema.GetColumnOrNull(InputColumnName)
            ?? throw new ArgumentOutOfRangeException(nameof(inputSchema), $"LoadImagePixels: the column '{InputColumnName}' was not found.");
        if (column.Type is not TextDataViewType)
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"LoadImagePixels: the column '{InputColumnName}' must hold text (image file paths), but it is {column.Type}.");
        return new Mapping(this, inputSchema, column);
    }

    private protected override VersionInfo ModelVersion => Version;

    private protected override void SaveParameters(BinaryWriter writer)
    {
        writer.Write(Width);
        writer.Write(Height);
        writer.Write(Color);
    }

    internal static ImagePixelLoadingTransformer Create(IHostEnvironment env, ModelLoadContext ctx)
    {
        var (reader, output, input) = BeginLoad(ctx, Version);
        int width = reader.ReadInt32(), height = reader.ReadInt32();
        bool color = reader.ReadBoolean();
        if (width is < 1 or > 4096 || height is < 1 or > 4096)
            throw ModelFormat.Corrupt($"image size {width}×{height} is outside 1..4096");
        return new ImagePixelLoadingTransformer(output, input) { Width = width, Height = height, Color = color };
    }

    private sealed class Mapping(ImagePixelLoadingTransformer parent, DataViewSchema inputSchema, DataViewSchema.Column input) : IRowMapping
    {
        public DataViewSchema InputSchema { get; } = inputSchema;

        public IReadOnlyList<DataViewSchema.DetachedColumn> AddedColumns { get; } =
            [new DataViewSchema.DetachedColumn(parent.OutputColumnName,
                new VectorDataViewType(NumberDataViewType.Single, parent.Color ? 3 : 1, parent.Height, parent.Width))];

        public IEnumerable<DataViewSchema.Column> GetDependencies(Func<int, bool> isAddedActive) => isAddedActive(0) ? [input] : [];

        public Delegate?[] CreateGetters(DataViewRow row, Func<int, bool> isAddedActive)
        {
            if (!isAddedActive(0)) return [null];
            var getPath = row.GetGetter<ReadOnlyMemory<char>>(input);
            var path = default(ReadOnlyMemory<char>);
            return [(ValueGetter<VBuffer<float>>)((ref VBuffer<float> destination) =>
            {
                getPath(ref path);
                string file = path.ToString();
                if (string.IsNullOrWhiteSpace(file))
                    throw new InvalidDataException($"LoadImagePixels: row {row.Position} of column '{input.Name}' has no image path.");
                var pixels = DecodedImage.Load(file).ToPlanes(parent.Width, parent.Height, parent.Color);
                var editor = VBufferEditor.Create(ref destination, pixels.Length);
                pixels.CopyTo(editor.Values);
                destination = editor.Commit();
            })];
        }
    }
}
