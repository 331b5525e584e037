using Microsoft.ML;

namespace MlNetMlp.Mapping;

/// <summary>
/// A mapping that is much cheaper per row when it sees rows in blocks (the MLP: one matrix product
/// per block instead of one matrix-vector product per row). A cursor over it runs a second,
/// narrow "lookahead" cursor over the same source that reads the mapping's inputs ahead in blocks,
/// while the main cursor still serves every other column row by row.
/// </summary>
internal interface ILookaheadRowMapping : IRowMapping
{
    /// <summary>The input columns the lookahead cursor must read.</summary>
    IEnumerable<DataViewSchema.Column> LookaheadColumns { get; }

    /// <summary>
    /// Getters for the added columns of <paramref name="input"/> whose values are computed in blocks
    /// from <paramref name="lookahead"/>, a cursor over the same rows in the same order. Rows are
    /// matched by row id; on any mismatch the getters fall back to row-by-row mapping.
    /// </summary>
    Delegate?[] CreateLookaheadGetters(DataViewRowCursor input, DataViewRowCursor lookahead, Func<int, bool> isAddedActive);
}
