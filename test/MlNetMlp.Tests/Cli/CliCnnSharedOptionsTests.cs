using static MlNetMlp.Tests.Cli.CliTests;

namespace MlNetMlp.Tests.Cli;

/// <summary>`train --model cnn` takes the options the CNN shares with the MLP now: the update rule, early stopping and keep-best.</summary>
[TestClass]
public sealed class CliCnnSharedOptionsTests
{
    [TestMethod]
    public void TheCnnTrainsWithMomentumAndStopsEarly()
    {
        if (!HaveData) Assert.Inconclusive("Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist).");
        var dir = Directory.CreateTempSubdirectory("mlnetmlp-cli-cnn-shared-").FullName;
        try
        {
            string model = Path.Combine(dir, "cnn.zip");
            var train = Run("train", "--model", "cnn", "--layers", "conv4,relu,pool,flatten", "--train-rows", "1000", "--epochs", "30",
                "--optimizer", "Momentum", "--momentum", "0.9", "--nesterov", "--lr", "0.01", "--early-stopping", "--validation-fraction", "0.2",
                "--patience", "1", "--on-divergence", "keep-best", "--out", model, "--json");
            Assert.AreEqual(0, train.exitCode, train.stderr);
            int epochs = LastJson(train.stdout).GetProperty("epochs").GetInt32();
            Assert.IsLessThan(30, epochs, $"early stopping ends the run before 30 epochs: {train.stdout}");
            Assert.IsGreaterThan(0.5, LastJson(train.stdout).GetProperty("micro_accuracy").GetDouble(), train.stdout);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void NesterovWithoutMomentumIsAOneLineErrorForTheCnnToo() =>
        AssertOneLineError(Run("train", "--model", "cnn", "--nesterov"), "--nesterov");
}
