namespace MlNetMlp.Tests.Transforms;

[TestClass]
public sealed class SmokeTests
{
    [TestMethod]
    public void TestInfrastructureRuns() => Assert.AreEqual(4, 2 + 2);
}
