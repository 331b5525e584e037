using MlNetMlp.Cnn;
using MlNetMlp.Numerics;

namespace MlNetMlp.Tests.Cnn;

/// <summary>
/// One whole training step of a small CNN against PyTorch (network_step.bin): Conv(1,4)-BN-ReLU-MaxPool-Conv(4,8)-BN-
/// ReLU-MaxPool-Flatten-Linear(392,16)-BN1d-ReLU-Linear(16,10), cross-entropy, one Adam step: logits, loss, every
/// parameter gradient, every parameter after the step, the batch-norm running statistics, and the eval-mode logits
/// after the step — with one worker and with the batch split across two.
/// </summary>
[TestClass]
public sealed class CnnNetworkStepFixtureTests
{
    private const string Layers = "conv4,bn,relu,pool,conv8,bn,relu,pool,flatten,dense16,bn,relu";

    // PyTorch's module names → the engine's.
    private static readonly (string Torch, string Ours)[] Modules =
        [("conv1", "conv1"), ("bn1", "bn1"), ("conv2", "conv2"), ("bn2", "bn2"), ("fc1", "dense1"), ("bn3", "bn3"), ("fc2", "dense2")];

    private static CnnNetwork NetworkFrom(CnnFixture f)
    {
        var network = new CnnNetwork(new TensorShape(1, 28, 28), CnnLayerSpec.ParseList(Layers), 10, pixelScale: 1f);
        Assert.AreEqual(7, network.Layers.Count(l => l.ParameterLength > 0));
        foreach (var (torch, ours) in Modules)
        {
            foreach (string suffix in new[] { "weight", "bias" })
            {
                var tensor = network.FindParameter($"{ours}.{suffix}")!;
                CollectionAssert.AreEqual(f.Shape($"init.{torch}.{suffix}"), tensor.Shape, $"{torch}.{suffix} shape");
                ToEngine(f[$"init.{torch}.{suffix}"], tensor).CopyTo(network.Parameters, tensor.Offset);
            }
            foreach (string suffix in new[] { "running_mean", "running_var" })
                if (network.FindBuffer($"{ours}.{suffix}") is { } buffer)
                    f[$"init.{torch}.{suffix}"].CopyTo(network.Buffers, buffer.Offset);
        }
        network.Prepare();
        return network;
    }

    private static float[] ToEngine(float[] torch, CnnTensor tensor) =>
        tensor.Shape.Length == 4 ? TensorLayout.OihwToHwio(torch, tensor.Shape[0], tensor.Shape[1], tensor.Shape[2]) : torch;

    private static float[] ToTorch(ReadOnlySpan<float> engine, CnnTensor tensor) =>
        tensor.Shape.Length == 4 ? TensorLayout.HwioToOihw(engine, tensor.Shape[0], tensor.Shape[1], tensor.Shape[2]) : engine.ToArray();

    [TestMethod]
    [DataRow(1)]
    [DataRow(2)]
    public void OneAdamStepMatchesPyTorch(int threads)
    {
        var f = CnnFixture.Load("network_step");
        Assert.AreEqual(1e-3f, f.Scalar("lr"));
        Assert.AreEqual(0f, f.Scalar("weight_decay"));
        var network = NetworkFrom(f);
        int rows = f.Shape("x")[0];
        var data = new TrainingSet(f["x"], f["labels"].Select(v => (int)v).ToArray(), 28 * 28); // one channel: NCHW rows are the images
        using var engine = new CnnEngine(network, threads, rows);
        Assert.AreEqual(threads, engine.Workers);
        double loss = engine.Step(data, Enumerable.Range(0, rows).ToArray(), 0, rows, 1e-3f, dropoutSeed: 0, step: 0);

        // Logits (each worker holds its rows) and the loss.
        var logits = engine.Workspaces.SelectMany(w => w.Activations[network.Layers.Length].AsSpan(0, w.Rows * 10).ToArray()).ToArray();
        CnnFixture.AssertClose(f["logits"], logits, 1e-4, 1e-4, "logits");
        Assert.AreEqual(f.Scalar("loss"), loss, 1e-5, "loss");
        var dlogits = new float[logits.Length];
        SoftmaxCrossEntropy.LossAndGradient(logits, data.Labels, rows, 10, 1f / rows, dlogits);
        CnnFixture.AssertClose(f["dlogits"], dlogits, 1e-5, 1e-4, "dlogits");

        if (threads == 1)
        {
            // Train-mode activations, layer by layer (a debugging aid when something above fails).
            var work = engine.Workspaces[0];
            string[] names = ["conv1", "bn1", "relu1", "pool1", "conv2", "bn2", "relu2", "pool2", "flatten", "fc1", "bn3", "relu3"];
            for (int i = 0; i < names.Length; i++)
            {
                var output = network.Layers[i].Output;
                var values = work.Activations[i + 1].AsSpan(0, rows * output.Size).ToArray();
                var torchOrder = output.IsFlat ? values : TensorLayout.NhwcToNchw(values, rows, output.Channels, output.Height, output.Width);
                CnnFixture.AssertClose(f[$"act.{names[i]}"], torchOrder, 1e-4, 1e-4, $"act.{names[i]}");
            }
        }

        // Every parameter gradient of the mean loss, and every parameter after the Adam step. A bias followed by batch
        // norm has an exactly zero gradient (the normalization subtracts it again): both engines produce rounding noise
        // (~1e-6) there, whose sign drives Adam's first step (±lr). Those are checked for being noise and a step of at
        // most lr, then set to PyTorch's values so the eval logits below test everything else.
        string[] cancelledByBatchNorm = ["conv1.bias", "conv2.bias", "fc1.bias"];
        foreach (var (torch, ours) in Modules)
        {
            foreach (string suffix in new[] { "weight", "bias" })
            {
                var tensor = network.FindParameter($"{ours}.{suffix}")!;
                var expected = f[$"grad.{torch}.{suffix}"];
                var gradient = ToTorch(engine.Gradient.AsSpan(tensor.Offset, tensor.Length), tensor);
                var after = ToTorch(network.Parameters.AsSpan(tensor.Offset, tensor.Length), tensor);
                if (cancelledByBatchNorm.Contains($"{torch}.{suffix}"))
                {
                    CnnFixture.AssertClose(new float[expected.Length], expected, 1e-5, 0, $"PyTorch's grad.{torch}.{suffix} is noise");
                    CnnFixture.AssertClose(new float[gradient.Length], gradient, 1e-5, 0, $"grad.{torch}.{suffix} is noise");
                    CnnFixture.AssertClose(f[$"init.{torch}.{suffix}"], after, 1.0001e-3, 0, $"after.{torch}.{suffix} moved at most lr");
                    f[$"after.{torch}.{suffix}"].CopyTo(network.Parameters, tensor.Offset);
                    continue;
                }
                double scale = expected.Max(Math.Abs);
                CnnFixture.AssertClose(expected, gradient, 1e-4 * scale, 1e-3, $"grad.{torch}.{suffix}");
                CnnFixture.AssertClose(f[$"after.{torch}.{suffix}"], after, 1e-5, 1e-4, $"after.{torch}.{suffix}");
            }
            foreach (string suffix in new[] { "running_mean", "running_var" })
                if (network.FindBuffer($"{ours}.{suffix}") is { } buffer)
                    CnnFixture.AssertClose(f[$"after.{torch}.{suffix}"], network.Buffers.AsSpan(buffer.Offset, buffer.Length), 1e-5, 1e-4, $"after.{torch}.{suffix}");
        }
        network.Prepare();

        // Eval-mode logits after the step: running statistics, no dropout.
        var evalLogits = new float[rows * 10];
        network.ComputeLogits(f["x"], rows, evalLogits, new CnnWorkspace(network, rows, training: false));
        CnnFixture.AssertClose(f["eval_logits"], evalLogits, 1e-4, 1e-4, "eval_logits");
    }
}
