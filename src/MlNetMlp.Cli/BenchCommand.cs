using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.ML.Data;
using MlNetMlp.Numerics;

namespace MlNetMlp.Cli;

/// <summary>
/// <c>mlnetmlp bench mlp|optimizers|score|cnn</c>: training and scoring speed, each optionally next to the
/// PyTorch peer measured in the same run (bench/torch_*.py with Debian's python3-torch).
/// </summary>
internal static class BenchCommand
{
    private const int Rows = 60_000, Inputs = 784, Classes = 10;
    private static readonly int[] Hidden = [128, 128];

    public static Command Create()
    {
        var bench = new Command("bench", "Measure training and scoring speed on the reference workload (784-128-128-10 LeakyReLU).");
        bench.Add(CreateMlp());
        bench.Add(CreateOptimizers());
        bench.Add(CreateScore());
        bench.Add(CreateCnn());
        return bench;
    }

    private static Command CreateMlp()
    {
        var epochs = new Option<int>("--epochs") { Description = "Timed epochs (after one warm-up epoch).", DefaultValueFactory = _ => 5 };
        var optimizer = new Option<Optimizer>("--optimizer") { Description = "Update rule to time.", DefaultValueFactory = _ => Optimizer.Sgd };
        var threads = new Option<int?>("--threads") { Description = "Kernel threads (default: all cores)." }.AtLeast(1);
        var torch = new Option<bool>("--compare-torch") { Description = "Also time the PyTorch peer in this run and print the ratio." };
        var json = SharedOptions.Json();
        var command = new Command("mlp", "Training epoch time: 60,000 × 784 → 128 → 128 → 10, batch 200, fp32.") { epochs, optimizer, threads, torch, json };
        command.SetAction((parse, cancellationToken) =>
        {
            int timed = parse.GetValue(epochs);
            if (timed < 1) throw new ArgumentOutOfRangeException("--epochs", timed, "--epochs must be at least 1.");
            var result = TrainingEpochs(timed, parse.GetValue(optimizer), parse.GetValue(threads), cancellationToken);
            double peak = FmaPeak.Measure(parse.GetValue(threads) ?? Environment.ProcessorCount);
            result["fma_peak_gflops"] = peak;
            result["share_of_peak"] = (double)result["gflops"]! / peak;
            if (parse.GetValue(torch))
            {
                // PyTorch at its best thread setting on this machine: each count from 1 to the cores, the fastest kept
                // (with OpenMP and OpenBLAS threads on the same 2 cores, 1 thread can win).
                JsonElement? best = null;
                for (int torchThreads = 1; torchThreads <= Environment.ProcessorCount; torchThreads++)
                {
                    var peer = RunPeer("torch_mlp_epoch.py", $"{torchThreads} {timed} {parse.GetValue(optimizer).ToString().ToLowerInvariant()}");
                    if (peer == null) break;
                    Terminal.Line(FormattableString.Invariant($"torch {torchThreads} thread(s): {peer.Value.GetProperty("epoch_seconds_median").GetDouble():F3} s"));
                    if (best == null || peer.Value.GetProperty("epoch_seconds_median").GetDouble() < best.Value.GetProperty("epoch_seconds_median").GetDouble())
                        best = peer;
                }
                if (best != null)
                {
                    double torchMedian = best.Value.GetProperty("epoch_seconds_median").GetDouble();
                    result["torch_epoch_seconds_median"] = torchMedian;
                    AddPeerThreads(result, best.Value);
                    result["torch_version"] = best.Value.GetProperty("version").GetString();
                    result["ratio_to_torch"] = (double)result["epoch_seconds_median"]! / torchMedian;
                }
            }
            foreach (var (key, value) in result) Terminal.Line($"{key,-28} {Format(value)}");
            if (parse.GetValue(json)) Terminal.JsonLine(result);
            return Task.FromResult(0);
        });
        return command;
    }

    private static Command CreateOptimizers()
    {
        var epochs = new Option<int>("--epochs") { Description = "Timed epochs per run (after one warm-up epoch).", DefaultValueFactory = _ => 3 };
        var rounds = new Option<int>("--rounds") { Description = "Rounds; each round runs SGD, momentum and Adam once, so a machine that speeds up or slows down affects all three alike.", DefaultValueFactory = _ => 3 };
        var rows = new Option<int>("--rows") { Description = "Training rows per epoch.", DefaultValueFactory = _ => Rows };
        var threads = new Option<int?>("--threads") { Description = "Kernel threads (default: all cores)." }.AtLeast(1);
        var json = SharedOptions.Json();
        var command = new Command("optimizers", "Extra cost of momentum and Adam steps over SGD on the reference workload, measured side by side.") { epochs, rounds, rows, threads, json };
        command.SetAction((parse, cancellationToken) =>
        {
            int timed = parse.GetValue(epochs), roundCount = parse.GetValue(rounds), rowCount = parse.GetValue(rows);
            if (timed < 1) throw new ArgumentOutOfRangeException("--epochs", timed, "--epochs must be at least 1.");
            if (roundCount < 1) throw new ArgumentOutOfRangeException("--rounds", roundCount, "--rounds must be at least 1.");
            if (rowCount < 200) throw new ArgumentOutOfRangeException("--rows", rowCount, "--rows must be at least one batch (200).");
            Optimizer[] rules = [Optimizer.Sgd, Optimizer.Momentum, Optimizer.Adam];
            var epochSeconds = rules.ToDictionary(rule => rule, _ => new List<double>());
            for (int round = 1; round <= roundCount; round++)
                foreach (Optimizer rule in rules)
                {
                    Terminal.Line($"round {round}/{roundCount}: {rule}");
                    TrainingEpochs(timed, rule, parse.GetValue(threads), cancellationToken, rowCount, epochSeconds[rule]);
                }
            var result = new Dictionary<string, object?>
            {
                ["workload"] = $"{rowCount}x784-128-128-10 LeakyReLU batch 200 fp32",
                ["rounds"] = roundCount,
                ["epochs_per_run"] = timed,
            };
            double sgd = Statistics.Median(epochSeconds[Optimizer.Sgd]);
            foreach (Optimizer rule in rules)
            {
                string name = rule.ToString().ToLowerInvariant();
                double median = Statistics.Median(epochSeconds[rule]);
                result[$"{name}_epoch_seconds_median"] = median;
                if (rule != Optimizer.Sgd) result[$"{name}_extra_vs_sgd"] = median / sgd - 1;
            }
            foreach (var (key, value) in result) Terminal.Line($"{key,-28} {Format(value)}");
            if (parse.GetValue(json)) Terminal.JsonLine(result);
            return Task.FromResult(0);
        });
        return command;
    }

    /// <summary>Trains the reference network on random data; the timed epochs' seconds also go to <paramref name="epochTimes"/> when given.</summary>
    private static Dictionary<string, object?> TrainingEpochs(int timedEpochs, Optimizer optimizer, int? threads, CancellationToken cancellationToken,
        int rows = Rows, List<double>? epochTimes = null)
    {
        var mlContext = new MLContext(seed: 0);
        var data = RandomData(mlContext, rows, seed: 0);
        var options = new MlpTrainer.Options
        {
            HiddenLayers = Hidden,
            Activation = MlpActivation.LeakyRelu,
            BatchSize = 200,
            Epochs = timedEpochs + 1,
            Optimizer = optimizer,
            LearningRate = optimizer == Optimizer.Adam ? 1e-3f : 0.1f,
            // The timed loop must contain no evaluation: monitor a single row.
            MonitoringSubsetSize = 1,
            Seed = 0,
            NumberOfThreads = threads,
        };
        var trainer = new MlpTrainer(mlContext, options);
        var epochSeconds = new List<double>();
        int gen0 = 0, gen1 = 0, gen2 = 0;
        trainer.EpochCompleted += (_, e) =>
        {
            if (e.Epoch == 1)
            {
                // Warm-up done: count collections from here on.
                gen0 = GC.CollectionCount(0); gen1 = GC.CollectionCount(1); gen2 = GC.CollectionCount(2);
                return;
            }
            epochSeconds.Add(e.Elapsed.TotalSeconds);
            Terminal.Line(FormattableString.Invariant($"epoch {e.Epoch - 1}/{timedEpochs}: {e.Elapsed.TotalSeconds:F3} s"));
        };
        trainer.Fit(data, null, null, cancellationToken);
        int collections = GC.CollectionCount(0) - gen0 + GC.CollectionCount(1) - gen1 + GC.CollectionCount(2) - gen2;
        epochTimes?.AddRange(epochSeconds);

        epochSeconds.Sort();
        double median = Statistics.Median(epochSeconds);
        long macsPerRow = Inputs * 128 + 128 * 128 + 128 * Classes;
        // forward 2·MAC, weight gradients 2·MAC, input gradients 2·MAC except for the first layer.
        double gflop = (6.0 * macsPerRow - 2.0 * Inputs * 128) * rows / 1e9;
        return new Dictionary<string, object?>
        {
            ["workload"] = $"{rows}x784-128-128-10 LeakyReLU batch 200 fp32",
            ["optimizer"] = optimizer.ToString(),
            ["threads"] = threads ?? Environment.ProcessorCount,
            ["epoch_seconds_median"] = median,
            ["epoch_seconds_min"] = epochSeconds[0],
            ["epoch_seconds_max"] = epochSeconds[^1],
            ["gflop_per_epoch"] = gflop,
            ["gflops"] = gflop / median,
            ["gc_collections"] = collections,
            ["peak_working_set_mb"] = Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024.0),
        };
    }

    private static Command CreateCnn()
    {
        var epochs = new Option<int>("--epochs") { Description = "Timed epochs (after a 20-batch warm-up).", DefaultValueFactory = _ => 2 };
        var rows = new Option<int>("--rows") { Description = "Training rows per epoch (Fashion-MNIST's first N).", DefaultValueFactory = _ => 60_000 };
        var batch = new Option<int>("--batch-size") { Description = "Rows per mini-batch.", DefaultValueFactory = _ => 128 };
        var layers = new Option<string>("--layers") { Description = "Hidden layers in CnnLayerSpec form.", DefaultValueFactory = _ => CnnTrainer.DefaultLayers };
        var threads = new Option<int?>("--threads") { Description = "Worker threads (default: all cores)." }.AtLeast(1);
        var torch = new Option<bool>("--compare-torch") { Description = "Also time the same network in PyTorch (bench/torch_cnn_epoch.py) in this run and print the ratio." };
        var data = SharedOptions.Data();
        var json = SharedOptions.Json();
        var command = new Command("cnn", "CNN training epoch time (default architecture, Adam, batch 128) on Fashion-MNIST.") { epochs, rows, batch, layers, threads, torch, data, json };
        command.SetAction((parse, cancellationToken) =>
        {
            int timed = parse.GetValue(epochs), rowCount = parse.GetValue(rows), batchSize = parse.GetValue(batch);
            if (timed < 1) throw new ArgumentOutOfRangeException("--epochs", timed, "--epochs must be at least 1.");
            if (rowCount < 1) throw new ArgumentOutOfRangeException("--rows", rowCount, "--rows must be at least 1.");
            if (batchSize < 1) throw new ArgumentOutOfRangeException("--batch-size", batchSize, "--batch-size must be at least 1.");
            int workers = parse.GetValue(threads) ?? Environment.ProcessorCount;
            string layerText = parse.GetValue(layers)!;
            string? dataDirectory = parse.GetValue(data);
            // The trainer's checks of the layers, their size included, before any data is read.
            CnnTrainer.Validate(new CnnTrainer.Options
            {
                Layers = layerText, ImageHeight = Data.FashionMnist.ImageHeight, ImageWidth = Data.FashionMnist.ImageWidth, BatchSize = batchSize, NumberOfThreads = workers,
            });
            // Warm-up (JIT, first touches of the buffers) on a few batches, untimed.
            CnnBenchmark.RunEpochs(1, Math.Min(rowCount, 20 * batchSize), workers, batchSize, layerText, dataDirectory, cancellationToken: cancellationToken);
            int gen0 = GC.CollectionCount(0);
            var run = CnnBenchmark.RunEpochs(timed, rowCount, workers, batchSize, layerText, dataDirectory,
                epochCompleted: (e, seconds) => Terminal.Line(FormattableString.Invariant($"epoch {e}/{timed}: {seconds:F2} s")),
                cancellationToken: cancellationToken);
            var result = new Dictionary<string, object?>
            {
                ["workload"] = $"{run.Rows}x28x28 {run.Layers} Adam batch {run.BatchSize} fp32",
                ["data"] = run.DataSource,
                ["parameters"] = run.ParameterCount,
                ["threads"] = run.Threads,
                ["epoch_seconds_median"] = run.MedianEpochSeconds,
                ["epoch_seconds_min"] = run.EpochSeconds.Min(),
                ["epoch_seconds_max"] = run.EpochSeconds.Max(),
                ["rows_per_second"] = run.RowsPerSecond,
                ["last_epoch_loss"] = run.EpochLosses[^1],
                ["gc_collections"] = GC.CollectionCount(0) - gen0,
                ["peak_working_set_mb"] = Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024.0),
            };
            if (parse.GetValue(torch))
            {
                if (RunPeer("torch_cnn_epoch.py", FormattableString.Invariant($"{run.Threads} {timed} {run.Rows} {run.BatchSize} \"{run.Layers}\""), dataDirectory) is JsonElement peer)
                {
                    if (peer.GetProperty("parameters").GetInt64() != run.ParameterCount)
                        throw new InvalidOperationException($"The PyTorch peer built {peer.GetProperty("parameters").GetInt64()} parameters for '{run.Layers}', this engine {run.ParameterCount}: not the same network.");
                    double torchMedian = peer.GetProperty("epoch_seconds_median").GetDouble();
                    result["torch_epoch_seconds_median"] = torchMedian;
                    result["torch_version"] = peer.GetProperty("version").GetString();
                    AddPeerThreads(result, peer);
                    result["ratio_to_torch"] = run.MedianEpochSeconds / torchMedian;
                }
            }
            foreach (var (key, value) in result) Terminal.Line($"{key,-28} {Format(value)}");
            if (parse.GetValue(json)) Terminal.JsonLine(result);
            return Task.FromResult(0);
        });
        return command;
    }

    private static Command CreateScore()
    {
        var torch = new Option<bool>("--compare-torch") { Description = "Also time PyTorch inference in this run (torch.set_num_threads(1), its fastest setting here; its OpenBLAS still uses every core)." };
        var onnxRuntime = new Option<bool>("--compare-onnxruntime") { Description = "Also export the model to ONNX and time ONNX Runtime on the same rows, taking turns with ML.NET (intra-op threads = cores)." };
        var json = SharedOptions.Json();
        var command = new Command("score", "Scoring speed through ML.NET: batch rows/s and single-prediction latency, in memory and after save/load.") { torch, onnxRuntime, json };
        command.SetAction(parse =>
        {
            var mlContext = new MLContext(seed: 0);
            var train = RandomData(mlContext, 2_000, seed: 1);
            var test = mlContext.Data.Cache(RandomData(mlContext, 10_000, seed: 2));
            var model = new MlpTrainer(mlContext, new MlpTrainer.Options { HiddenLayers = Hidden, Epochs = 1, Seed = 0 }).Fit(train);
            var result = new Dictionary<string, object?>
            {
                ["model"] = "784-128-128-10 LeakyReLU",
            };
            // 2 FLOP per multiply-add: what a rate in rows/s asks of the arithmetic units.
            long macsPerRow = Inputs * Hidden[0] + Hidden[0] * Hidden[1] + Hidden[1] * Classes;
            var singleRows = SingleRows();
            using var ort = parse.GetValue(onnxRuntime) ? OnnxRuntimePeer(mlContext, model, train.Schema, test, singleRows) : null;
            var path = Path.Combine(Path.GetTempPath(), $"mlnetmlp-bench-{Environment.ProcessId}.zip");
            try
            {
                ModelFile.Save(mlContext, model, train.Schema, path);
                var loadContext = new MLContext(seed: 0);
                var loaded = ModelFile.Load(loadContext, path, out _);
                // The ceiling is the best the cores reach in this run: measured before and after the scoring, so that a
                // spell of other work on the machine (or the JIT's background compiles) during one of them does not set it.
                double peak = FmaPeak.Measure(Environment.ProcessorCount);
                // All scorers in alternating rounds, so that the machine's drift (large on a shared VM) falls on all alike.
                var passes = new List<Func<long>> { () => ScorePass(model, test), () => ScorePass(loaded, test) };
                var predictors = new List<Action<int>> { Predictor(mlContext, model, singleRows), Predictor(loadContext, loaded, singleRows) };
                if (ort != null)
                {
                    passes.Add(ort.ScoreBatch);
                    predictors.Add(ort.Predict);
                }
                var batch = BatchRowsPerSecond(passes);
                var single = SinglePredictionMicroseconds(predictors);
                peak = Math.Max(peak, FmaPeak.Measure(Environment.ProcessorCount));
                (result["batch_rows_per_second"], result["batch_rows_per_second_median"]) = batch[0];
                result["single_prediction_us"] = single[0];
                result["batch_gflops"] = batch[0].Best * 2.0 * macsPerRow / 1e9;
                result["fma_peak_gflops"] = peak;
                result["peak_rows_per_second"] = peak * 1e9 / (2.0 * macsPerRow);
                (result["loaded_batch_rows_per_second"], result["loaded_batch_rows_per_second_median"]) = batch[1];
                result["loaded_single_prediction_us"] = single[1];
                if (ort != null)
                {
                    (result["onnxruntime_rows_per_second"], result["onnxruntime_rows_per_second_median"]) = batch[2];
                    result["onnxruntime_predict_microseconds"] = single[2];
                    result["onnxruntime_threads"] = ort.Threads;
                    result["onnxruntime_version"] = OnnxRuntimeScorer.Version;
                    result["ratio_rows_per_second_to_onnxruntime"] = batch[0].Best / batch[2].Best;
                    result["ratio_predict_us_to_onnxruntime"] = single[0] / single[2];
                }
            }
            finally
            {
                File.Delete(path);
            }
            if (parse.GetValue(torch))
            {
                var peer = RunPeer("torch_mlp_score.py", "1");
                if (peer != null)
                {
                    result["torch_batch_rows_per_second"] = peer.Value.GetProperty("batch_rows_per_second").GetDouble();
                    result["torch_single_prediction_us"] = peer.Value.GetProperty("single_prediction_us").GetDouble();
                    AddPeerThreads(result, peer.Value);
                }
            }
            foreach (var (key, value) in result) Terminal.Line($"{key,-38} {Format(value)}");
            if (parse.GetValue(json)) Terminal.JsonLine(result);
            return 0;
        });
        return command;
    }

    /// <summary>
    /// The benchmark model exported to ONNX (as <c>mlnetmlp export</c> does) in an ONNX Runtime session with one
    /// intra-op thread per core, over the same batch and single rows as ML.NET; its scores are checked against ML.NET's
    /// first, so the timings are of the same computation.
    /// </summary>
    private static OnnxRuntimeScorer OnnxRuntimePeer(MLContext mlContext, ITransformer model, DataViewSchema inputSchema, IDataView test, BenchRow[] singleRows)
    {
        var graph = OnnxExport.Convert(mlContext, model, inputSchema, "The benchmark model");
        float[] batch = test.GetColumn<float[]>(nameof(BenchRow.Features)).SelectMany(row => row).ToArray();
        var scorer = new OnnxRuntimeScorer(graph.Bytes, batch, singleRows.Select(r => r.Features).ToArray(), Inputs, Classes, Environment.ProcessorCount);
        float[] expected = model.Transform(test).GetColumn<float[]>("Score").SelectMany(row => row).ToArray();
        float[] actual = scorer.BatchScores();
        double difference = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        // The single-row path too (its own bound tensors): the first row, against PredictionEngine's scores.
        var single = mlContext.Data.LoadFromEnumerable(singleRows.Take(1), SchemaDefinitionOf());
        scorer.Predict(0);
        difference = Math.Max(difference, model.Transform(single).GetColumn<float[]>("Score").Single().Zip(scorer.LastScores.ToArray(), (e, a) => Math.Abs(e - a)).Max());
        if (actual.Length != expected.Length || difference > 1e-5)
        {
            scorer.Dispose();
            throw new InvalidOperationException(FormattableString.Invariant($"ONNX Runtime's scores differ from ML.NET's (by up to {difference:G3}): not the same computation."));
        }
        Terminal.Line($"ONNX Runtime {OnnxRuntimeScorer.Version}: {scorer.Threads} intra-op thread(s) (one per core), 1 inter-op, no spinning between runs, sequential, all graph optimizations; scores match ML.NET's within {difference:G2}");
        return scorer;
    }

    /// <summary>
    /// Rows/s of passes reading Score and PredictedLabel of every row (ML.NET: with a cursor; ONNX Runtime: one batch
    /// tensor): for each scorer the best and the median of 20 passes, the scorers taking turns pass by pass, after
    /// passes for 2 s per scorer so that the JIT has tiered up the cursor code (ML.NET's and ours) as a long-running
    /// scorer would have; the PyTorch peer likewise takes its best of 20 passes.
    /// </summary>
    private static (double Best, double Median)[] BatchRowsPerSecond(IReadOnlyList<Func<long>> passes)
    {
        foreach (var scorePass in passes)
        {
            var warmUp = Stopwatch.StartNew();
            for (int pass = 0; pass < 10 || warmUp.Elapsed < WarmUp; pass++) scorePass();
        }
        var rates = passes.Select(_ => new double[20]).ToArray();
        for (int pass = 0; pass < 20; pass++)
            for (int m = 0; m < passes.Count; m++)
            {
                var stopwatch = Stopwatch.StartNew();
                long rows = passes[m]();
                rates[m][pass] = rows / stopwatch.Elapsed.TotalSeconds;
            }
        return rates.Select(r => (r.Max(), Statistics.Median(r))).ToArray();
    }

    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(2);

    private static long ScorePass(ITransformer model, IDataView data)
    {
        var scored = model.Transform(data);
        using var cursor = scored.GetRowCursor([scored.Schema["Score"], scored.Schema["PredictedLabel"]]);
        var score = cursor.GetGetter<VBuffer<float>>(scored.Schema["Score"]);
        var label = cursor.GetGetter<uint>(scored.Schema["PredictedLabel"]);
        VBuffer<float> scores = default;
        uint key = 0;
        long rows = 0;
        while (cursor.MoveNext())
        {
            score(ref scores);
            label(ref key);
            rows++;
        }
        return rows;
    }

    /// <summary>The 64 rows single predictions cycle through.</summary>
    private static BenchRow[] SingleRows()
    {
        var random = new Random(3);
        return Enumerable.Range(0, 64).Select(_ => new BenchRow { Features = Enumerable.Range(0, Inputs).Select(_ => random.NextSingle()).ToArray() }).ToArray();
    }

    /// <summary>PredictionEngine.Predict of row <c>i</c> (modulo the rows), into one reused output object.</summary>
    private static Action<int> Predictor(MLContext mlContext, ITransformer model, BenchRow[] rows)
    {
        var engine = mlContext.Model.CreatePredictionEngine<BenchRow, BenchPrediction>(model, inputSchemaDefinition: SchemaDefinitionOf());
        var output = new BenchPrediction();
        return i => engine.Predict(rows[i % rows.Length], ref output);
    }

    /// <summary>BenchRow's columns with Features declared as 784 floats (single predictions carry no label).</summary>
    private static SchemaDefinition SchemaDefinitionOf()
    {
        var definition = SchemaDefinition.Create(typeof(BenchRow));
        definition[nameof(BenchRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, Inputs);
        return definition;
    }

    /// <summary>
    /// Median latency of a single prediction per scorer over 20,000 calls, in 10 rounds of 2,000 calls that
    /// alternate between the scorers, after 2 s of calls per scorer (the JIT's tier-up, as in a service).
    /// </summary>
    private static double[] SinglePredictionMicroseconds(IReadOnlyList<Action<int>> predictors)
    {
        foreach (var predict in predictors)
        {
            var warmUp = Stopwatch.StartNew();
            for (int i = 0; i < 2_000 || warmUp.Elapsed < WarmUp; i++) predict(i);
        }
        const int rounds = 10, callsPerRound = 2_000;
        var samples = predictors.Select(_ => new double[rounds * callsPerRound]).ToArray();
        for (int round = 0; round < rounds; round++)
            for (int e = 0; e < predictors.Count; e++)
            {
                var predict = predictors[e];
                for (int i = round * callsPerRound; i < (round + 1) * callsPerRound; i++)
                {
                    long start = Stopwatch.GetTimestamp();
                    predict(i);
                    samples[e][i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
                }
            }
        return samples.Select(Statistics.Median).ToArray();
    }

    private static IDataView RandomData(MLContext mlContext, int rows, int seed)
    {
        var random = new Random(seed);
        var data = new BenchRow[rows];
        for (int i = 0; i < rows; i++)
        {
            var features = new float[Inputs];
            for (int j = 0; j < Inputs; j++) features[j] = random.NextSingle();
            data[i] = new BenchRow { Label = (uint)random.Next(Classes) + 1, Features = features };
        }
        var definition = SchemaDefinition.Create(typeof(BenchRow));
        definition[nameof(BenchRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, Inputs);
        definition[nameof(BenchRow.Label)].ColumnType = new KeyDataViewType(typeof(uint), Classes);
        return mlContext.Data.LoadFromEnumerable(data, definition);
    }

    /// <summary>Runs a peer script from bench/ with Debian's python3-torch; null (with a note) when unavailable.</summary>
    private static JsonElement? RunPeer(string script, string arguments, string? dataDirectory = null)
    {
        var path = FindBenchScript(script);
        string python = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
        if (path == null)
        {
            Terminal.Line($"note: bench/{script} not found; PyTorch comparison skipped.");
            return null;
        }
        Terminal.Line($"running PyTorch peer: {python} {path} {arguments}");
        var start = new ProcessStartInfo(python, $"\"{path}\" {arguments}") { RedirectStandardOutput = true, RedirectStandardError = true };
        if (dataDirectory != null) start.Environment["FASHION_MNIST_DIR"] = Path.GetFullPath(dataDirectory);
        try
        {
            using var process = Process.Start(start)!;
            string stdout = process.StandardOutput.ReadToEnd(), stderr = process.StandardError.ReadToEnd();
            process.WaitForExit();
            var last = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault();
            if (process.ExitCode != 0 || last == null)
            {
                Terminal.Line($"note: PyTorch peer failed ({stderr.Split('\n').LastOrDefault(l => l.Length > 0)}); install python3-torch to compare.");
                return null;
            }
            return JsonDocument.Parse(last).RootElement.Clone();
        }
        catch (System.ComponentModel.Win32Exception)
        {
            Terminal.Line("note: python3 not found; PyTorch comparison skipped.");
            return null;
        }
    }

    /// <summary>
    /// The peer's torch.set_num_threads count and, apart, its BLAS library's own thread count: Debian's pthread
    /// OpenBLAS starts one thread per core whatever torch was told, so "1 thread" still runs its products on every core.
    /// </summary>
    private static void AddPeerThreads(Dictionary<string, object?> result, JsonElement peer)
    {
        result["torch_threads"] = peer.GetProperty("threads").GetInt32();
        if (peer.TryGetProperty("blas_threads", out JsonElement blas) && blas.ValueKind == JsonValueKind.Number)
            result["torch_blas_threads"] = blas.GetInt32();
    }

    private static string? FindBenchScript(string script)
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir != null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "bench", script);
                if (File.Exists(candidate)) return candidate;
            }
        return null;
    }

    private static string Format(object? value) => value switch
    {
        double d => d.ToString(d >= 1000 ? "N0" : "G5", CultureInfo.InvariantCulture),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };

    public sealed class BenchRow
    {
        public uint Label { get; set; }

        public float[] Features { get; set; } = [];
    }

    public sealed class BenchPrediction
    {
        public float[] Score { get; set; } = [];

        public uint PredictedLabel { get; set; }
    }
}
