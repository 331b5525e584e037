using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace MlNetMlp.Tests.Onnx;

/// <summary>Exports a fitted pipeline with ML.NET's ConvertToOnnx and scores it with ONNX Runtime, feeding every graph input from an IDataView.</summary>
internal static class OnnxRuntimeScoring
{
    public static byte[] Export(MLContext ml, ITransformer model, IDataView data)
    {
        using var stream = new MemoryStream();
        ml.Model.ConvertToOnnx(model, data, stream);
        return stream.ToArray();
    }

    /// <summary>Score ([rows × classes]) and PredictedLabel keys of <paramref name="rows"/> rows starting at <paramref name="first"/>, scored as one batch.</summary>
    public static (float[][] Scores, uint[] Keys) Score(InferenceSession session, IDataView data, int first, int rows)
    {
        var inputs = new List<NamedOnnxValue>();
        foreach (var (name, metadata) in session.InputMetadata)
        {
            var column = data.Schema[name];
            int[] dims = metadata.Dimensions.Select(d => d < 0 ? rows : d).ToArray();
            dims[0] = rows;
            if (metadata.ElementType == typeof(float))
            {
                var values = column.Type is VectorDataViewType
                    ? data.GetColumn<float[]>(name).Skip(first).Take(rows).SelectMany(v => v).ToArray()
                    : data.GetColumn<float>(name).Skip(first).Take(rows).ToArray();
                inputs.Add(NamedOnnxValue.CreateFromTensor(name, new DenseTensor<float>(values, dims)));
            }
            else if (metadata.ElementType == typeof(uint))
            {
                var values = data.GetColumn<uint>(name).Skip(first).Take(rows).ToArray();
                inputs.Add(NamedOnnxValue.CreateFromTensor(name, new DenseTensor<uint>(values, dims)));
            }
            else
            {
                throw new AssertFailedException($"Unexpected ONNX input {name} of {metadata.ElementType}.");
            }
        }
        using var results = session.Run(inputs);
        var score = results.Single(r => r.Name == "Score.output").AsTensor<float>();
        var keys = results.Single(r => r.Name == "PredictedLabel.output").AsTensor<uint>();
        Assert.AreEqual(rows, score.Dimensions[0]);
        int classes = score.Dimensions[1];
        var scores = Enumerable.Range(0, rows).Select(r => Enumerable.Range(0, classes).Select(c => score[r, c]).ToArray()).ToArray();
        return (scores, keys.ToArray());
    }

    /// <summary>
    /// Exports <paramref name="model"/>, scores <paramref name="data"/> with ONNX Runtime as one batch and row by row for the first
    /// <paramref name="singleRows"/>, and checks Score within <paramref name="tolerance"/> and PredictedLabel exactly against ML.NET.
    /// Returns the largest absolute Score difference.
    /// </summary>
    public static double AssertMatchesMlNet(MLContext ml, ITransformer model, IDataView data, double tolerance, int singleRows = 3)
    {
        byte[] onnx = Export(ml, model, data);
        using var session = new InferenceSession(onnx);
        Assert.IsFalse(session.InputMetadata.ContainsKey("Score"), "Score must be computed by the graph, not be an input.");
        Assert.IsFalse(session.InputMetadata.ContainsKey("PredictedLabel"), "PredictedLabel must be computed by the graph, not be an input.");
        Assert.AreEqual(typeof(uint), session.OutputMetadata["PredictedLabel.output"].ElementType, "PredictedLabel is a key: UInt32");

        var scored = model.Transform(data);
        float[][] expectedScores = scored.GetColumn<float[]>("Score").ToArray();
        uint[] expectedKeys = scored.GetColumn<uint>("PredictedLabel").ToArray();
        int rows = expectedScores.Length;

        var (scores, keys) = Score(session, data, 0, rows);
        double maxDifference = Compare(expectedScores, expectedKeys, scores, keys, 0, tolerance);
        for (int r = 0; r < Math.Min(singleRows, rows); r++)
        {
            var (one, oneKey) = Score(session, data, r, 1);
            maxDifference = Math.Max(maxDifference, Compare(expectedScores, expectedKeys, one, oneKey, r, tolerance));
        }
        return maxDifference;
    }

    private static double Compare(float[][] expectedScores, uint[] expectedKeys, float[][] scores, uint[] keys, int first, double tolerance)
    {
        double max = 0;
        for (int r = 0; r < scores.Length; r++)
        {
            float[] expected = expectedScores[first + r];
            Assert.HasCount(expected.Length, scores[r]);
            for (int c = 0; c < expected.Length; c++)
                max = Math.Max(max, Math.Abs(expected[c] - scores[r][c]));
            Assert.AreEqual(expectedKeys[first + r], keys[r], $"PredictedLabel of row {first + r}");
        }
        Assert.IsLessThanOrEqualTo(tolerance, max, $"largest |Score difference| {max:G3}");
        return max;
    }
}
