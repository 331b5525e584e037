using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Model.OnnxConverter;

namespace MlNetMlp.Scoring;

/// <summary>
/// What a task appends to a scored row, given the network's raw output layer: the columns and their annotations, the
/// values a row keeps (<see cref="FromOutputs"/>), the getters over them, and the same computation as ONNX nodes.
/// <see cref="NetworkScoringMapping{TWorkspace}"/> runs the network and the block scoring; a task only says what the
/// outputs mean (multiclass: softmax; binary: logit and sigmoid; regression: the target's scale restored).
/// </summary>
internal abstract class ScoringTask
{
    /// <summary>Units of the network's output layer this task reads.</summary>
    public abstract int OutputCount { get; }

    /// <summary>Values a scored row keeps (what the getters read).</summary>
    public abstract int ValuesPerRow { get; }

    /// <summary>Floats a row needs in a scoring buffer: room for the outputs, then for the values made of them.</summary>
    public int BufferWidth => Math.Max(OutputCount, ValuesPerRow);

    /// <summary>The added columns, in getter order.</summary>
    public abstract IReadOnlyList<DataViewSchema.DetachedColumn> Columns { get; }

    /// <summary>
    /// Turns <paramref name="rows"/> rows of outputs (rows × <see cref="OutputCount"/> at the start of
    /// <paramref name="buffer"/>) into rows × <see cref="ValuesPerRow"/> values in place; <paramref name="buffer"/> holds
    /// rows × <see cref="BufferWidth"/> floats. Row by row, so a row's values do not depend on its block.
    /// </summary>
    public abstract void FromOutputs(Span<float> buffer, int rows);

    /// <summary>The added columns' getters (null where inactive) over a function returning the current row's values.</summary>
    public abstract Delegate?[] Getters(Func<ReadOnlyMemory<float>> valuesOfCurrentRow, Func<int, bool> isAddedActive);

    /// <summary>
    /// Adds the nodes computing every added column from the network's <paramref name="outputs"/> variable ([N, OutputCount]),
    /// binding each column to its new variable, as <see cref="FromOutputs"/> and <see cref="Getters"/> compute them.
    /// </summary>
    public abstract void SaveAsOnnx(OnnxContext ctx, string outputs);

    /// <summary>The ScoreColumnKind and ScoreValueKind annotations ML.NET's evaluators and scorers look for.</summary>
    protected static DataViewSchema.Annotations.Builder AddScoreKinds(DataViewSchema.Annotations.Builder builder, string columnKind, string valueKind)
    {
        ReadOnlyMemory<char> column = columnKind.AsMemory(), value = valueKind.AsMemory();
        builder.Add(AnnotationUtils.Kinds.ScoreColumnKind, TextDataViewType.Instance, (ref ReadOnlyMemory<char> dst) => dst = column);
        builder.Add(AnnotationUtils.Kinds.ScoreValueKind, TextDataViewType.Instance, (ref ReadOnlyMemory<char> dst) => dst = value);
        return builder;
    }

    /// <summary>A getter of one value of the current row.</summary>
    protected static ValueGetter<float> ValueGetter(Func<ReadOnlyMemory<float>> valuesOfCurrentRow, int index) =>
        (ref float dst) => dst = valuesOfCurrentRow().Span[index];
}
