using Microsoft.ML;
using MlNetMlp.Data;

namespace MlNetMlp.Tests.Cnn;

/// <summary>
/// The options the CNN gained by training on the shared loop: SGD and momentum, early stopping, and keep-best on
/// divergence, with the MLP's semantics.
/// </summary>
[TestClass]
public sealed class CnnSharedOptionsTests
{
    // 6×6 single-channel images of three classes.
    private static readonly IDataView Data = new SyntheticDataView(rows: 60, features: 36, classes: 3, seed: 8, spread: 0.5f);

    private static CnnTrainer.Options Small() => new()
    {
        Layers = "conv4,relu,flatten", ImageColumnName = "Features", PixelScale = 1, Epochs = 6, BatchSize = 20, Seed = 3, NumberOfThreads = 2,
    };

    [TestMethod]
    [DataRow(Optimizer.Sgd, false)]
    [DataRow(Optimizer.Momentum, false)]
    [DataRow(Optimizer.Momentum, true)]
    public void EveryUpdateRuleTrainsTheCnn(Optimizer optimizer, bool nesterov)
    {
        var options = Small();
        options.Optimizer = optimizer;
        options.Nesterov = nesterov;
        options.LearningRate = 0.05f;
        var model = new CnnTrainer(new MLContext(1), options).Fit(Data).Model;
        Assert.IsLessThan(model.History[0].TrainLoss * 0.8, model.History[^1].TrainLoss, $"{optimizer}: the loss falls");
        var adam = new CnnTrainer(new MLContext(1), Small()).Fit(Data).Model;
        CollectionAssert.AreNotEqual(adam.GetTensor("dense1.weight"), model.GetTensor("dense1.weight"), "another rule, other weights");
    }

    [TestMethod]
    public void EarlyStoppingStopsAndKeepsTheBestEpoch()
    {
        var options = Small();
        options.Epochs = 30;
        options.EarlyStopping = true;
        options.ValidationFraction = 0.25f;
        options.EarlyStoppingPatience = 2;
        options.EarlyStoppingMinDelta = 10; // no epoch improves by 10: the first is the best, and training stops two later
        var model = new CnnTrainer(new MLContext(1), options).Fit(Data).Model;
        Assert.HasCount(3, model.History);
        options.EarlyStopping = false;
        options.Epochs = 1;
        var firstEpochOnly = new CnnTrainer(new MLContext(1), options).Fit(Data).Model;
        CollectionAssert.AreEqual(firstEpochOnly.GetTensor("dense1.weight"), model.GetTensor("dense1.weight"), "the best epoch's weights are returned");
    }

    [TestMethod]
    public void KeepBestReturnsTheBestFinishedEpochOfADivergingCnn()
    {
        // Plain SGD with lr·λ = 3 multiplies the weights by −2 every step (one batch per epoch) until they overflow.
        CnnTrainer.Options Exploding(DivergenceAction action, int epochs) => new()
        {
            Layers = "conv2,relu,flatten", ImageColumnName = "Features", PixelScale = 1, Optimizer = Optimizer.Sgd, LearningRate = 1,
            L2Regularization = 3, BatchSize = 60, Epochs = epochs, Seed = 2, NumberOfThreads = 1, OnDivergence = action,
        };
        var trainer = new CnnTrainer(new MLContext(1), Exploding(DivergenceAction.KeepBest, 1000));
        TrainingDivergedException? reported = null;
        trainer.TrainingDiverged += (_, e) => reported = e;
        var model = trainer.Fit(Data).Model;
        Assert.IsNotNull(reported);
        Assert.HasCount(reported.Epoch - 1, model.History);
        int best = model.History.MinBy(r => r.TrainLoss)!.Epoch;
        var stoppedThere = new CnnTrainer(new MLContext(1), Exploding(DivergenceAction.Stop, best)).Fit(Data).Model;
        CollectionAssert.AreEqual(stoppedThere.GetTensor("dense1.weight"), model.GetTensor("dense1.weight"));
        Assert.ThrowsExactly<TrainingDivergedException>(() => new CnnTrainer(new MLContext(1), Exploding(DivergenceAction.Stop, 1000)).Fit(Data));
    }
}
