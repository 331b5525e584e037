using Microsoft.ML;
using MlNetMlp.Data;

namespace MlNetMlp.Tests.Cnn;

/// <summary>The default architecture on a slice of the real data.</summary>
[TestClass]
public sealed class CnnFashionMnistTests
{
    private static void RequireDataset()
    {
        try
        {
            FashionMnist.Locate(FashionMnistSplit.Train, options: new FashionMnistOptions { AllowDownload = false });
        }
        catch (FashionMnistNotFoundException)
        {
            Assert.Inconclusive("Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist).");
        }
    }

    [TestMethod]
    public void ThePeerArchitectureHasThePeersParameterCount()
    {
        var model = new MlNetMlp.Cnn.CnnNetwork(new MlNetMlp.Cnn.TensorShape(1, 28, 28), CnnLayerSpec.ParseList(CnnTrainer.PeerLayers), 10, 1f / 255);
        // PyTorch: sum(p.numel() for p in m.parameters()) of /work/shared/peers/torch_cnn.py's model.
        Assert.AreEqual(1_677_674, model.Parameters.Length);
        Assert.AreEqual(2 * (32 + 32 + 64 + 64 + 512), model.Buffers.Length);
        Assert.AreEqual("dense2.weight", model.ParameterTensors[^2].Name);

        var defaults = new MlNetMlp.Cnn.CnnNetwork(new MlNetMlp.Cnn.TensorShape(1, 28, 28), CnnLayerSpec.ParseList(CnnTrainer.DefaultLayers), 10, 1f / 255);
        // PyTorch, the same network built by bench/torch_cnn_epoch.py from the layer text.
        Assert.AreEqual(1_668_362, defaults.Parameters.Length);
    }

    [TestMethod]
    public void TheDefaultCnnLearnsASliceOfFashionMnist()
    {
        RequireDataset();
        var ml = new MLContext(seed: 1);
        var train = FashionMnist.Load(ml, FashionMnistSplit.Train, maxRows: 3000);
        var test = FashionMnist.Load(ml, FashionMnistSplit.Test, maxRows: 1000);
        var trainer = ml.MulticlassClassification.Trainers.Cnn(new CnnTrainer.Options { Epochs = 2, Seed = 1, NumberOfThreads = 2 });
        var model = trainer.Fit(train);
        var metrics = ml.MulticlassClassification.Evaluate(model.Transform(test));
        Assert.IsGreaterThan(0.75, metrics.MicroAccuracy, $"micro-accuracy {metrics.MicroAccuracy} after 2 epochs on 3,000 images");
        Assert.AreEqual("Ankle boot", model.ClassNames![9]);
    }
}
