using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetMlp.Tests.Mapping;

/// <summary>
/// <c>Transform</c> scores rows in blocks read ahead by one lookahead cursor per core (some on pool threads); whatever
/// the consumer reads, skips or stops at, every score must equal the row's own <c>PredictionEngine</c> score.
/// 1,337 rows: several 256-row blocks per lane and a short last block.
/// </summary>
[TestClass]
public sealed class BlockScoringTests
{
    private const int FeatureCount = 24;
    private const int RowCount = 1_337;

    private sealed class Row
    {
        public uint Label { get; set; }

        public float[] Features { get; set; } = [];
    }

    private sealed class Prediction
    {
        public float[] Score { get; set; } = [];
    }

    private sealed class ThrowAt
    {
        [VectorType(FeatureCount)]
        public float[] Features { get; set; } = [];
    }

    private static (MLContext ml, IDataView data, ITransformer model) Trained(int rowCount = RowCount)
    {
        var ml = new MLContext(seed: 0);
        var random = new Random(5);
        var rows = Enumerable.Range(0, rowCount).Select(i => new Row
        {
            Label = (uint)(i % 3) + 1,
            Features = Enumerable.Range(0, FeatureCount).Select(j => random.NextSingle() + (j % 3 == i % 3 ? 1f : 0f)).ToArray(),
        }).ToArray();
        var data = ml.Data.Cache(ml.Data.LoadFromEnumerable(rows, Definition<Row>()));
        var model = ml.MulticlassClassification.Trainers.Mlp(hiddenLayers: [16], epochs: 2).Fit(data);
        return (ml, data, model);
    }

    /// <summary>Reads Features and Score on the rows <paramref name="read"/> picks; checks each against PredictionEngine.</summary>
    private static int CheckScores(MLContext ml, ITransformer model, IDataView scored, Func<long, bool> read, Random? shuffle = null,
        Action<long>? afterRow = null)
    {
        var engine = ml.Model.CreatePredictionEngine<Row, Prediction>(model, inputSchemaDefinition: Definition<Row>());
        using var cursor = scored.GetRowCursor(scored.Schema, shuffle);
        var features = cursor.GetGetter<VBuffer<float>>(scored.Schema["Features"]);
        var score = cursor.GetGetter<VBuffer<float>>(scored.Schema["Score"]);
        VBuffer<float> x = default, s = default;
        int checkedRows = 0;
        while (cursor.MoveNext())
        {
            if (!read(cursor.Position)) continue;
            score(ref s);
            features(ref x);
            float[] expected = engine.Predict(new Row { Features = x.DenseValues().ToArray() }).Score;
            CollectionAssert.AreEqual(expected, s.DenseValues().ToArray(), $"row {cursor.Position}");
            checkedRows++;
            afterRow?.Invoke(cursor.Position);
        }
        return checkedRows;
    }

    /// <summary>Features as a fixed-size vector, and Label (when the type has one) as a 3-class key.</summary>
    private static SchemaDefinition Definition<T>()
    {
        var definition = SchemaDefinition.Create(typeof(T));
        definition["Features"].ColumnType = new VectorDataViewType(NumberDataViewType.Single, FeatureCount);
        if (typeof(T).GetProperty(nameof(Row.Label)) != null)
            definition[nameof(Row.Label)].ColumnType = new KeyDataViewType(typeof(uint), 3);
        return definition;
    }

    [TestMethod]
    public void EveryRowScoresAsItsOwnPrediction()
    {
        var (ml, data, model) = Trained();
        Assert.AreEqual(RowCount, CheckScores(ml, model, model.Transform(data), _ => true));
    }

    [TestMethod]
    public void SkippedRowsAndSkippedBlocksDoNotShiftTheScores()
    {
        var (ml, data, model) = Trained();
        // Every third row, then nothing over several blocks, then every row again.
        int checkedRows = CheckScores(ml, model, model.Transform(data), p => p < 300 ? p % 3 == 0 : p >= 1_100);
        Assert.AreEqual(100 + RowCount - 1_100, checkedRows);
    }

    [TestMethod]
    public void AReaderSlowerThanTheLookaheadStillGetsEveryRowInOrder()
    {
        // More blocks than the lookahead keeps (4 per core), and a reader that pauses at every block: helpers fill
        // the window, give their threads back, and are restarted as the reader frees room.
        int rowCount = 256 * (4 * Math.Clamp(Environment.ProcessorCount, 1, 16) + 5) + 17;
        var (ml, data, model) = Trained(rowCount);
        int checkedRows = CheckScores(ml, model, model.Transform(data), _ => true, afterRow: p =>
        {
            if (p % 256 == 255) Thread.Sleep(2);
        });
        Assert.AreEqual(rowCount, checkedRows);
    }

    [TestMethod]
    public void AShuffledCursorStillScoresEachRowAsItself()
    {
        var (ml, data, model) = Trained();
        Assert.AreEqual(RowCount, CheckScores(ml, model, model.Transform(data), _ => true, new Random(3)));
    }

    [TestMethod]
    public void DisposingAfterAFewRowsLeavesTheViewUsable()
    {
        var (ml, data, model) = Trained();
        var scored = model.Transform(data);
        for (int attempt = 0; attempt < 5; attempt++)
        {
            using var cursor = scored.GetRowCursor([scored.Schema["Score"]]);
            var score = cursor.GetGetter<VBuffer<float>>(scored.Schema["Score"]);
            VBuffer<float> s = default;
            for (int i = 0; i < 10 + attempt * 300 && cursor.MoveNext(); i++) score(ref s);
        }
        Assert.AreEqual(RowCount, CheckScores(ml, model, scored, _ => true));
    }

    [TestMethod]
    public void AnUpstreamErrorOnALookaheadThreadReachesTheReader()
    {
        var (ml, _, model) = Trained();
        // A custom mapping upstream that fails on row 777, far enough in to be read on a pool thread.
        var source = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 1_000).Select(i => new ThrowAt
        {
            Features = Enumerable.Range(0, FeatureCount).Select(j => i == 777 && j == 0 ? -1f : 0.5f).ToArray(),
        }), Definition<ThrowAt>());
        var throwing = ml.Transforms.CustomMapping<ThrowAt, ThrowAt>((input, output) =>
        {
            if (input.Features[0] < 0) throw new InvalidDataException("row with a negative first feature");
            output.Features = input.Features;
        }, contractName: null).Fit(source).Transform(source);
        var scored = model.Transform(throwing);
        // ML.NET may wrap it (its own parallel cursors do); the original must be in the chain, not lost on a pool thread.
        var error = Assert.Throws<Exception>(() =>
        {
            using var cursor = scored.GetRowCursor([scored.Schema["Score"]]);
            var score = cursor.GetGetter<VBuffer<float>>(scored.Schema["Score"]);
            VBuffer<float> s = default;
            while (cursor.MoveNext()) score(ref s);
        });
        Exception? cause = error;
        while (cause is not null and not InvalidDataException) cause = cause.InnerException;
        Assert.IsNotNull(cause, error.ToString());
        StringAssert.Contains(cause.Message, "negative first feature");
    }
}
