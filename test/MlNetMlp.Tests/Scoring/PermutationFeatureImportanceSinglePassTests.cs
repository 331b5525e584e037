using Microsoft.ML;
using Microsoft.ML.Data;
using static MlNetMlp.Tests.Scoring.TaskModels;

namespace MlNetMlp.Tests.Scoring;

/// <summary>
/// ML.NET's PermutationFeatureImportance permutes a feature through a stateful view (LambdaTransform.CreateMap: an internal
/// StatefulFilterTransform) whose lambda runs on every row of every cursor and keeps, in its closure and so across
/// cursors, the values of the next feature to permute and their index. Our scoring view must read such a source with
/// its one cursor: a lookahead cursor per core writes those values again, out of order, and on a pool thread runs the
/// index past the buffer (IndexOutOfRangeException in a parallel test run).
/// </summary>
[TestClass]
public sealed class PermutationFeatureImportanceSinglePassTests
{
    private const int Rows = 1_000;

    /// <summary>
    /// Every feature but slot 1 is the same in every row and the label is 0, so the regression metrics depend only on the
    /// multiset of slot 1's values: a true permutation of any slot leaves them as they were, up to the order of the sum.
    /// Slot 1 is the second slot PFI permutes, the first whose values it collects while scoring (the first it reads with
    /// its own cursor); they rise with the row, so values written twice or lost change the mean squared error.
    /// </summary>
    [TestMethod]
    public void PermutingAFeatureKeepsItsValuesOverTheBlockScorer()
    {
        var ml = new MLContext(seed: 1);
        var model = (RegressionNetworkTransformer<MlpModelParameters>)Regression(Mlp(31), 0f, 1f);
        float[] fixedFeatures = Features(1, 32)[0];
        var rows = Enumerable.Range(0, Rows).Select(i =>
        {
            float[] features = (float[])fixedFeatures.Clone();
            features[1] = -3f + 6f * i / (Rows - 1);
            return new RegressionRow { Features = features, Label = 0f };
        }).ToArray();
        var data = ml.Data.LoadFromEnumerable(rows);

        double baseline = ml.Regression.Evaluate(model.Transform(data)).MeanSquaredError;
        float[] scores = [.. model.Transform(data).GetColumn<float>("Score")];
        Assert.IsGreaterThan(1e-3, scores.Max() - scores.Min(), "the score must depend on slot 1, or a wrong permutation would go unseen");

        var importance = ml.Regression.PermutationFeatureImportance(model, data, permutationCount: 2);
        Assert.HasCount(FeatureCount, importance);
        for (int slot = 0; slot < FeatureCount; slot++)
            Assert.IsLessThanOrEqualTo(1e-9 * baseline, Math.Abs(importance[slot].MeanSquaredError.Mean),
                $"slot {slot}: permuting it changed the mean squared error by {importance[slot].MeanSquaredError.Mean} (baseline {baseline})");
    }

    /// <summary>
    /// The case that failed in a parallel run, many times over: the binary transformer's PFI on 1,000 rows (several
    /// blocks, helper lanes busy) runs to the end and every slot gets a finite AUC change.
    /// </summary>
    [TestMethod]
    public void BinaryPermutationFeatureImportanceRunsRepeatedly()
    {
        var ml = new MLContext(seed: 3);
        NetworkModelParameters network = Mlp(33);
        var model = (BinaryNetworkTransformer<MlpModelParameters>)Binary(network);
        var data = ml.Data.LoadFromEnumerable(BinaryRows(network, Rows, 34));
        for (int repeat = 0; repeat < 3; repeat++)
        {
            var importance = ml.BinaryClassification.PermutationFeatureImportance(model, data, permutationCount: 1);
            Assert.HasCount(FeatureCount, importance);
            Assert.IsTrue(importance.All(f => double.IsFinite(f.AreaUnderRocCurve.Mean)), "every slot has an AUC change");
        }
    }

    public sealed class FeaturesOnly
    {
        [VectorType(FeatureCount)] public float[] Features { get; set; } = [];
    }

    public sealed class RowCount
    {
        public int Rows;
    }

    /// <summary>
    /// The root of the failure, without PFI: over ML.NET's stateful view (built as PFI builds it, LambdaTransform.CreateMap,
    /// reached by reflection since it is internal) reading every score runs the view's lambda once per row, all on the
    /// reading thread, also with an ML.NET transform in between; and the scores are the row-by-row ones.
    /// </summary>
    [TestMethod]
    public void StatefulSourceIsReadByOneCursorOnTheReadingThread()
    {
        var ml = new MLContext(seed: 4);
        NetworkModelParameters network = Mlp(35);
        var model = Regression(network, 0f, 1f);
        float[][] features = Features(Rows, 36);
        var data = ml.Data.LoadFromEnumerable(features.Select(f => new FeaturesOnly { Features = f }));
        int calls = 0, otherThreads = 0, reader = Environment.CurrentManagedThreadId;
        Action<FeaturesOnly, FeaturesOnly, RowCount> copy = (src, dst, state) =>
        {
            dst.Features = src.Features;
            state.Rows++;
            Interlocked.Increment(ref calls);
            if (Environment.CurrentManagedThreadId != reader) Interlocked.Increment(ref otherThreads);
        };
        var stateful = StatefulMap(ml, data, copy);
        Assert.AreEqual(MlNetMlp.Mapping.SinglePassSources.StatefulFilterTransformName, stateful.GetType().GetGenericTypeDefinition().FullName,
            "ML.NET's stateful view, which PFI permutes through, is the type SinglePassSources recognizes");

        float[] scores = [.. model.Transform(stateful).GetColumn<float>("Score")];
        Assert.AreEqual(Rows, calls, "the stateful view's lambda runs once per row");
        Assert.AreEqual(0, otherThreads, "and only on the thread that reads");
        CollectionAssert.AreEqual(Outputs(network, features), scores);

        // Below an ML.NET transform too: a second cursor over the transform's output would read the stateful view again.
        calls = 0;
        var between = ml.Transforms.CopyColumns("Copy", "Features").Fit(stateful).Transform(stateful);
        scores = [.. model.Transform(between).GetColumn<float>("Score")];
        Assert.AreEqual(Rows, calls, "once per row through a transform");
        Assert.AreEqual(0, otherThreads);
        CollectionAssert.AreEqual(Outputs(network, features), scores);
    }

    /// <summary>Over an ordinary source the scores are still read ahead by more cursors than the reader's (the block scorer).</summary>
    [TestMethod]
    public void OrdinarySourceIsStillReadAhead()
    {
        var ml = new MLContext(seed: 5);
        NetworkModelParameters network = Mlp(37);
        float[][] features = Features(Rows, 38);
        var data = new CursorCounting(ml.Data.LoadFromEnumerable(features.Select(f => new FeaturesOnly { Features = f })));
        float[] scores = [.. Regression(network, 0f, 1f).Transform(data).GetColumn<float>("Score")];
        Assert.IsGreaterThan(1, data.Cursors, "lookahead cursors were opened");
        CollectionAssert.AreEqual(Outputs(network, features), scores);
    }

    private static IDataView StatefulMap<TSrc, TDst, TState>(MLContext ml, IDataView source, Action<TSrc, TDst, TState> map)
        where TSrc : class, new() where TDst : class, new() where TState : class, new()
    {
        var lambdaTransform = typeof(Microsoft.ML.Transforms.CustomMappingTransformer<,>).Assembly.GetType("Microsoft.ML.Transforms.LambdaTransform", throwOnError: true)!;
        var createMap = lambdaTransform.GetMethods().Single(m => m.Name == "CreateMap").MakeGenericMethod(typeof(TSrc), typeof(TDst), typeof(TState));
        return (IDataView)createMap.Invoke(null, [ml, source, map, null, null, null])!;
    }

    /// <summary>Counts the cursors opened over its source.</summary>
    private sealed class CursorCounting(IDataView source) : IDataView
    {
        private int _cursors;

        public int Cursors => _cursors;

        public bool CanShuffle => source.CanShuffle;

        public DataViewSchema Schema => source.Schema;

        public long? GetRowCount() => source.GetRowCount();

        public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
        {
            Interlocked.Increment(ref _cursors);
            return source.GetRowCursor(columnsNeeded, rand);
        }

        public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
        {
            Interlocked.Increment(ref _cursors);
            return source.GetRowCursorSet(columnsNeeded, n, rand);
        }
    }
}
