using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetMlp.Cli.CodeGeneration;
using MlNetMlp.Data;
using MlNetMlp.Tests.Packaging;
using MlNetMlp.Transforms;
using static MlNetMlp.Tests.Cli.CliTests;

namespace MlNetMlp.Tests.Cli;

/// <summary>
/// <c>train --emit-code DIR</c> and <c>export --code DIR</c>: the C# project generated from a model file. Unit tests
/// read the generated text for several schemas and compile and call it in process; the CLI tests check the directory
/// rules; one slow test builds and runs the generated project against the locally packed MlNetMlp package.
/// </summary>
[TestClass]
public sealed class EmitCodeTests
{
    public TestContext TestContext { get; set; } = null!;

    /// <summary>A vector feature column and a key label without values, like a Fashion-MNIST model's (which has class names).</summary>
    private sealed class ImageRow
    {
        [KeyType(3)]
        public uint Label { get; set; }

        [VectorType(2, 3)]
        public float[] Image { get; set; } = [];
    }

    /// <summary>Raw columns as a CSV gives them: text, numbers, a flag; names that are no C# identifiers.</summary>
    private sealed class FlowerRow
    {
        [ColumnName("class")]
        public string Class { get; set; } = "";

        public string Color { get; set; } = "";

        [ColumnName("petal length (cm)")]
        public float PetalLength { get; set; }

        [ColumnName("2nd")]
        public float Second { get; set; }

        [ColumnName("is new")]
        public bool IsNew { get; set; }
    }

    /// <summary>The output of a CustomMapping: a class of this assembly, which no package provides.</summary>
    private sealed class Shifted
    {
        public float Shifted2nd { get; set; }
    }

    private static ImageRow[] ImageRows() => [.. Enumerable.Range(0, 60).Select(i => new ImageRow
    {
        Label = (uint)(i % 3 + 1),
        Image = [.. Enumerable.Range(0, 6).Select(j => j == i % 3 ? 1f + i % 5 * 0.1f : 0.1f * (j + i % 4))],
    })];

    private static FlowerRow[] FlowerRows() => [.. Enumerable.Range(0, 90).Select(i => new FlowerRow
    {
        Class = (i % 3) switch { 0 => "setosa", 1 => "versicolor", _ => "virginica" },
        Color = (i % 3 == 2) ^ (i % 7 == 0) ? "purple" : "white",
        PetalLength = 1.5f + 2f * (i % 3) + 0.1f * (i % 5),
        Second = i % 4,
        IsNew = i % 2 == 0,
    })];

    private static (ITransformer Model, DataViewSchema Schema) VectorFeatureModel(MLContext ml)
    {
        var data = ml.Data.LoadFromEnumerable(ImageRows());
        var model = ml.Transforms.FlattenImage("Features", "Image")
            .Append(ml.MulticlassClassification.Trainers.Mlp(hiddenLayers: [8], epochs: 5, batchSize: 10))
            .Fit(data);
        return (model, data.Schema);
    }

    private static (ITransformer Model, DataViewSchema Schema) RawColumnsModel(MLContext ml)
    {
        var data = ml.Data.LoadFromEnumerable(FlowerRows());
        var model = ml.Transforms.Conversion.MapValueToKey("Label", "class")
            .Append(ml.Transforms.Categorical.OneHotEncoding("ColorCode", "Color"))
            .Append(ml.Transforms.Conversion.ConvertType("IsNewNumber", "is new", DataKind.Single))
            .Append(ml.Transforms.Concatenate("Features", "ColorCode", "petal length (cm)", "2nd", "IsNewNumber"))
            .Append(ml.Transforms.NormalizeMeanVariance("Features"))
            .Append(ml.MulticlassClassification.Trainers.Mlp(hiddenLayers: [8], epochs: 30, batchSize: 10))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"))
            .Fit(data);
        return (model, data.Schema);
    }

    private static string ConsumptionCode(ITransformer model, DataViewSchema schema, string modelFile, string project) =>
        CodeEmitter.Generate(model, schema, modelFile, project, "the test model")[ConsumptionProject.ConsumptionFile];

    /// <summary>The generated assembly's MLModel class, with the model saved where its MLNetModelPath points (the test's own directory).</summary>
    private static Type CompileWithModel(MLContext ml, ITransformer model, DataViewSchema schema, string project, out string modelPath)
    {
        string modelFile = $"emit-code-test-{Guid.NewGuid():N}.zip";
        modelPath = Path.Combine(AppContext.BaseDirectory, modelFile);
        ml.Model.Save(model, schema, modelPath);
        var assembly = GeneratedCodeCompiler.Compile(project, ConsumptionCode(model, schema, modelFile, project));
        return assembly.GetType($"{project}.MLModel", throwOnError: true)!;
    }

    private static object Call(Type mlModel, string method, object input) =>
        mlModel.GetMethod(method, BindingFlags.Public | BindingFlags.Static)!.Invoke(null, [input])!;

    private static object Get(object target, string property) => target.GetType().GetProperty(property)!.GetValue(target)!;

    [TestMethod]
    public void VectorFeatureModelGetsVectorAndKeyAttributesAndPredictsLikeTheLibrary()
    {
        var ml = new MLContext(seed: 1);
        var (model, schema) = VectorFeatureModel(ml);
        string code = ConsumptionCode(model, schema, "model.zip", "VectorApp");

        StringAssert.Contains(code, "        [KeyType(3)]\n        public uint Label { get; set; }");
        StringAssert.Contains(code, "        [VectorType(2, 3)]\n        public float[] Image { get; set; } = [];");
        StringAssert.Contains(code, "        public float[] Score { get; set; } = [];");
        StringAssert.Contains(code, "        public uint PredictedLabel { get; set; }");
        StringAssert.Contains(code, "public static IOrderedEnumerable<KeyValuePair<string, float>> PredictAllLabels(ModelInput input)");
        Assert.DoesNotContain("[ColumnName(", code, "every column name is an identifier");
        Assert.DoesNotContain("Features", code, "an intermediate column is neither input nor prediction");

        var mlModel = CompileWithModel(ml, model, schema, "VectorApp", out var modelPath);
        try
        {
            var row = ImageRows()[4];
            var input = Activator.CreateInstance(mlModel.GetNestedType("ModelInput")!)!;
            input.GetType().GetProperty("Image")!.SetValue(input, row.Image);
            var output = Call(mlModel, "Predict", input);

            var expected = model.Transform(ml.Data.LoadFromEnumerable(new[] { row }));
            CollectionAssert.AreEqual(expected.GetColumn<float[]>("Score").Single(), (float[])Get(output, "Score"));
            uint key = expected.GetColumn<uint>("PredictedLabel").Single();
            Assert.AreEqual(key, (uint)Get(output, "PredictedLabel"));
            // No class names in the model: the classes are named by their keys, as PredictedLabel gives them.
            var all = ((IEnumerable<KeyValuePair<string, float>>)Call(mlModel, "PredictAllLabels", input)).ToList();
            CollectionAssert.AreEquivalent(new[] { "1", "2", "3" }, all.Select(p => p.Key).ToArray());
            Assert.AreEqual(key.ToString(CultureInfo.InvariantCulture), all[0].Key);
            Assert.IsTrue(all.Zip(all.Skip(1)).All(p => p.First.Value >= p.Second.Value), "sorted by score, best first");
        }
        finally
        {
            File.Delete(modelPath);
        }
    }

    [TestMethod]
    public void RawColumnsModelNamesItsColumnsAndPredictsTheLabelText()
    {
        var ml = new MLContext(seed: 1);
        var (model, schema) = RawColumnsModel(ml);
        string code = ConsumptionCode(model, schema, "flowers.zip", "Flowers");

        StringAssert.Contains(code, "        [ColumnName(\"class\")]\n        public string Class { get; set; } = \"\";");
        StringAssert.Contains(code, "        public string Color { get; set; } = \"\";");
        StringAssert.Contains(code, "        [ColumnName(\"petal length (cm)\")]\n        public float PetalLengthCm { get; set; }");
        StringAssert.Contains(code, "        [ColumnName(\"2nd\")]\n        public float Col2nd { get; set; }");
        StringAssert.Contains(code, "        [ColumnName(\"is new\")]\n        public bool IsNew { get; set; }");
        // PredictedLabel after MapKeyToValue: the label's own type, text.
        StringAssert.Contains(code, "        public string PredictedLabel { get; set; } = \"\";");
        StringAssert.Contains(code, "PredictAllLabels(ModelInput input)");
        Assert.DoesNotContain("[LoadColumn(", code, "an in-memory schema tells no column index");

        var mlModel = CompileWithModel(ml, model, schema, "Flowers", out var modelPath);
        try
        {
            var row = FlowerRows()[5];
            var input = Activator.CreateInstance(mlModel.GetNestedType("ModelInput")!)!;
            foreach (var (property, value) in new (string, object)[] { ("Color", row.Color), ("PetalLengthCm", row.PetalLength), ("Col2nd", row.Second), ("IsNew", row.IsNew) })
                input.GetType().GetProperty(property)!.SetValue(input, value);
            var output = Call(mlModel, "Predict", input);

            row.Class = ""; // the generated example leaves the label empty too
            var expected = model.Transform(ml.Data.LoadFromEnumerable(new[] { row }));
            CollectionAssert.AreEqual(expected.GetColumn<float[]>("Score").Single(), (float[])Get(output, "Score"));
            string label = expected.GetColumn<string>("PredictedLabel").Single();
            Assert.AreEqual(label, Get(output, "PredictedLabel"));
            var all = ((IEnumerable<KeyValuePair<string, float>>)Call(mlModel, "PredictAllLabels", input)).ToList();
            CollectionAssert.AreEquivalent(new[] { "setosa", "versicolor", "virginica" }, all.Select(p => p.Key).ToArray());
            Assert.AreEqual(label, all[0].Key, "the best class is the predicted label");
        }
        finally
        {
            File.Delete(modelPath);
        }
    }

    [TestMethod]
    public void BinaryAndRegressionOutputsComeFromTheOutputSchema()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(FlowerRows());
        var features = ml.Transforms.Concatenate("Features", "petal length (cm)", "2nd");

        var binary = features.Append(ml.BinaryClassification.Trainers.LbfgsLogisticRegression("is new")).Fit(data);
        string binaryCode = ConsumptionCode(binary, data.Schema, "b.zip", "Binary");
        StringAssert.Contains(binaryCode, "    public class ModelOutput\n    {\n        public bool PredictedLabel { get; set; }\n\n        public float Score { get; set; }\n\n        public float Probability { get; set; }\n    }");
        Assert.DoesNotContain("PredictAllLabels", binaryCode, "one score per row: no classes to list");

        var regression = features.Append(ml.Regression.Trainers.Sdca("petal length (cm)", maximumNumberOfIterations: 5)).Fit(data);
        string regressionCode = ConsumptionCode(regression, data.Schema, "r.zip", "Regression");
        StringAssert.Contains(regressionCode, "    public class ModelOutput\n    {\n        public float Score { get; set; }\n    }");
        Assert.DoesNotContain("PredictAllLabels", regressionCode);
        GeneratedCodeCompiler.Compile("Binary", binaryCode);
        GeneratedCodeCompiler.Compile("Regression", regressionCode);

        var program = CodeEmitter.Generate(regression, data.Schema, "r.zip", "Regression", "the test model")[ConsumptionProject.ProgramFile];
        StringAssert.Contains(program, "    PetalLengthCm = 0F,\n    Col2nd = 0F,\n    IsNew = false,");
        StringAssert.Contains(program, "Console.WriteLine(\"Score: \" + Show(output.Score));");
    }

    [TestMethod]
    public void AModelWithoutAPredictionAndAColumnWithoutACSharpTypeAreRefused()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(FlowerRows());
        var concatenate = ml.Transforms.Concatenate("Features", "petal length (cm)", "2nd").Fit(data);
        var noPrediction = Assert.ThrowsExactly<NotSupportedException>(() => CodeEmitter.Generate(concatenate, data.Schema, "c.zip", "C", "Model file 'c.zip'"));
        StringAssert.Contains(noPrediction.Message, "Model file 'c.zip' appends no prediction column");
        var noSchema = Assert.ThrowsExactly<InvalidDataException>(() => CodeEmitter.Generate(concatenate, null!, "c.zip", "C", "Model file 'c.zip'"));
        StringAssert.Contains(noSchema.Message, "Model file 'c.zip' stores no input schema");

        var custom = ml.Transforms.CustomMapping((FlowerRow row, Shifted output) => output.Shifted2nd = row.Second + 1, contractName: null)
            .Append(ml.Transforms.Concatenate("Features", "petal length (cm)", "Shifted2nd"))
            .Append(ml.Transforms.Conversion.MapValueToKey("Label", "class"))
            .Append(ml.MulticlassClassification.Trainers.Mlp(hiddenLayers: [4], epochs: 1)).Fit(data);
        var foreign = Assert.ThrowsExactly<NotSupportedException>(() => CodeEmitter.Generate(custom, data.Schema, "c.zip", "C", "Model file 'c.zip'"));
        StringAssert.Contains(foreign.Message, "comes from the assembly MlNetMlp.Tests");
    }

    [TestMethod]
    public void NamesBecomeUniqueIdentifiersAndLiteralsKeepEveryCharacter()
    {
        var taken = new HashSet<string> { "ModelInput" };
        Assert.AreEqual("ModelInput2", CSharpNames.Identifier("ModelInput", taken));
        Assert.AreEqual("Class", CSharpNames.Identifier("class", taken));
        Assert.AreEqual("Class2", CSharpNames.Identifier("Class", taken));
        Assert.AreEqual("Column", CSharpNames.Identifier("(!)", taken));
        Assert.AreEqual("Column2", CSharpNames.Identifier("", taken));
        Assert.AreEqual("Int", CSharpNames.Identifier("int", new HashSet<string>()));
        Assert.AreEqual("Col1stPlace", CSharpNames.Identifier("1st place", new HashSet<string>()));
        Assert.AreEqual("größe", CSharpNames.Identifier("größe", new HashSet<string>()));
        Assert.AreEqual("\"a\\\"b\\\\c\\nd\\u0001\"", CSharpNames.Literal("a\"b\\c\nd\u0001"));
        Assert.AreEqual("FashionCode", CodeEmitter.ProjectName("/tmp/fashion-code/"));
        Assert.AreEqual("Code", CodeEmitter.ProjectName("code"));
        Assert.AreEqual("MLModelConsumer", CodeEmitter.ProjectName("/tmp/---"));
    }
    /// <summary>A model file of <see cref="VectorFeatureModel"/> in a new temporary directory.</summary>
    private static (string Directory, string Model) SavedModel()
    {
        var dir = Directory.CreateTempSubdirectory("mlnetmlp-emit-code-").FullName;
        var ml = new MLContext(seed: 1);
        var (model, schema) = VectorFeatureModel(ml);
        var path = Path.Combine(dir, "m.zip");
        ModelFile.Save(ml, model, schema, path);
        return (dir, path);
    }

    [TestMethod]
    public void ExportWritesANewDirectoryAndRewritesOnlyItsOwnUnchangedFiles()
    {
        var (dir, model) = SavedModel();
        try
        {
            var code = Path.Combine(dir, "code");
            var first = Run("export", model, "--code", code);
            Assert.AreEqual(0, first.exitCode, first.stderr);
            StringAssert.Contains(first.stdout, $"wrote {code}: Code.csproj, Directory.Build.props, MLModel.consumption.cs, Program.cs, m.zip");
            Assert.IsFalse(File.Exists(Path.ChangeExtension(model, ".onnx")), "--code alone writes no ONNX file");
            CollectionAssert.AreEqual(File.ReadAllBytes(model), File.ReadAllBytes(Path.Combine(code, "m.zip")));
            StringAssert.Contains(File.ReadAllText(Path.Combine(code, "Code.csproj")), "<None Include=\"m.zip\" CopyToOutputDirectory=\"PreserveNewest\" />");

            // Ours and unchanged: written again; what a build or the user added stays.
            Directory.CreateDirectory(Path.Combine(code, "obj"));
            File.WriteAllText(Path.Combine(code, "Notes.md"), "mine");
            var again = Run("export", model, "--code", code, "--json");
            Assert.AreEqual(0, again.exitCode, again.stderr);
            StringAssert.Contains(again.stdout.Trim().Split('\n')[^1], "\"files\":[");
            Assert.AreEqual("mine", File.ReadAllText(Path.Combine(code, "Notes.md")));

            // Another model file name: the old copy (unchanged, ours) goes, the new one comes.
            var other = Path.Combine(dir, "other.zip");
            File.Copy(model, other);
            Assert.AreEqual(0, Run("export", other, "--code", code).exitCode);
            Assert.IsFalse(File.Exists(Path.Combine(code, "m.zip")), "the stale model copy was left");
            Assert.IsTrue(File.Exists(Path.Combine(code, "other.zip")));

            // A file we would write that the user made.
            File.WriteAllText(Path.Combine(code, "m.zip"), "user's file");
            AssertOneLineError(Run("export", model, "--code", code), "--code", "m.zip exists and was not written by mlnetmlp");
            File.Delete(Path.Combine(code, "m.zip"));

            // With --onnx too: both, and the ONNX file may not go into the project.
            var both = Path.Combine(dir, "both");
            AssertOneLineError(Run("export", model, "--onnx", Path.Combine(both, "m.onnx"), "--code", both), "--onnx", "inside --code");
            var withOnnx = Run("export", model, "--onnx", Path.Combine(dir, "m.onnx"), "--code", both, "--json");
            Assert.AreEqual(0, withOnnx.exitCode, withOnnx.stderr);
            Assert.IsTrue(File.Exists(Path.Combine(dir, "m.onnx")) && File.Exists(Path.Combine(both, "Program.cs")), withOnnx.stdout);
            StringAssert.Contains(withOnnx.stdout.Trim().Split('\n')[^1], "\"code\":");

            // The user's edit of a generated file is never overwritten.
            File.AppendAllText(Path.Combine(code, "Program.cs"), "// my change\n");
            AssertOneLineError(Run("export", model, "--code", code), "--code", "Program.cs was changed since mlnetmlp wrote it");
            StringAssert.EndsWith(File.ReadAllText(Path.Combine(code, "Program.cs")), "// my change\n");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void ADirectoryThatIsNotOursIsRefusedBeforeTraining()
    {
        var (dir, model) = SavedModel();
        try
        {
            var foreign = Path.Combine(dir, "foreign");
            Directory.CreateDirectory(foreign);
            File.WriteAllText(Path.Combine(foreign, "x.txt"), "x");
            AssertOneLineError(Run("export", model, "--code", foreign), "--code", foreign, "not empty", CodeDirectory.ManifestName);

            // train checks --emit-code before it reads any data: nothing is trained or saved.
            var output = Path.Combine(dir, "new.zip");
            var stopwatch = Stopwatch.StartNew();
            AssertOneLineError(Run("train", "--out", output, "--emit-code", foreign), "--emit-code", foreign, "not empty");
            Assert.IsLessThan(20.0, stopwatch.Elapsed.TotalSeconds, "refused before training");
            Assert.IsFalse(File.Exists(output), "a model was saved");
            AssertOneLineError(Run("train", "--out", Path.Combine(foreign, "m.zip"), "--emit-code", foreign), "--out", "inside --emit-code");
            AssertOneLineError(Run("export", model, "--code", dir), "model", "inside --code");
            AssertOneLineError(Run("export", model, "--code", Path.Combine(dir, "m.zip")), "--code", "not a directory");

            File.WriteAllText(Path.Combine(foreign, CodeDirectory.ManifestName), "{ not json");
            AssertOneLineError(Run("export", model, "--code", foreign), "--code", CodeDirectory.ManifestName, "is not a manifest written by mlnetmlp");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private sealed class FashionImage
    {
        [VectorType(28, 28)]
        public float[] Image { get; set; } = [];
    }

    private sealed class FashionPrediction
    {
        public uint PredictedLabel { get; set; }

        public float[] Score { get; set; } = [];
    }

    /// <summary>
    /// The whole path a user takes: the CLI trains a small Fashion-MNIST model with --emit-code; the generated project
    /// restores offline (only the test feed with MlNetMlp packed from these sources, and the packages already in the
    /// NuGet folder), builds inside a folder with MSBuild settings of its own, runs, and prints exactly what the library
    /// predicts for its example row (all-zero pixels).
    /// About a minute: filter it out with <c>--filter "TestCategory!=Slow"</c>.
    /// </summary>
    [TestMethod]
    [TestCategory("Slow")]
    public void TheEmittedProjectBuildsOfflineAndPrintsTheLibrarysPrediction()
    {
        if (!HaveData) Assert.Inconclusive("Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist).");
        var total = Stopwatch.StartNew();
        TestPackageFeed.Pack("MlNetMlp");
        var packed = total.Elapsed;
        var work = Directory.CreateTempSubdirectory("mlnetmlp-emit-code-e2e-").FullName;
        try
        {
            var model = Path.Combine(work, "m.zip");
            var code = Path.Combine(work, "fashion-code");
            var train = Run("train", "--train-rows", "500", "--hidden", "16", "--epochs", "1", "--out", model, "--emit-code", code);
            Assert.AreEqual(0, train.exitCode, train.stderr);
            StringAssert.Contains(train.stdout, $"wrote {code}: ");
            var trained = total.Elapsed;

            File.WriteAllText(Path.Combine(work, "nuget.config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources>
                    <clear />
                    <add key="mlnetmlp-test" value="{TestPackageFeed.Directory}" />
                  </packageSources>
                </configuration>
                """);
            // As if written inside a repository with MSBuild settings of its own (central package versions, a target that
            // fails): the generated project keeps them out.
            File.WriteAllText(Path.Combine(work, "Directory.Build.props"), "<Project><PropertyGroup><ManagePackageVersionsCentrally>true</ManagePackageVersionsCentrally></PropertyGroup></Project>");
            File.WriteAllText(Path.Combine(work, "Directory.Packages.props"), "<Project><PropertyGroup><ManagePackageVersionsCentrally>true</ManagePackageVersionsCentrally></PropertyGroup></Project>");
            File.WriteAllText(Path.Combine(work, "Directory.Build.targets"), "<Project><Target Name=\"Outer\" BeforeTargets=\"Build\"><Error Text=\"the folder's targets were imported\" /></Target></Project>");
            TestPackageFeed.Run("dotnet", ["build", "-c", "Release", $"-p:{ConsumptionProject.MlNetMlpVersionProperty}={TestPackageFeed.Version}"], code, TimeSpan.FromMinutes(4));
            var built = total.Elapsed;
            var (_, printed) = TestPackageFeed.Run("dotnet", ["run", "-c", "Release", "--no-build"], code, TimeSpan.FromMinutes(2));
            var ran = total.Elapsed;

            var ml = new MLContext();
            var loaded = ModelFile.Load(ml, model, out _);
            var expected = ml.Model.CreatePredictionEngine<FashionImage, FashionPrediction>(loaded).Predict(new FashionImage { Image = new float[784] });
            static string R(float value) => value.ToString("R", CultureInfo.InvariantCulture);
            var lines = printed.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
            CollectionAssert.Contains(lines, $"Score: [{string.Join(", ", expected.Score.Select(R))}]", printed);
            CollectionAssert.Contains(lines, $"PredictedLabel: {expected.PredictedLabel}", printed);
            int best = Array.IndexOf(lines, "Classes by score:") + 1;
            Assert.IsGreaterThan(0, best, printed);
            Assert.AreEqual($"  {FashionMnist.ClassNames[(int)expected.PredictedLabel - 1]}: {R(expected.Score.Max())}", lines[best], printed);
            Assert.HasCount(10, lines.Skip(best).Where(l => l.StartsWith("  ", StringComparison.Ordinal)), printed);

            TestContext.WriteLine(FormattableString.Invariant(
                $"pack {packed.TotalSeconds:F1} s, train + emit {(trained - packed).TotalSeconds:F1} s, build {(built - trained).TotalSeconds:F1} s, run {(ran - built).TotalSeconds:F1} s; total {ran.TotalSeconds:F1} s"));
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
