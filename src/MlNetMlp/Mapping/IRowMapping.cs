using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetMlp.Mapping;

/// <summary>
/// A per-row computation that adds columns to its input: the one thing each of MlNetMlp's
/// transformers defines. <see cref="MappedDataView"/> and <see cref="MappedRowToRowMapper"/>
/// turn it into ML.NET's lazy IDataView and IRowToRowMapper shapes.
/// </summary>
internal interface IRowMapping
{
    /// <summary>The schema the mapping was bound to (already validated).</summary>
    DataViewSchema InputSchema { get; }

    /// <summary>The columns this mapping appends; a name equal to an input column hides it.</summary>
    IReadOnlyList<DataViewSchema.DetachedColumn> AddedColumns { get; }

    /// <summary>Input columns needed to compute the added columns for which <paramref name="isAddedActive"/> is true.</summary>
    IEnumerable<DataViewSchema.Column> GetDependencies(Func<int, bool> isAddedActive);

    /// <summary>
    /// Getters (one per added column, null when inactive) reading from <paramref name="input"/>.
    /// Each call creates fresh state, so getters of different rows/cursors may run on different threads.
    /// </summary>
    Delegate?[] CreateGetters(DataViewRow input, Func<int, bool> isAddedActive);
}
