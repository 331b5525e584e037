using Microsoft.ML;
using static MlNetMlp.Tests.Scoring.TaskModels;

namespace MlNetMlp.Tests.Scoring;

/// <summary>
/// ML.NET's PermutationFeatureImportance works on the binary and regression transformers (it needs an
/// <see cref="ISingleFeaturePredictionTransformer{TModel}"/> and the columns its evaluator reads): one entry per feature,
/// and shuffling a feature the network reads changes the metrics.
/// </summary>
[TestClass]
public sealed class TaskPermutationFeatureImportanceTests
{
    [TestMethod]
    public void BinaryTransformerHasPermutationFeatureImportance()
    {
        var ml = new MLContext(seed: 1);
        var model = Mlp(21);
        var data = ml.Data.LoadFromEnumerable(BinaryRows(model, 200, 22));
        var importance = ml.BinaryClassification.PermutationFeatureImportance((BinaryNetworkTransformer<MlpModelParameters>)Binary(model), data, permutationCount: 1);
        Assert.HasCount(FeatureCount, importance);
        Assert.IsTrue(importance.Any(f => f.AreaUnderRocCurve.Mean < 0), "shuffling some feature lowers the AUC");
    }

    [TestMethod]
    public void RegressionTransformerHasPermutationFeatureImportance()
    {
        var ml = new MLContext(seed: 1);
        var model = TaskModels.Cnn(23);
        var data = ml.Data.LoadFromEnumerable(RegressionRows(model, 10f, 3f, 200, 24));
        var importance = ml.Regression.PermutationFeatureImportance((RegressionNetworkTransformer<CnnModelParameters>)Regression(model, 10f, 3f), data, permutationCount: 1);
        Assert.HasCount(FeatureCount, importance);
        Assert.IsTrue(importance.Any(f => f.RootMeanSquaredError.Mean > 0), "shuffling some feature raises the error");
    }
}
