using Microsoft.ML;

namespace MlNetMlp.Mapping;

/// <summary>
/// A mapping that is much cheaper per row when it sees rows in blocks (the MLP: one matrix product
/// per block instead of one matrix-vector product per row). A cursor over it runs narrow "lookahead"
/// cursors over the same source that read the mapping's inputs ahead in blocks, while the main cursor
/// still serves every other column row by row. Over data that must be read once (<see cref="SinglePassSources"/>:
/// PermutationFeatureImportance's permuted view) the view opens none and maps row by row.
/// </summary>
internal interface ILookaheadRowMapping : IRowMapping
{
    /// <summary>The input columns the lookahead cursors must read.</summary>
    IEnumerable<DataViewSchema.Column> LookaheadColumns { get; }

    /// <summary>
    /// Getters for the added columns of <paramref name="input"/> whose values are computed in blocks from cursors
    /// that <paramref name="openLookahead"/> opens over the same rows in the same order (as many as the mapping
    /// wants; each may be read on another thread). Rows are matched by row id; on any mismatch the getters fall
    /// back to row-by-row mapping. <paramref name="resources"/> owns those cursors and any work still running:
    /// the caller disposes it with the main cursor.
    /// </summary>
    Delegate?[] CreateLookaheadGetters(DataViewRowCursor input, Func<DataViewRowCursor> openLookahead, Func<int, bool> isAddedActive,
        out IDisposable resources);
}
