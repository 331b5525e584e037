using Microsoft.ML.Model.OnnxConverter;

namespace MlNetMlp.Onnx;

/// <summary>
/// An <see cref="Mapping.IRowMapping"/> that can write its added columns as ONNX nodes, so
/// <c>mlContext.Model.ConvertToOnnx</c> exports the transformer that owns it (through
/// <see cref="Mapping.MappedDataView"/>, the view ML.NET's exporter walks back).
/// </summary>
internal interface IOnnxExportableMapping
{
    /// <summary>False when this particular binding cannot be exported (e.g. a model without an ONNX form).</summary>
    bool CanSaveOnnx { get; }

    /// <summary>
    /// Adds the nodes computing every added column from the variables of the input columns; each added
    /// column is bound to its new variable (<see cref="OnnxContext.AddIntermediateVariable"/>) after its
    /// inputs were read, so an output that replaces its input column still reads the old variable.
    /// </summary>
    void SaveAsOnnx(OnnxContext ctx);
}
