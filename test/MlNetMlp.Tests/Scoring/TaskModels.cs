using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetMlp.Cnn;
using MlNetMlp.Numerics;

namespace MlNetMlp.Tests.Scoring;

/// <summary>
/// Binary and regression transformers over networks with random weights (built with the internal constructors, before
/// any trainer makes them), and data to score with them: 64 features, read as 8×8 images by the CNN.
/// </summary>
internal static class TaskModels
{
    public const int FeatureCount = 64;

    public sealed class BinaryRow
    {
        public bool Label { get; set; }

        [VectorType(FeatureCount)] public float[] Features { get; set; } = [];
    }

    public sealed class RegressionRow
    {
        public float Label { get; set; }

        [VectorType(FeatureCount)] public float[] Features { get; set; } = [];
    }

    public sealed class BinaryPrediction
    {
        public float Score { get; set; }

        public float Probability { get; set; }

        public bool PredictedLabel { get; set; }
    }

    public sealed class RegressionPrediction
    {
        public float Score { get; set; }
    }

    public static MlpModelParameters Mlp(int seed)
    {
        var network = new MlpNetwork([FeatureCount, 16, 8, 1], MlpActivation.Tanh, 0.01f, 1f);
        network.Initialize(MlpInitialization.Glorot, new Random(seed));
        return new MlpModelParameters(network, []);
    }

    public static CnnModelParameters Cnn(int seed)
    {
        var network = new CnnNetwork(new TensorShape(1, 8, 8), CnnLayerSpec.ParseList("conv4,bn,relu,pool,flatten"), 1, pixelScale: 1f);
        network.Initialize(new Random(seed));
        return new CnnModelParameters(network, []);
    }

    public static NetworkModelParameters Model(string network, int seed) => network switch
    {
        "mlp" => Mlp(seed),
        "cnn" => Cnn(seed),
        _ => throw new ArgumentOutOfRangeException(nameof(network), network, null),
    };

    /// <summary>A binary transformer over <paramref name="model"/>, typed by its network.</summary>
    public static ITransformer Binary(NetworkModelParameters model) => model switch
    {
        MlpModelParameters mlp => new BinaryNetworkTransformer<MlpModelParameters>(mlp, "Features"),
        CnnModelParameters cnn => new BinaryNetworkTransformer<CnnModelParameters>(cnn, "Features"),
        _ => throw new ArgumentOutOfRangeException(nameof(model)),
    };

    public static ITransformer Regression(NetworkModelParameters model, float mean, float scale) => model switch
    {
        MlpModelParameters mlp => new RegressionNetworkTransformer<MlpModelParameters>(mlp, "Features", mean, scale),
        CnnModelParameters cnn => new RegressionNetworkTransformer<CnnModelParameters>(cnn, "Features", mean, scale),
        _ => throw new ArgumentOutOfRangeException(nameof(model)),
    };

    public static float[][] Features(int rows, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, rows).Select(_ => Enumerable.Range(0, FeatureCount).Select(_ => random.NextSingle() * 2 - 1).ToArray()).ToArray();
    }

    /// <summary>The network's raw output for each row, one row at a time: what Score is made of.</summary>
    public static float[] Outputs(NetworkModelParameters model, float[][] features)
    {
        Func<float[], float> one = model switch
        {
            MlpModelParameters mlp => f => Output(mlp.ScoringNetwork, f),
            CnnModelParameters cnn => f => Output(cnn.ScoringNetwork, f),
            _ => throw new ArgumentOutOfRangeException(nameof(model)),
        };
        return features.Select(one).ToArray();
    }

    private static float Output<TWorkspace>(INetworkOutputs<TWorkspace> network, float[] features)
    {
        var output = new float[network.OutputCount];
        network.ComputeOutputs(features, 1, output, network.CreateWorkspace(1));
        return output[0];
    }

    /// <summary>
    /// Rows whose labels follow the model's own outputs, with every seventh one flipped (binary) or shifted (regression):
    /// the metrics are then neither perfect nor chance.
    /// </summary>
    public static BinaryRow[] BinaryRows(NetworkModelParameters model, int rows, int seed)
    {
        var features = Features(rows, seed);
        var outputs = Outputs(model, features);
        float median = outputs.Order().ElementAt(rows / 2);
        return features.Select((f, i) => new BinaryRow { Features = f, Label = (outputs[i] > median) ^ (i % 7 == 0) }).ToArray();
    }

    public static RegressionRow[] RegressionRows(NetworkModelParameters model, float mean, float scale, int rows, int seed)
    {
        var features = Features(rows, seed);
        var outputs = Outputs(model, features);
        return features.Select((f, i) => new RegressionRow { Features = f, Label = outputs[i] * scale + mean + (i % 7 == 0 ? scale : 0f) }).ToArray();
    }

    /// <summary>Saves and loads <paramref name="model"/> through a memory stream with ML.NET's own Save/Load.</summary>
    public static ITransformer SaveAndLoad(MLContext ml, ITransformer model, DataViewSchema schema)
    {
        using var stream = new MemoryStream();
        ml.Model.Save(model, schema, stream);
        stream.Position = 0;
        return new MLContext(seed: 2).Model.Load(stream, out _);
    }

    public static string Annotation(DataViewSchema.Column column, string kind)
    {
        ReadOnlyMemory<char> value = default;
        column.Annotations.GetValue(kind, ref value);
        return value.ToString();
    }
}

/// <summary>Runs MlNetMlp.ChildProcess (a process that only knows ML.NET) on a saved model; returns its scores file.</summary>
internal static class ChildScoring
{
    public static BinaryReader Run(string directory, string modelPath, float[][] features, string task)
    {
        string featuresPath = Path.Combine(directory, "features.bin"), scoresPath = Path.Combine(directory, "scores.bin");
        using (var writer = new BinaryWriter(File.Create(featuresPath)))
        {
            writer.Write(features.Length);
            writer.Write(features[0].Length);
            foreach (var row in features) foreach (var v in row) writer.Write(v);
        }
        var child = Path.Combine(AppContext.BaseDirectory, "MlNetMlp.ChildProcess.dll");
        var start = new System.Diagnostics.ProcessStartInfo("dotnet", [child, modelPath, featuresPath, scoresPath, task])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = System.Diagnostics.Process.Start(start)!;
        string stdout = process.StandardOutput.ReadToEnd(), stderr = process.StandardError.ReadToEnd();
        Assert.IsTrue(process.WaitForExit(120_000), "child process timed out");
        Assert.AreEqual(0, process.ExitCode, $"child failed: {stdout} {stderr}");
        return new BinaryReader(new MemoryStream(File.ReadAllBytes(scoresPath)));
    }
}
