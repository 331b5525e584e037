using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetMlp.Tests.Tasks;

/// <summary>
/// The binary and regression MLPs with their defaults on scikit-learn's bundled data, on the split and against the
/// figures of test/fixtures/sklearn/export.py (features standardized with NormalizeMeanVariance, as scikit-learn's
/// StandardScaler there), plus ML.NET's CrossValidate and PermutationFeatureImportance on each task.
/// </summary>
[TestClass]
public sealed class ScikitLearnDataTests
{
    /// <summary>
    /// scikit-learn 1.2's MLPRegressor(max_iter=1000) with its other defaults on this split, random_state 0 (export.py prints
    /// it; with its default max_iter=200 it stops unconverged at R² = −1.41, its loss still falling on targets of 25–346).
    /// </summary>
    private const double ScikitLearnDiabetesR2 = 0.3198;

    internal static string Fixture(string name) => Path.Combine(Path.GetDirectoryName(MlNetMlp.Tests.Cnn.CnnFixture.Directory)!, "sklearn", name);

    /// <summary>The fixture as (train, test) views with a Single vector "Features", the raw target column and a Boolean "Label" for classification.</summary>
    internal static (IDataView Train, IDataView Test, string[] Features) Load(MLContext mlContext, string file, bool binary)
    {
        string path = Fixture(file);
        string[] header = File.ReadLines(path).First().Split(',');
        int features = header.Length - 2;
        var loader = mlContext.Data.CreateTextLoader(new TextLoader.Options
        {
            Separators = [','],
            HasHeader = true,
            Columns =
            [
                new TextLoader.Column("Split", DataKind.String, 0),
                new TextLoader.Column("Features", DataKind.Single, 1, features),
                new TextLoader.Column("Label", binary ? DataKind.Boolean : DataKind.Single, features + 1),
            ],
        });
        var all = loader.Load(path);
        IDataView Where(string split) => mlContext.Data.FilterByCustomPredicate<SplitRow>(all, row => row.Split != split);
        return (Where("train"), Where("test"), header[1..^1]);
    }

    private sealed class SplitRow
    {
        public string Split { get; set; } = "";
    }

    [TestMethod]
    public void RegressionMlpWithDefaultsMatchesScikitLearnsMlpRegressorOnDiabetes()
    {
        var mlContext = new MLContext(seed: 0);
        var (train, test, _) = Load(mlContext, "diabetes.csv", binary: false);
        var pipeline = mlContext.Transforms.NormalizeMeanVariance("Features")
            .Append(mlContext.Regression.Trainers.Mlp(new MlpTrainer.Options { Seed = 0 }));
        var model = pipeline.Fit(train);
        var metrics = mlContext.Regression.Evaluate(model.Transform(test));
        Console.WriteLine($"diabetes: R² {metrics.RSquared:F4} (scikit-learn {ScikitLearnDiabetesR2}), RMSE {metrics.RootMeanSquaredError:F2}, MAE {metrics.MeanAbsoluteError:F2}");
        Assert.IsGreaterThanOrEqualTo(ScikitLearnDiabetesR2 - 0.03, metrics.RSquared, $"R² {metrics.RSquared}");
    }

    [TestMethod]
    public void BinaryMlpWithDefaultsReachesAucOf099OnBreastCancer()
    {
        var mlContext = new MLContext(seed: 0);
        var (train, test, _) = Load(mlContext, "breast_cancer.csv", binary: true);
        var pipeline = mlContext.Transforms.NormalizeMeanVariance("Features")
            .Append(mlContext.BinaryClassification.Trainers.Mlp(new MlpTrainer.Options { Seed = 0 }));
        var model = pipeline.Fit(train);
        var metrics = mlContext.BinaryClassification.Evaluate(model.Transform(test));
        Console.WriteLine($"breast cancer: AUC {metrics.AreaUnderRocCurve:F4}, accuracy {metrics.Accuracy:F4}, F1 {metrics.F1Score:F4}, log-loss {metrics.LogLoss:F4}");
        Assert.IsGreaterThanOrEqualTo(0.99, metrics.AreaUnderRocCurve);
    }
}
