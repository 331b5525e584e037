using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetMlp.Tests.Hardening;

[TestClass]
public sealed class ConcurrencyAndCancellationTests
{
    private sealed class Row
    {
        public uint Label { get; set; }

        public float[] Features { get; set; } = [];
    }

    private sealed class Prediction
    {
        public float[] Score { get; set; } = [];

        public uint PredictedLabel { get; set; }
    }

    private const int FeatureCount = 40;

    private static Row[] Rows(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(i => new Row
        {
            Label = (uint)(i % 4) + 1,
            Features = Enumerable.Range(0, FeatureCount).Select(j => random.NextSingle() + (j % 4 == i % 4 ? 1.5f : 0)).ToArray(),
        }).ToArray();
    }

    private static SchemaDefinition Definition()
    {
        var definition = SchemaDefinition.Create(typeof(Row));
        definition[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, FeatureCount);
        definition[nameof(Row.Label)].ColumnType = new KeyDataViewType(typeof(uint), 4);
        return definition;
    }

    [TestMethod]
    [DataRow("mlp")]
    [DataRow("cnn")]
    public void ConcurrentEnginesAndTransformsMatchSequentialScoring(string kind)
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(Rows(800, 1), Definition());
        // 700 rows are several lookahead blocks for either model, each split across the cores.
        ITransformer model = kind == "mlp"
            ? new MlpTrainer(ml, new MlpTrainer.Options { HiddenLayers = [32, 16], Epochs = 3, Seed = 2 }).Fit(train)
            : new CnnTrainer(ml, new CnnTrainer.Options
            {
                ImageColumnName = "Features", ImageHeight = 5, ImageWidth = 8, PixelScale = 1, Layers = "conv4,relu,pool,flatten",
                Epochs = 2, BatchSize = 32, Seed = 2,
            }).Fit(train);
        var rows = Rows(700, 3);
        var test = ml.Data.LoadFromEnumerable(rows, Definition());
        var expected = model.Transform(test).GetColumn<float[]>("Score").ToArray();

        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        var threads = Enumerable.Range(0, 8).Select(t => new Thread(() =>
        {
            try
            {
                if (t % 2 == 0)
                {
                    var engine = ml.Model.CreatePredictionEngine<Row, Prediction>(model, inputSchemaDefinition: Definition());
                    for (int i = t; i < rows.Length; i += 3)
                        if (!engine.Predict(rows[i]).Score.SequenceEqual(expected[i])) failures.Add($"engine thread {t} row {i}");
                }
                else
                {
                    var actual = model.Transform(ml.Data.LoadFromEnumerable(rows, Definition())).GetColumn<float[]>("Score").ToArray();
                    for (int i = 0; i < rows.Length; i++)
                        if (!actual[i].SequenceEqual(expected[i])) failures.Add($"transform thread {t} row {i}");
                }
            }
            catch (Exception e)
            {
                failures.Add($"thread {t}: {e}");
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        Assert.IsEmpty(failures, string.Join("; ", failures.Take(5)));
    }

    [TestMethod]
    public void ParallelCursorSetsScoreLikeOneCursor()
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(Rows(400, 1), Definition());
        var model = new MlpTrainer(ml, new MlpTrainer.Options { HiddenLayers = [8], Epochs = 2, Seed = 2 }).Fit(train);
        var test = ml.Data.Cache(ml.Data.LoadFromEnumerable(Rows(1000, 4), Definition()));
        var scored = model.Transform(test);
        var expected = scored.GetColumn<float[]>("Score").ToArray();

        var cursors = scored.GetRowCursorSet([scored.Schema["Score"]], 3);
        var seen = 0;
        foreach (var cursor in cursors)
        {
            using (cursor)
            {
                var getter = cursor.GetGetter<VBuffer<float>>(scored.Schema["Score"]);
                var id = cursor.GetIdGetter();
                VBuffer<float> value = default;
                DataViewRowId rowId = default;
                while (cursor.MoveNext())
                {
                    getter(ref value);
                    id(ref rowId);
                    CollectionAssert.AreEqual(expected[(int)rowId.Low], value.DenseValues().ToArray());
                    seen++;
                }
            }
        }
        Assert.AreEqual(1000, seen);
    }

    [TestMethod]
    public void CancellationStopsTrainingWithinASecond()
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(Rows(20_000, 1), Definition());
        var trainer = new MlpTrainer(ml, new MlpTrainer.Options { HiddenLayers = [256, 256], Epochs = 1000, Seed = 2 });
        using var cancellation = new CancellationTokenSource();
        var canceledAt = new Stopwatch();
        trainer.EpochCompleted += (_, e) =>
        {
            if (e.Epoch == 1)
            {
                cancellation.Cancel();
                canceledAt.Start();
            }
        };
        Assert.Throws<OperationCanceledException>(() => trainer.Fit(train, null, null, cancellation.Token));
        Assert.IsTrue(canceledAt.IsRunning, "training should have completed an epoch before being canceled");
        Assert.IsLessThan(1.0, canceledAt.Elapsed.TotalSeconds, $"stopped {canceledAt.Elapsed.TotalSeconds:F2} s after cancellation");
    }
}
