using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetMlp.Mapping;

/// <summary>
/// Recognizes data that must be read by its consumer's one cursor, so that a view over it opens no lookahead cursors.
/// IDataView lets a consumer open any number of cursors, but ML.NET's StatefulFilterTransform (LambdaTransform.CreateMap
/// and CreateFilter: PermutationFeatureImportance's permuted view, the time-series transforms) runs its lambda eagerly
/// on every row of every cursor, promising it "once per row, in sequence"; and PermutationFeatureImportance's lambda keeps
/// state across cursors in its closure (the next feature's values and their index), so a second cursor writes them again
/// out of order and, on another thread, runs the index past the array. IDataView has no flag for this and the type is
/// internal, so it is recognized by name, here and only here; the walk goes up every view that names its source, since a
/// second cursor over a view over it runs the lambda as well (a cache in between ends the walk: it reads once).
/// </summary>
internal static class SinglePassSources
{
    /// <summary>ML.NET's stateful lambda view; a contract test checks that LambdaTransform.CreateMap still makes one.</summary>
    internal const string StatefulFilterTransformName = "Microsoft.ML.Transforms.StatefulFilterTransform`3";

    /// <summary>Whether <paramref name="data"/>, or any view it is computed from, must be read by one cursor.</summary>
    public static bool Contains(IDataView data)
    {
        IDataView? view = data;
        // Views do not form cycles; the bound only keeps a broken one from hanging scoring.
        for (int depth = 0; view != null && depth < 10_000; depth++)
        {
            if (IsSinglePass(view.GetType())) return true;
            view = view switch
            {
                MappedDataView mapped => mapped.Source,
                IDataTransform transform => transform.Source,
                _ => null,
            };
        }
        return false;
    }

    private static bool IsSinglePass(Type type) =>
        type.IsGenericType && type.GetGenericTypeDefinition().FullName == StatefulFilterTransformName;
}
