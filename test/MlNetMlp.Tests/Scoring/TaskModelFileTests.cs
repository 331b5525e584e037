using Microsoft.ML;
using MlNetMlp.Tests.Hardening;
using static MlNetMlp.Tests.Scoring.TaskModels;

namespace MlNetMlp.Tests.Scoring;

/// <summary>Damaged binary and regression model files are refused at load with an <see cref="InvalidDataException"/> naming the file and the problem.</summary>
[TestClass]
public sealed class TaskModelFileTests
{
    /// <summary>Saves <paramref name="transformer"/>, lets <paramref name="damage"/> edit its payload, and loads the result.</summary>
    private static InvalidDataException LoadDamaged(ITransformer transformer, Action<byte[], int> damage)
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Features(4, 1).Select(f => new BinaryRow { Features = f }));
        string good = Path.Combine(Path.GetTempPath(), $"mlnetmlp-task-good-{Guid.NewGuid():N}.zip"), bad = good.Replace("-good-", "-bad-");
        try
        {
            ModelFile.Save(ml, transformer, data.Schema, good);
            var (entryName, payload) = ModelIntegrityTests.MlpPayload(File.ReadAllBytes(good));
            // The MLP payload starts with its layer count and sizes [64, 16, 8, 1]; the network kind is the int before.
            int mlp = ModelIntegrityTests.IndexOfInts(payload, 4, FeatureCount, 16, 8, 1);
            Assert.AreEqual(1, BitConverter.ToInt32(payload, mlp - 4), "network kind 1 = MLP");
            damage(payload, mlp - 4);
            File.WriteAllBytes(bad, ModelIntegrityTests.Rezip(File.ReadAllBytes(good), entryName, payload));
            var error = Assert.ThrowsExactly<InvalidDataException>(() => ModelFile.Load(new MLContext(seed: 1), bad, out _));
            StringAssert.Contains(error.Message, bad);
            return error;
        }
        finally
        {
            File.Delete(good);
            File.Delete(bad);
        }
    }

    [TestMethod]
    public void AnUnknownNetworkKindIsRefused()
    {
        var error = LoadDamaged(Binary(Mlp(1)), (payload, kindAt) => BitConverter.TryWriteBytes(payload.AsSpan(kindAt), 7));
        StringAssert.Contains(error.Message, "unknown network kind 7");
    }

    [TestMethod]
    public void ANegativeTargetScaleIsRefused()
    {
        // The regression payload's target mean and scale are the two floats before the network kind.
        var error = LoadDamaged(Regression(Mlp(1), 10f, 2f), (payload, kindAt) =>
        {
            Assert.AreEqual(2f, BitConverter.ToSingle(payload, kindAt - 4), "the target scale");
            BitConverter.TryWriteBytes(payload.AsSpan(kindAt - 4), -2f);
        });
        StringAssert.Contains(error.Message, "target mean 10 and scale -2");
    }
}
