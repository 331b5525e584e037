using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetMlp.Mapping;
using MlNetMlp.Transforms;

namespace MlNetMlp.Tests.Onnx;

/// <summary>
/// A pipeline element without an ONNX form makes ConvertToOnnx fail naming it. ML.NET's exporter, on its own, ends
/// its walk back at any view it cannot export and turns that view's columns (Score, PredictedLabel) into graph
/// inputs: a model file that loads and scores garbage. Every MlNetMlp transformer's output view guards against that.
/// </summary>
[TestClass]
public sealed class OnnxExportRefusalTests
{
    private sealed class Row
    {
        [VectorType(3)] public float[] Features { get; set; } = [];
    }

    /// <summary>An MlNetMlp-style transformer whose mapping has no ONNX form (as the CNN's had before it got one).</summary>
    private sealed class NotExportableTransformer : ITransformer
    {
        public bool IsRowToRowMapper => true;

        private static VectorColumnMapping Bind(DataViewSchema schema)
        {
            var column = schema["Features"];
            return new VectorColumnMapping(schema, column, "Copied", (VectorDataViewType)column.Type, DataViewSchema.Annotations.Empty,
                (source, destination) =>
                {
                    source.CopyTo(ref destination);
                    return destination;
                });
        }

        public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => new MappedSchema(Bind(inputSchema)).Output;

        public IDataView Transform(IDataView input) => new MappedDataView(input, Bind(input.Schema), nameof(NotExportableTransformer));

        public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => new MappedRowToRowMapper(Bind(inputSchema));

        void ICanSaveModel.Save(ModelSaveContext ctx) => throw new NotSupportedException();
    }

    [TestMethod]
    public void AStepWithoutAnOnnxFormMakesConvertToOnnxFailNamingIt()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 8).Select(i => new Row { Features = [i, 2 * i, 100] }));
        // An exportable step before and an ML.NET step after it: the walk must not pass through it either way.
        var pixels = ml.Transforms.NormalizePixels("Features", mode: PixelNormalizationMode.Scale).Fit(data);
        var notExportable = new NotExportableTransformer();
        var after = ml.Transforms.NormalizeMinMax("Copied").Fit(notExportable.Transform(pixels.Transform(data)));
        var model = new TransformerChain<ITransformer>(pixels, notExportable, after);

        using var stream = new MemoryStream();
        var e = Assert.ThrowsExactly<NotSupportedException>(() => ml.Model.ConvertToOnnx(model, data, stream));
        StringAssert.Contains(e.Message, nameof(NotExportableTransformer));
        StringAssert.Contains(e.Message, "ONNX");
    }
}
