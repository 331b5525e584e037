using MlNetMlp.Numerics;

namespace MlNetMlp.Tests.Numerics;

[TestClass]
public sealed class TrainingLoopTests
{
    private static MlpNetwork FreshNetwork(int features, MlpTrainer.Options options, int classes, int seed)
    {
        var network = new MlpNetwork([features, .. options.HiddenLayers, classes], options.Activation, options.LeakyReluSlope, options.EluAlpha);
        network.Initialize(options.Initialization, new Random(seed));
        return network;
    }

    private static LoopHarness.Result Train(TrainingSet train, MlpTrainer.Options options, int classes, int seed = 1,
        TrainingSet? validation = null, int firstEpoch = 1, Action<EpochRecord>? onEpoch = null, CancellationToken cancellationToken = default) =>
        LoopHarness.Train(FreshNetwork(train.FeatureCount, options, classes, seed), train, validation, options, seed, firstEpoch, onEpoch, cancellationToken);

    private static double Accuracy(MlpNetwork network, TrainingSet data)
    {
        var probabilities = new float[data.Rows * network.ClassCount];
        new MlpScoringNetwork(network).PredictProbabilities(data.Features, data.Rows, probabilities, new MlpScoringNetwork(network).CreateWorkspace(64));
        int correct = 0;
        for (int r = 0; r < data.Rows; r++)
        {
            ReadOnlySpan<float> row = probabilities.AsSpan(r * network.ClassCount, network.ClassCount);
            if (row.IndexOf(row.ToArray().Max()) == data.Labels[r]) correct++;
        }
        return (double)correct / data.Rows;
    }

    [TestMethod]
    [DataRow(Optimizer.Sgd, 0.2f, new int[0])]
    [DataRow(Optimizer.Momentum, 0.05f, new[] { 32 })]
    [DataRow(Optimizer.Adam, 0.01f, new[] { 32, 16 })]
    public void ClusteredDataTrainsToNinetyNinePercent(Optimizer optimizer, float learningRate, int[] hidden)
    {
        TrainingSet train = TestData.Clusters(rows: 1000, features: 20, classes: 5, seed: 1);
        TrainingSet test = TestData.Clusters(rows: 500, features: 20, classes: 5, seed: 2);
        var options = new MlpTrainer.Options
        {
            HiddenLayers = hidden, Optimizer = optimizer, LearningRate = learningRate, Nesterov = true,
            Epochs = 10, BatchSize = 25, NumberOfThreads = 2,
        };
        LoopHarness.Result result = Train(train, options, classes: 5);
        Assert.HasCount(10, result.History);
        Assert.IsGreaterThanOrEqualTo(0.99, result.History[^1].TrainAccuracy, $"{optimizer}: {result.History[^1]}");
        Assert.IsLessThan(result.History[0].TrainLoss, result.History[^1].TrainLoss);
        Assert.IsGreaterThanOrEqualTo(0.99, Accuracy(result.Network, test));
    }

    private static MlpTrainer.Options EveryFeatureOptions(int? threads) => new()
    {
        HiddenLayers = [24, 12], Activation = MlpActivation.Gelu, Optimizer = Optimizer.Momentum, Nesterov = true,
        LearningRate = 0.05f, L2Regularization = 1e-3f, Dropout = 0.2f, LearningRateSchedule = LearningRateSchedule.Cosine,
        MinLearningRate = 0.001f, ValidationFraction = 0.2f, MonitoringSubsetSize = 100, Epochs = 4, BatchSize = 32,
        NumberOfThreads = threads,
    };

    private static bool SameHistory(IReadOnlyList<EpochRecord> a, IReadOnlyList<EpochRecord> b) =>
        a.Count == b.Count && a.Zip(b).All(p => p.First with { Elapsed = default } == p.Second with { Elapsed = default });

    [TestMethod]
    public void SameSeedAndThreadCountGiveBitIdenticalWeights()
    {
        TrainingSet data = TestData.Clusters(rows: 500, features: 15, classes: 4, seed: 3, spread: 0.3f);
        LoopHarness.Result first = Train(data, EveryFeatureOptions(threads: 2), classes: 4, seed: 7);
        LoopHarness.Result second = Train(data, EveryFeatureOptions(threads: 2), classes: 4, seed: 7);
        Assert.IsTrue(TestData.SameParameters(first.Network, second.Network));
        Assert.IsTrue(SameHistory(first.History, second.History));

        LoopHarness.Result otherSeed = Train(data, EveryFeatureOptions(threads: 2), classes: 4, seed: 8);
        Assert.IsFalse(TestData.SameParameters(first.Network, otherSeed.Network));
    }

    [TestMethod]
    public void ThreadCountDoesNotMatterWhenEachBatchIsOneRow()
    {
        // With one-row batches worker 0 is idle under two threads, which exercises the idle-worker path
        // and must reproduce the single-threaded run exactly.
        TrainingSet data = TestData.Clusters(rows: 60, features: 9, classes: 3, seed: 4, spread: 0.3f);
        MlpTrainer.Options Options(int threads) => new() { HiddenLayers = [10], Epochs = 2, BatchSize = 1, Dropout = 0.1f, NumberOfThreads = threads };
        LoopHarness.Result one = Train(data, Options(1), classes: 3);
        LoopHarness.Result two = Train(data, Options(2), classes: 3);
        Assert.IsTrue(TestData.SameParameters(one.Network, two.Network));
        Assert.IsTrue(SameHistory(one.History, two.History));
    }

    [TestMethod]
    public void WithoutShufflingTheLoopStepsThroughBatchesInDataOrder()
    {
        // Replays the loop by hand: batches of 30 in row order (the last one has 10 rows), plain SGD with L2.
        TrainingSet data = TestData.Clusters(rows: 100, features: 7, classes: 3, seed: 16, spread: 0.3f);
        var options = new MlpTrainer.Options
        {
            HiddenLayers = [9], Optimizer = Optimizer.Sgd, LearningRate = 0.1f, L2Regularization = 0.01f,
            Epochs = 2, BatchSize = 30, Shuffle = false, NumberOfThreads = 2,
        };
        LoopHarness.Result result = Train(data, options, classes: 3, seed: 3);

        MlpNetwork manual = FreshNetwork(7, options, classes: 3, seed: 3);
        using var pool = new WorkerPool(2);
        var backpropagation = new MlpBackpropagation(manual, pool, 30, dropoutRate: 0);
        var updater = new ParameterUpdater(backpropagation.Layout.Tensors(manual), options);
        int[] order = Enumerable.Range(0, data.Rows).ToArray();
        var losses = new List<double>();
        for (int epoch = 1; epoch <= 2; epoch++)
        {
            double sum = 0;
            for (int start = 0; start < data.Rows; start += 30)
            {
                sum += backpropagation.ComputeGradients(data, order, start, Math.Min(30, data.Rows - start), dropoutSeed: 0, step: 0);
                updater.BeginStep();
                pool.Run(worker => { backpropagation.ReduceGradients(worker); updater.Apply(2, worker, backpropagation.Gradient, 0.1f); });
            }
            losses.Add(sum / 4);
        }
        Assert.IsTrue(TestData.SameParameters(manual, result.Network));
        CollectionAssert.AreEqual(losses, result.History.Select(r => r.TrainLoss).ToList());

        options.Shuffle = true;
        Assert.IsFalse(TestData.SameParameters(manual, Train(data, options, classes: 3, seed: 3).Network));
    }

    [TestMethod]
    public void EarlyStoppingStopsAndKeepsTheBestEpoch()
    {
        // Random labels: the network can only memorize, so validation loss soon rises.
        TrainingSet train = TestData.Noise(rows: 300, features: 10, classes: 3, seed: 5);
        TrainingSet validation = TestData.Noise(rows: 200, features: 10, classes: 3, seed: 6);
        var options = new MlpTrainer.Options
        {
            HiddenLayers = [64], LearningRate = 0.01f, Epochs = 100, BatchSize = 20,
            EarlyStopping = true, EarlyStoppingPatience = 3, EarlyStoppingMinDelta = 1e-4f, NumberOfThreads = 2,
        };
        LoopHarness.Result result = Train(train, options, classes: 3, validation: validation);

        Assert.IsTrue(result.StoppedEarly);
        Assert.IsLessThan(100, result.History.Count);
        // Replay the rule on the history: the best epoch is the last one that improved by more than min delta.
        double best = double.PositiveInfinity;
        int bestEpoch = 0;
        foreach (EpochRecord record in result.History)
        {
            if (record.ValidationLoss!.Value < best - options.EarlyStoppingMinDelta)
            {
                best = record.ValidationLoss.Value;
                bestEpoch = record.Epoch;
            }
        }
        Assert.AreEqual(bestEpoch, result.BestEpoch);
        Assert.AreEqual(bestEpoch + options.EarlyStoppingPatience, result.History[^1].Epoch);
        Assert.IsLessThan(result.History[^1].ValidationLoss!.Value, best);

        // The returned weights are the best epoch's: they reproduce its validation loss exactly.
        using var pool = new WorkerPool(1);
        (double loss, _) = new MlpEvaluator(result.Network, pool).Evaluate(validation, null);
        Assert.AreEqual(best, loss);
    }

    [TestMethod]
    public void EarlyStoppingWithoutValidationWatchesTheTrainingLoss()
    {
        TrainingSet data = TestData.Clusters(rows: 200, features: 5, classes: 2, seed: 7);
        var options = new MlpTrainer.Options
        {
            HiddenLayers = [8], LearningRate = 0f, Epochs = 10, BatchSize = 50, Shuffle = false,
            EarlyStopping = true, EarlyStoppingPatience = 2, NumberOfThreads = 1,
        };
        LoopHarness.Result result = Train(data, options, classes: 2); // lr 0: the loss never improves after epoch 1
        Assert.IsTrue(result.StoppedEarly);
        Assert.AreEqual(1, result.BestEpoch);
        Assert.HasCount(3, result.History);
        Assert.IsNull(result.History[0].ValidationLoss);
    }

    [TestMethod]
    public void HugeLearningRateOnUnnormalizedDataThrowsDivergedNamingEpochAndBatch()
    {
        TrainingSet raw = TestData.Noise(rows: 400, features: 30, classes: 4, seed: 8);
        var pixels = new TrainingSet(raw.Features.Select(v => v * 255f).ToArray(), raw.Labels, raw.FeatureCount); // 0..255, not normalized
        var options = new MlpTrainer.Options { HiddenLayers = [32], Optimizer = Optimizer.Sgd, LearningRate = 50f, Epochs = 3, BatchSize = 20, NumberOfThreads = 2 };
        var exception = Assert.ThrowsExactly<TrainingDivergedException>(() => Train(pixels, options, classes: 4));
        Assert.IsInstanceOfType<InvalidOperationException>(exception);
        Assert.AreEqual(1, exception.Epoch);
        Assert.IsTrue(exception.Batch is >= 1 and <= 20, $"batch {exception.Batch}");
        // NaN or infinite, or exploded while still finite (more than 100 times the starting loss).
        Assert.IsTrue(!double.IsFinite(exception.Loss) || exception.Loss > 100 * exception.StartingLoss, $"loss {exception.Loss}");
        StringAssert.Contains(exception.Message, $"epoch {exception.Epoch}, batch {exception.Batch}");
        StringAssert.Contains(exception.Message, "learning rate");
        StringAssert.Contains(exception.Message, "[0, 1]");
    }

    [TestMethod]
    public void CancellationThrowsOperationCanceled()
    {
        TrainingSet data = TestData.Clusters(rows: 100, features: 5, classes: 2, seed: 9);
        var options = new MlpTrainer.Options { HiddenLayers = [8], Epochs = 5, BatchSize = 10, NumberOfThreads = 2 };
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsExactly<OperationCanceledException>(() => Train(data, options, classes: 2, cancellationToken: cancelled.Token));

        using var later = new CancellationTokenSource();
        int epochsSeen = 0;
        Assert.ThrowsExactly<OperationCanceledException>(() => Train(data, options, classes: 2,
            onEpoch: _ => { if (++epochsSeen == 2) later.Cancel(); }, cancellationToken: later.Token));
        Assert.AreEqual(2, epochsSeen);
    }

    [TestMethod]
    public void LearningRateSchedulesFollowPyTorch()
    {
        var step = new MlpTrainer.Options { LearningRate = 0.8f, LearningRateSchedule = LearningRateSchedule.Step, LearningRateDecay = 0.5f, LearningRateStepEpochs = 2 };
        CollectionAssert.AreEqual(new[] { 0.8f, 0.8f, 0.4f, 0.4f, 0.2f }, Enumerable.Range(0, 5).Select(e => LearningRates.At(step, e)).ToArray());

        var exponential = new MlpTrainer.Options { LearningRate = 1f, LearningRateSchedule = LearningRateSchedule.Exponential, LearningRateDecay = 0.9f };
        Assert.AreEqual(0.729f, LearningRates.At(exponential, 3), 1e-6f);

        var cosine = new MlpTrainer.Options { LearningRate = 1f, MinLearningRate = 0.1f, Epochs = 4, LearningRateSchedule = LearningRateSchedule.Cosine };
        Assert.AreEqual(1f, LearningRates.At(cosine, 0), 1e-6f);
        Assert.AreEqual(0.1f + 0.9f * (1 + MathF.Cos(MathF.PI / 4)) / 2, LearningRates.At(cosine, 1), 1e-6f);
        Assert.AreEqual(0.55f, LearningRates.At(cosine, 2), 1e-6f);
        Assert.AreEqual(0.1f, LearningRates.At(cosine, 4), 1e-6f);

        var constant = new MlpTrainer.Options { LearningRate = 0.3f };
        Assert.AreEqual(0.3f, LearningRates.At(constant, 17));

        // The history reports the rate each epoch used.
        TrainingSet data = TestData.Clusters(rows: 40, features: 4, classes: 2, seed: 10);
        step.HiddenLayers = [4];
        step.Epochs = 5;
        step.NumberOfThreads = 1;
        step.LearningRate = 0.01f;
        LoopHarness.Result result = Train(data, step, classes: 2);
        CollectionAssert.AreEqual(Enumerable.Range(0, 5).Select(e => (double)LearningRates.At(step, e)).ToArray(),
            result.History.Select(r => r.LearningRate).ToArray());
    }

    [TestMethod]
    public void ValidationSplitAndMonitoringSubsetsShapeTheHistory()
    {
        TrainingSet data = TestData.Clusters(rows: 400, features: 6, classes: 3, seed: 11, spread: 0.4f);
        var options = new MlpTrainer.Options { HiddenLayers = [8], Epochs = 2, BatchSize = 40, ValidationFraction = 0.25f, MonitoringSubsetSize = 70, NumberOfThreads = 2 };
        LoopHarness.Result result = Train(data, options, classes: 3);
        foreach (EpochRecord record in result.History)
        {
            Assert.IsNotNull(record.ValidationLoss);
            Assert.IsNotNull(record.ValidationAccuracy);
            // Accuracies are counted over exactly 70 rows (of 300 training and 100 validation rows).
            Assert.AreEqual(Math.Round(record.TrainAccuracy * 70), record.TrainAccuracy * 70, 1e-9);
            Assert.AreEqual(Math.Round(record.ValidationAccuracy!.Value * 70), record.ValidationAccuracy.Value * 70, 1e-9);
            Assert.IsGreaterThan(TimeSpan.Zero, record.Elapsed);
        }

        options.ValidationFraction = 0;
        options.MonitoringSubsetSize = 0;
        LoopHarness.Result withoutValidation = Train(data, options, classes: 3);
        Assert.IsNull(withoutValidation.History[0].ValidationLoss);
        Assert.AreEqual(Math.Round(withoutValidation.History[0].TrainAccuracy * 400), withoutValidation.History[0].TrainAccuracy * 400, 1e-9);

        // An explicit validation set takes precedence over the fraction and is measured in full.
        TrainingSet validation = TestData.Clusters(rows: 90, features: 6, classes: 3, seed: 12, spread: 0.4f);
        options.ValidationFraction = 0.5f;
        LoopHarness.Result explicitValidation = Train(data, options, classes: 3, validation: validation);
        using var pool = new WorkerPool(1);
        Assert.AreEqual(new MlpEvaluator(explicitValidation.Network, pool).Evaluate(validation, null).Loss, explicitValidation.History[^1].ValidationLoss);
    }

    [TestMethod]
    public void WarmStartContinuesEpochNumberingWithoutTouchingTheStartNetwork()
    {
        TrainingSet data = TestData.Clusters(rows: 200, features: 8, classes: 4, seed: 13, spread: 0.3f);
        var options = new MlpTrainer.Options { HiddenLayers = [16], Epochs = 3, BatchSize = 20, NumberOfThreads = 2 };
        LoopHarness.Result first = Train(data, options, classes: 4);
        MlpNetwork snapshot = first.Network.Clone();
        var seen = new List<EpochRecord>();
        LoopHarness.Result second = LoopHarness.Train(first.Network, data, null, options, seed: 2, firstEpoch: 4, seen.Add, CancellationToken.None);

        CollectionAssert.AreEqual(new[] { 4, 5, 6 }, second.History.Select(r => r.Epoch).ToArray());
        CollectionAssert.AreEqual(second.History.ToArray(), seen.ToArray());
        Assert.AreEqual(6, second.BestEpoch);
        Assert.IsFalse(second.StoppedEarly);
        Assert.IsTrue(TestData.SameParameters(snapshot, first.Network), "the start network is not modified");
        Assert.IsLessThan(first.History[0].TrainLoss, second.History[0].TrainLoss);
    }

    [TestMethod]
    public void FoldingTheLastPartialIntoTheUpdateStepsExactlyLikeSummingFirst()
    {
        // Three workers, and batches of 1 and 2 rows that leave some of them idle.
        TrainingSet data = TestData.Clusters(rows: 64, features: 11, classes: 4, seed: 21);
        int[] order = Enumerable.Range(0, data.Rows).ToArray();
        foreach (Optimizer rule in Enum.GetValues<Optimizer>())
        {
            var options = new MlpTrainer.Options { Optimizer = rule, L2Regularization = 1e-3f };
            MlpNetwork summedFirst = TestData.Network([11, 9, 4], MlpActivation.LeakyRelu, seed: 22), folded = summedFirst.Clone();
            using var pool = new WorkerPool(3);
            var summing = new MlpBackpropagation(summedFirst, pool, maxBatchRows: 30, dropoutRate: 0);
            var folding = new MlpBackpropagation(folded, pool, maxBatchRows: 30, dropoutRate: 0);
            var summingUpdater = new ParameterUpdater(summing.Layout.Tensors(summedFirst), options);
            var foldingUpdater = new ParameterUpdater(folding.Layout.Tensors(folded), options);
            foreach (int rows in new[] { 30, 1, 2, 17 })
            {
                summing.ComputeGradients(data, order, 0, rows, dropoutSeed: 0, step: 0);
                summingUpdater.BeginStep();
                pool.Run(worker => { summing.ReduceGradients(worker); summingUpdater.Apply(3, worker, summing.Gradient, 0.05f); });
                folding.ComputeGradients(data, order, 0, rows, dropoutSeed: 0, step: 0);
                foldingUpdater.BeginStep();
                pool.Run(worker => foldingUpdater.Apply(3, worker, folding.Gradient, folding.ReduceGradientsButLast(worker), 0.05f));
                Assert.IsTrue(TestData.SameParameters(summedFirst, folded), $"{rule}, batch of {rows}");
            }
        }
    }

    [TestMethod]
    public void SteadyStateTrainingStepsDoNotAllocate()
    {
        TrainingSet data = TestData.Clusters(rows: 256, features: 30, classes: 5, seed: 14);
        MlpNetwork network = TestData.Network([30, 20, 10, 5], MlpActivation.Elu, seed: 15);
        var options = new MlpTrainer.Options { Optimizer = Optimizer.Adam, L2Regularization = 1e-4f };
        using var pool = new WorkerPool(1); // inline, so the current thread's allocation counter sees everything
        var backpropagation = new MlpBackpropagation(network, pool, maxBatchRows: 64, dropoutRate: 0.1f);
        var updater = new ParameterUpdater(backpropagation.Layout.Tensors(network), options);
        Action<int> update = worker => { backpropagation.ReduceGradients(worker); updater.Apply(1, worker, backpropagation.Gradient, 1e-3f); };
        int[] order = Enumerable.Range(0, data.Rows).ToArray();
        void Step(int batch)
        {
            backpropagation.ComputeGradients(data, order, (batch % 4) * 64, 64, dropoutSeed: 1, step: batch);
            updater.BeginStep();
            pool.Run(update);
        }
        for (int b = 0; b < 4; b++) Step(b);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int b = 4; b < 24; b++) Step(b);
        Assert.AreEqual(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [TestMethod]
    public void InvalidDataIsRejected()
    {
        var options = new MlpTrainer.Options { HiddenLayers = [4], Epochs = 1, NumberOfThreads = 1 };
        MlpNetwork network = FreshNetwork(3, options, classes: 2, seed: 1);
        var badLabel = new TrainingSet([0, 0, 0, 1, 1, 1], [0, 2], 3);
        Assert.ThrowsExactly<ArgumentException>(() => LoopHarness.Train(network, badLabel, null, options, 1, 1, null, CancellationToken.None));
        var wrongWidth = new TrainingSet([0, 0, 0, 0], [0, 1], 2);
        Assert.ThrowsExactly<ArgumentException>(() => LoopHarness.Train(network, wrongWidth, null, options, 1, 1, null, CancellationToken.None));
        Assert.ThrowsExactly<ArgumentException>(() => new TrainingSet([0, 0, 0], [0, 1], 2));
    }
}
