using System.Reflection;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;

namespace MlNetMlp.Cli;

/// <summary>
/// A model converted to ONNX with ML.NET's exporter and checked by loading it in ONNX Runtime before anything is
/// written. A step without an ONNX form is named (ML.NET's own error names a missing column or says only that the
/// pipeline "can not be fully converted"). As a guard, the graph must take only columns of the model's input: an
/// exporter that stopped its walk back early would make a computed column (Features) a graph input, a file that
/// scores whatever is fed there; ML.NET 5.0 refuses every such pipeline we could build, so the guard is not reached
/// by the tests.
/// </summary>
internal static class OnnxExport
{
    /// <summary>A graph input or output: name, element type and shape (N for the batch dimension).</summary>
    public sealed record TensorInfo(string Name, string ElementType, int[] Shape)
    {
        public override string ToString() => $"{Name} {ElementType}[{string.Join(",", Shape.Select(d => d < 0 ? "N" : d.ToString(System.Globalization.CultureInfo.InvariantCulture)))}]";
    }

    public sealed record Graph(byte[] Bytes, IReadOnlyList<TensorInfo> Inputs, IReadOnlyList<TensorInfo> Outputs);

    /// <summary>
    /// Converts <paramref name="model"/> to ONNX for rows of <paramref name="inputSchema"/>, as graph inputs only the
    /// columns the model needs (a Label the scorer never reads is left out). <paramref name="what"/> names the model in errors.
    /// </summary>
    /// <exception cref="NotSupportedException">A step has no ONNX form (named when the model is a chain of steps), or the graph would take a column the model computes.</exception>
    public static Graph Convert(MLContext mlContext, ITransformer model, DataViewSchema inputSchema, string what)
    {
        try
        {
            return ConvertChecked(mlContext, model, inputSchema);
        }
        catch (NotSupportedException e)
        {
            throw new NotSupportedException($"{what} cannot be exported to ONNX: {FirstStepWithoutOnnxForm(mlContext, model, inputSchema) ?? e.Message}", e);
        }
    }

    /// <summary>
    /// ML.NET's exporter often fails far from the step that has no ONNX form (a missing column, "The given key was not
    /// present"): the first prefix of the chain that does not export names it.
    /// </summary>
    private static string? FirstStepWithoutOnnxForm(MLContext mlContext, ITransformer model, DataViewSchema inputSchema)
    {
        if (model is not IEnumerable<ITransformer> chain) return null;
        var steps = chain.ToArray();
        for (int i = 1; i <= steps.Length; i++)
        {
            try
            {
                ConvertChecked(mlContext, new TransformerChain<ITransformer>(steps[..i]), inputSchema);
            }
            catch (NotSupportedException)
            {
                string name = steps[i - 1].GetType().Name;
                return $"step {i} of {steps.Length} ({name[..(name.IndexOf('`') is int tick and >= 0 ? tick : name.Length)]}) has no ONNX form.";
            }
        }
        return null;
    }

    private static Graph ConvertChecked(MLContext mlContext, ITransformer model, DataViewSchema inputSchema)
    {
        var schema = ColumnsTheModelReads(model, inputSchema);
        byte[] bytes;
        try
        {
            using var stream = new MemoryStream();
            mlContext.Model.ConvertToOnnx(model, new SchemaOnlyDataView(schema), stream);
            bytes = stream.ToArray();
        }
        catch (Exception e) when (e is not (OutOfMemoryException or OperationCanceledException))
        {
            throw new NotSupportedException(Reason(e), e);
        }

        IReadOnlyList<TensorInfo> inputs, outputs;
        try
        {
            using var session = new InferenceSession(bytes);
            inputs = Describe(session.InputMetadata);
            outputs = Describe(session.OutputMetadata);
        }
        catch (OnnxRuntimeException e)
        {
            throw new NotSupportedException($"ONNX Runtime refuses the converted graph ({e.Message.Trim()}).", e);
        }
        foreach (var input in inputs)
        {
            if (schema.GetColumnOrNull(input.Name) is not { } column)
                throw new NotSupportedException($"the graph would take column '{input.Name}' as an input, but the model computes it.");
            long size = input.Shape.Skip(1).Aggregate(1L, (product, d) => product * d);
            long expected = column.Type is VectorDataViewType vector ? vector.Size : 1;
            if (size != expected)
                throw new NotSupportedException($"the graph's input {input} does not hold the model's input column '{column.Name}' ({column.Type}).");
        }
        return new Graph(bytes, inputs, outputs);
    }

    /// <summary>
    /// The input columns without those the model does not need to score (each left out in turn while the model still
    /// produces every other column it did): ML.NET's exporter makes every column of the view a graph input.
    /// </summary>
    private static DataViewSchema ColumnsTheModelReads(ITransformer model, DataViewSchema inputSchema)
    {
        var kept = inputSchema.Where(c => !c.IsHidden).ToList();
        foreach (var column in kept.ToArray())
        {
            var without = kept.Where(c => c.Name != column.Name).ToList();
            if (without.Count == 0) break;
            var expected = Visible(model.GetOutputSchema(Build(kept))).Where(name => name != column.Name);
            try
            {
                if (expected.All(Visible(model.GetOutputSchema(Build(without))).Contains)) kept = without;
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException)
            {
                // The model reads this column.
            }
        }
        return Build(kept);
    }

    private static HashSet<string> Visible(DataViewSchema schema) => schema.Where(c => !c.IsHidden).Select(c => c.Name).ToHashSet();

    private static DataViewSchema Build(IEnumerable<DataViewSchema.Column> columns)
    {
        var builder = new DataViewSchema.Builder();
        foreach (var column in columns) builder.AddColumn(column.Name, column.Type, column.Annotations);
        return builder.ToSchema();
    }

    private static List<TensorInfo> Describe(IReadOnlyDictionary<string, NodeMetadata> metadata) =>
        metadata.Select(m => new TensorInfo(m.Key, ElementType(m.Value.ElementType), m.Value.Dimensions)).ToList();

    private static string ElementType(Type type) =>
        type == typeof(float) ? "float" : type == typeof(uint) ? "uint32" : type == typeof(long) ? "int64" : type.Name.ToLowerInvariant();

    private static string Reason(Exception e)
    {
        while (e is TargetInvocationException or TypeInitializationException && e.InnerException != null) e = e.InnerException!;
        const string prefix = "ONNX export: ";
        return e.Message.StartsWith(prefix, StringComparison.Ordinal) ? e.Message[prefix.Length..] : e.Message;
    }
}
