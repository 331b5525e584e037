using System.Diagnostics;
using MlNetMlp.Cnn;
using MlNetMlp.Numerics;
using MlNetMlp.Tasks;
using MlNetMlp.Training;

namespace MlNetMlp.Cli;

/// <summary>What <see cref="CnnBenchmark.RunEpochs"/> measured.</summary>
/// <param name="EpochSeconds">Wall time of each training epoch (shuffle + all mini-batch steps; no evaluation).</param>
/// <param name="EpochLosses">Mean training cross-entropy of each epoch (a sanity check that it learned).</param>
/// <param name="Rows">Training rows per epoch.</param>
/// <param name="Threads">Worker threads.</param>
/// <param name="BatchSize">Rows per mini-batch.</param>
/// <param name="Layers">The hidden layers, in <see cref="CnnLayerSpec"/>'s text form.</param>
/// <param name="ParameterCount">Trainable parameters of the network.</param>
/// <param name="DataSource">"fashion-mnist" (the real training images) or "synthetic" (random 28×28 images, when the dataset is not found).</param>
internal sealed record CnnBenchmarkResult(
    IReadOnlyList<double> EpochSeconds,
    IReadOnlyList<double> EpochLosses,
    int Rows,
    int Threads,
    int BatchSize,
    string Layers,
    long ParameterCount,
    string DataSource)
{
    /// <summary>Median of <see cref="EpochSeconds"/> (the bench's <c>epoch_seconds_median</c>).</summary>
    public double MedianEpochSeconds => Statistics.Median(EpochSeconds);

    /// <summary>Training throughput at the median epoch time.</summary>
    public double RowsPerSecond => Rows / MedianEpochSeconds;
}

/// <summary>
/// Times training epochs of a CNN (by default <see cref="CnnTrainer.DefaultLayers"/>, Adam lr 1e-3, batch 128 — the
/// PyTorch peer's setup) on Fashion-MNIST-shaped data, without ML.NET overhead and without evaluation in the timed part.
/// Part of the CLI, not the library: only <c>mlnetmlp bench cnn</c> uses it.
/// </summary>
internal static class CnnBenchmark
{
    /// <summary>Trains <paramref name="epochs"/> epochs and returns the time of each.</summary>
    /// <param name="epochs">Epochs to time (at least 1).</param>
    /// <param name="rows">Training rows per epoch (at most 60,000 from Fashion-MNIST; any number when synthetic).</param>
    /// <param name="threads">Worker threads.</param>
    /// <param name="batchSize">Rows per mini-batch.</param>
    /// <param name="layers">Hidden layers in text form; null = <see cref="CnnTrainer.DefaultLayers"/>.</param>
    /// <param name="dataDirectory">Where the Fashion-MNIST files are (null = the usual search, no download).</param>
    /// <param name="synthetic">Use random images even when Fashion-MNIST is available.</param>
    /// <param name="seed">Initialization, shuffling and dropout seed.</param>
    /// <param name="epochCompleted">Called after each epoch with its 1-based number and seconds.</param>
    /// <param name="cancellationToken">Checked before every mini-batch.</param>
    public static CnnBenchmarkResult RunEpochs(int epochs = 1, int rows = 60_000, int threads = 2, int batchSize = 128, string? layers = null,
        string? dataDirectory = null, bool synthetic = false, int seed = 0, Action<int, double>? epochCompleted = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(epochs, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        layers ??= CnnTrainer.DefaultLayers;
        var specs = CnnLayerSpec.ParseList(layers);

        (TrainingSet data, string source) = LoadData(rows, dataDirectory, synthetic, seed);
        var network = new CnnNetwork(new TensorShape(1, FashionMnist.ImageHeight, FashionMnist.ImageWidth), specs, 10, 1f / 255);
        network.Initialize(new Random(seed));
        int batch = Math.Min(batchSize, data.Rows);
        using var engine = new CnnEngine(network, threads, batch, new MulticlassHead(network.ClassCount), new CnnTrainer.Options());
        int[] order = Enumerable.Range(0, data.Rows).ToArray();
        var shuffle = new Random(RandomStreams.SubSeed(seed, RandomStreams.ShuffleStream));
        int dropoutSeed = RandomStreams.SubSeed(seed, RandomStreams.DropoutStream);
        var seconds = new List<double>();
        var losses = new List<double>();
        for (int e = 0; e < epochs; e++)
        {
            var stopwatch = Stopwatch.StartNew();
            RandomStreams.Shuffle(order, shuffle);
            double loss = 0;
            int batches = 0;
            for (int start = 0; start < order.Length; start += batch, batches++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                loss += engine.Step(data, order, start, Math.Min(batch, order.Length - start), 1e-3f, dropoutSeed, ((long)e << 32) | (uint)batches);
            }
            seconds.Add(stopwatch.Elapsed.TotalSeconds);
            losses.Add(loss / batches);
            epochCompleted?.Invoke(e + 1, seconds[^1]);
        }
        return new CnnBenchmarkResult(seconds, losses, data.Rows, engine.Workers, batch, CnnLayerSpec.Format(specs), network.Parameters.Length, source);
    }

    private static (TrainingSet, string) LoadData(int rows, string? dataDirectory, bool synthetic, int seed)
    {
        const int pixels = FashionMnist.ImageHeight * FashionMnist.ImageWidth;
        if (!synthetic)
        {
            try
            {
                var images = FashionMnist.LoadArrays(FashionMnistSplit.Train, dataDirectory, rows, new FashionMnistOptions { AllowDownload = false });
                var features = new float[images.Count * pixels];
                for (int i = 0; i < features.Length; i++) features[i] = images.Pixels[i];
                return (new TrainingSet(features, images.Labels.Select(l => (int)l).ToArray(), pixels), "fashion-mnist");
            }
            catch (FashionMnistNotFoundException)
            {
            }
        }
        var random = new Random(seed);
        var values = new float[(long)rows * pixels > int.MaxValue ? throw new ArgumentOutOfRangeException(nameof(rows)) : rows * pixels];
        for (int i = 0; i < values.Length; i++) values[i] = random.Next(256);
        var labels = new int[rows];
        for (int i = 0; i < rows; i++) labels[i] = random.Next(10);
        return (new TrainingSet(values, labels, pixels), "synthetic");
    }
}
