using System.Diagnostics;
using Microsoft.ML;
using MlNetMlp.Data;
using MlNetMlp.Transforms;

namespace MlNetMlp.Tests.Onnx;

/// <summary>
/// The exported files pass the ONNX checker (the reference implementation's), so other ONNX consumers than ONNX
/// Runtime accept them too. Not its full_check: the shape inference rejects the slot-names LabelEncoder ML.NET's
/// exporter itself adds for every column with slot names (mlnet.Score.SlotNames), not a node of ours. Inconclusive where Python's onnx package is missing
/// (Debian: apt-get install python3-onnx).
/// </summary>
[TestClass]
public sealed class OnnxCheckerTests
{
    private const string CheckScript =
        "import sys\ntry:\n    import onnx\nexcept ImportError:\n    sys.exit(3)\nonnx.checker.check_model(onnx.load(sys.argv[1]))\nprint('ok')";

    /// <summary>Exit code, stdout and stderr of the checker, or null when the interpreter is missing.</summary>
    private static (int ExitCode, string Output, string Error)? RunChecker(string interpreter, string path)
    {
        var start = new ProcessStartInfo(interpreter) { RedirectStandardOutput = true, RedirectStandardError = true, ArgumentList = { "-c", CheckScript, path } };
        try
        {
            using var process = Process.Start(start)!;
            var error = process.StandardError.ReadToEndAsync();
            string output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, output, error.Result);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    private static void AssertPassesChecker(byte[] model)
    {
        string path = Path.Combine(Path.GetTempPath(), $"mlnetmlp-check-{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(path, model);
        try
        {
            // The Debian package installs into the system interpreter, which a pyenv or venv python3 on PATH may hide.
            foreach (string interpreter in new[] { "python3", "/usr/bin/python3" })
            {
                if (RunChecker(interpreter, path) is not var (exitCode, output, error) || exitCode == 3) continue;
                Assert.AreEqual(0, exitCode, $"onnx.checker ({interpreter}) rejected the model: {error}");
                Assert.AreEqual("ok", output.Trim());
                return;
            }
            Assert.Inconclusive("Python's onnx package is missing (apt-get install python3-onnx to run this test).");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void ReadmePipelineAndCnnExportsPassTheOnnxChecker()
    {
        string directory = FashionMnist.SystemDatasetDirectory;
        if (!File.Exists(Path.Combine(directory, "t10k-images-idx3-ubyte.gz")))
            Assert.Inconclusive($"{directory} is absent (apt-get install dataset-fashion-mnist to run this test).");
        var ml = new MLContext(seed: 1);
        var data = FashionMnist.Load(ml, FashionMnistSplit.Test, directory, maxRows: 256);
        var mlp = ml.Transforms.NormalizePixels("Image", mode: PixelNormalizationMode.Standardize)
            .Append(ml.Transforms.FlattenImage("Features", "Image"))
            .Append(ml.MulticlassClassification.Trainers.Mlp(new MlpTrainer.Options { HiddenLayers = [16], Activation = MlpActivation.Gelu, Epochs = 1 }))
            .Fit(data);
        AssertPassesChecker(OnnxRuntimeScoring.Export(ml, mlp, data));

        var cnn = ml.MulticlassClassification.Trainers.Cnn(Cnn.CnnTrainerTests.SmallOptions(epochs: 1)).Fit(data);
        AssertPassesChecker(OnnxRuntimeScoring.Export(ml, cnn, data));
    }
}
