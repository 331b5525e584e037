using Microsoft.ML;
using MlNetMlp.Data;

namespace MlNetMlp.Tests.Hardening;

/// <summary>Divergence is caught at the batch where the loss stops being finite; KeepBest returns the best finished epoch instead.</summary>
[TestClass]
public sealed class DivergenceTests
{
    private static readonly IDataView Data = new SyntheticDataView(rows: 40, features: 5, classes: 3, seed: 8, spread: 0.5f);

    // Plain SGD with lr·λ = 3: each step multiplies the weights by (1 − lr·λ) = −2, so they grow until they overflow,
    // many epochs in (one batch per epoch). The training loss is lowest early on.
    private static MlpTrainer.Options Exploding(DivergenceAction action, int epochs = 1000) => new()
    {
        HiddenLayers = [4], Optimizer = Optimizer.Sgd, LearningRate = 1f, L2Regularization = 3f, BatchSize = 40,
        Epochs = epochs, Seed = 2, NumberOfThreads = 1, OnDivergence = action,
    };

    [TestMethod]
    public void StopThrowsNamingTheEpochAndBatchAfterFinishedEpochs()
    {
        var e = Assert.ThrowsExactly<TrainingDivergedException>(() => new MlpTrainer(new MLContext(1), Exploding(DivergenceAction.Stop)).Fit(Data));
        Assert.IsGreaterThan(2, e.Epoch, "the weights need several epochs to overflow");
        Assert.AreEqual(1, e.Batch);
        Assert.IsTrue(!double.IsFinite(e.Loss) || e.Loss > 100 * e.StartingLoss, $"loss {e.Loss}: NaN, infinite or exploded");
        StringAssert.Contains(e.Message, $"epoch {e.Epoch}, batch 1");
        StringAssert.Contains(e.Message, "Lower the learning rate");
    }

    [TestMethod]
    public void KeepBestReturnsTheBestFinishedEpochExactly()
    {
        var trainer = new MlpTrainer(new MLContext(1), Exploding(DivergenceAction.KeepBest));
        TrainingDivergedException? reported = null;
        trainer.EpochCompleted += (_, _) => Assert.IsNull(reported, "no epoch completes after divergence");
        trainer.TrainingDiverged += (_, e) => reported = e;
        var model = trainer.Fit(Data).Model;

        Assert.IsNotNull(reported);
        Assert.HasCount(reported.Epoch - 1, model.History, "every finished epoch is in the history");
        int bestEpoch = model.History.MinBy(r => r.TrainLoss)!.Epoch;
        Assert.IsLessThan(reported.Epoch - 1, bestEpoch, "the best epoch is an early one, not the last before divergence");

        // The returned weights are those of a run stopped at the best epoch.
        var stoppedThere = new MlpTrainer(new MLContext(1), Exploding(DivergenceAction.Stop, epochs: bestEpoch)).Fit(Data).Model;
        for (int l = 0; l < model.LinearLayerCount; l++)
        {
            CollectionAssert.AreEqual(stoppedThere.GetWeights(l), model.GetWeights(l));
            CollectionAssert.AreEqual(stoppedThere.GetBiases(l), model.GetBiases(l));
        }
    }

    [TestMethod]
    public void KeepBestStillThrowsWhenNoEpochFinished()
    {
        var options = Exploding(DivergenceAction.KeepBest);
        options.L2Regularization = 0;
        options.LearningRate = 1e30f; // the first step already overflows
        var trainer = new MlpTrainer(new MLContext(1), options);
        var e = Assert.ThrowsExactly<TrainingDivergedException>(() => trainer.Fit(Data));
        Assert.AreEqual(1, e.Epoch);
    }
}
