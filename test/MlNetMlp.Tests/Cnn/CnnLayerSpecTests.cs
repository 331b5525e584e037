namespace MlNetMlp.Tests.Cnn;

[TestClass]
public sealed class CnnLayerSpecTests
{
    [TestMethod]
    public void TheDefaultArchitectureRoundTripsThroughText()
    {
        var layers = CnnLayerSpec.ParseList(CnnTrainer.PeerLayers);
        Assert.HasCount(21, layers);
        Assert.AreEqual(CnnTrainer.PeerLayers, CnnLayerSpec.Format(layers));
        Assert.AreEqual(CnnTrainer.DefaultLayers, CnnLayerSpec.Format(CnnLayerSpec.ParseList(CnnTrainer.DefaultLayers)));
        Assert.AreEqual(CnnLayerSpec.Conv(32), layers[0]);
        Assert.AreEqual(CnnLayerSpec.MaxPool(), layers[6]);
        Assert.AreEqual(CnnLayerSpec.Dropout(0.25f), layers[7]);
        Assert.AreEqual(CnnLayerSpec.Dense(512), layers[17]);
    }

    [TestMethod]
    [DataRow("conv32", "conv32", 32, 3, 1, 1)]
    [DataRow("CONV64K5", "conv64k5", 64, 5, 1, 2)]
    [DataRow("conv8k3s2valid", "conv8s2valid", 8, 3, 2, 0)]
    [DataRow("conv8k3same", "conv8", 8, 3, 1, 1)]
    [DataRow("conv4k5p1", "conv4k5p1", 4, 5, 1, 1)]
    [DataRow(" pool ", "pool", 0, 2, 2, 0)]
    [DataRow("maxpool3s2p1", "pool3s2p1", 0, 3, 2, 1)]
    [DataRow("pool3", "pool3", 0, 3, 3, 0)]
    public void TokensParseAndPrintCanonically(string token, string canonical, int units, int kernel, int stride, int padding)
    {
        var spec = CnnLayerSpec.Parse(token);
        Assert.AreEqual(canonical, spec.ToString());
        Assert.AreEqual(units, spec.Units);
        Assert.AreEqual(kernel, spec.KernelSize);
        Assert.AreEqual(stride, spec.Stride);
        Assert.AreEqual(padding, spec.Padding);
        Assert.AreEqual(spec, CnnLayerSpec.Parse(canonical));
    }

    [TestMethod]
    public void OtherTokens()
    {
        Assert.AreEqual(CnnLayerKind.BatchNorm, CnnLayerSpec.Parse("batchnorm").Kind);
        Assert.AreEqual(0.5f, CnnLayerSpec.Parse("dropout0.5").Rate);
        Assert.AreEqual("drop0.125", CnnLayerSpec.Parse("drop.125").ToString());
        Assert.AreEqual(10, CnnLayerSpec.Parse("fc10").Units);
        Assert.HasCount(0, CnnLayerSpec.ParseList(" , "));
    }

    [TestMethod]
    [DataRow("swish")]
    [DataRow("conv")]
    [DataRow("conv0")]
    [DataRow("conv8k3p3")]
    [DataRow("drop1")]
    [DataRow("dense")]
    [DataRow("pool2p2")]
    [DataRow("conv99999999999")]
    public void BadTokensAreFormatErrors(string token) =>
        Assert.ThrowsExactly<FormatException>(() => CnnLayerSpec.Parse(token));
}
