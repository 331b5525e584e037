using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Model.OnnxConverter;
using MlNetMlp.Onnx;

namespace MlNetMlp.Mapping;

/// <summary>
/// The lazy result of applying an <see cref="IRowMapping"/> to an IDataView. It is also ML.NET's
/// <see cref="ITransformCanSaveOnnx"/>: <c>mlContext.Model.ConvertToOnnx</c> walks back from the pipeline's output
/// through such views (<see cref="Source"/>) and asks each to write its ONNX nodes. A view that were not one would end
/// that walk silently and become a graph input (its Score column an input, not a computation); so every MlNetMlp view
/// is one, and a mapping without an ONNX form makes the export fail with an error naming its transformer.
/// </summary>
internal sealed class MappedDataView : ITransformCanSaveOnnx
{
    private readonly IDataView _source;
    private readonly MappedSchema _schema;
    private readonly string _transformerName;
    // A lookahead cursor re-reads the source: not over data that must be read once (SinglePassSources).
    private readonly bool _mayReadAhead;

    /// <param name="source">The input data.</param>
    /// <param name="mapping">The per-row computation.</param>
    /// <param name="transformerName">The transformer that made this view, named in ONNX export errors.</param>
    public MappedDataView(IDataView source, IRowMapping mapping, string transformerName)
    {
        _source = source;
        _schema = new MappedSchema(mapping);
        _transformerName = transformerName;
        _mayReadAhead = mapping is ILookaheadRowMapping && !SinglePassSources.Contains(source);
    }

    /// <summary>The view this one maps (ML.NET's exporters walk back through it).</summary>
    public IDataView Source => _source;

    /// <summary>
    /// True when the mapping can be exported; otherwise throws: ML.NET's exporter only logs a warning for a
    /// false answer and then fails on an unnamed missing column, or not at all when the columns are dropped.
    /// </summary>
    bool ICanSaveOnnx.CanSaveOnnx(OnnxContext ctx)
    {
        if (_schema.Mapping is IOnnxExportableMapping { CanSaveOnnx: true }) return true;
        throw new NotSupportedException($"ONNX export: {_transformerName} cannot be exported to ONNX yet; " +
            "export the pipeline without it, or use the MlNetMlp model file (mlContext.Model.Save).");
    }

    void ISaveAsOnnx.SaveAsOnnx(OnnxContext ctx) => ((IOnnxExportableMapping)_schema.Mapping).SaveAsOnnx(ctx);

    /// <summary>Views are not saved; the transformer is (mlContext.Model.Save).</summary>
    void ICanSaveModel.Save(ModelSaveContext ctx) =>
        throw new NotSupportedException($"The output of {_transformerName} is not saved by itself; save the transformer with mlContext.Model.Save.");

    public bool CanShuffle => _source.CanShuffle;

    public DataViewSchema Schema => _schema.Output;

    public long? GetRowCount() => _source.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var (inputActive, addedActive) = _schema.Resolve(columnsNeeded);
        if (_mayReadAhead && _schema.Mapping is ILookaheadRowMapping lookahead && addedActive.Any(a => a))
        {
            // Every cursor must visit the same rows in the same order: give them equal seeds.
            int? seed = rand?.Next();
            var input = _source.GetRowCursor(_schema.InputColumns(inputActive), seed is int s1 ? new Random(s1) : null);
            var lookaheadColumns = lookahead.LookaheadColumns.ToArray();
            DataViewRowCursor OpenLookahead() => _source.GetRowCursor(lookaheadColumns, seed is int s2 ? new Random(s2) : null);
            var getters = lookahead.CreateLookaheadGetters(input, OpenLookahead, i => addedActive[i], out IDisposable resources);
            return new MappedCursor(_schema, input, getters, resources);
        }
        return new MappedCursor(_schema, _source.GetRowCursor(_schema.InputColumns(inputActive), rand), addedActive);
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
    {
        var (inputActive, addedActive) = _schema.Resolve(columnsNeeded);
        var inputs = _source.GetRowCursorSet(_schema.InputColumns(inputActive), n, rand);
        return inputs.Select(input => (DataViewRowCursor)new MappedCursor(_schema, input, addedActive)).ToArray();
    }
}
