using System.CommandLine;
using Microsoft.ML;

namespace MlNetMlp.Cli;

/// <summary>
/// <c>mlnetmlp export model.zip --onnx model.onnx</c>: the model as an ONNX graph (ML.NET's exporter), from the input
/// columns its file stores, so no data is needed. The file is written atomically and only once the graph loads in
/// ONNX Runtime; a model that cannot be exported leaves nothing behind.
/// </summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var modelPath = new Argument<string>("model") { Description = "Model zip written by 'mlnetmlp train'." };
        var onnx = new Option<string?>("--onnx") { Description = "ONNX file to write (default: the model path with the extension .onnx)." };
        var json = SharedOptions.Json();
        var command = new Command("export", "Export a saved model to ONNX (inputs and outputs named as ML.NET's own exports name them).") { modelPath, onnx, json };
        command.SetAction(parse =>
        {
            string path = parse.GetValue(modelPath)!;
            string onnxPath = parse.GetValue(onnx) ?? Path.ChangeExtension(path, ".onnx");
            // Named before the check of --onnx, which makes its directory: the default one is the model's own.
            if (!File.Exists(path) && !Directory.Exists(path)) throw new FileNotFoundException($"Model file '{path}' does not exist.", path);
            OutputCheck.File("--onnx", onnxPath, "ONNX", "model.onnx");
            OutputCheck.Distinct(("model", path), ("--onnx", onnxPath));

            var mlContext = new MLContext(seed: 1);
            var model = ModelFile.Load(mlContext, path, out var inputSchema);
            var graph = OnnxExport.Convert(mlContext, model, inputSchema, $"Model file '{path}'");
            AtomicFile.Write(onnxPath, stream => stream.Write(graph.Bytes));

            Terminal.Line($"wrote {onnxPath} ({graph.Bytes.Length:N0} bytes): inputs {string.Join(", ", graph.Inputs)}; outputs {string.Join(", ", graph.Outputs)}");
            if (parse.GetValue(json))
            {
                static object Tensors(IEnumerable<OnnxExport.TensorInfo> tensors) =>
                    tensors.Select(t => new Dictionary<string, object?> { ["name"] = t.Name, ["type"] = t.ElementType, ["shape"] = t.Shape }).ToArray();
                Terminal.JsonLine(new Dictionary<string, object?>
                {
                    ["model"] = Path.GetFullPath(path),
                    ["onnx"] = Path.GetFullPath(onnxPath),
                    ["bytes"] = graph.Bytes.Length,
                    ["inputs"] = Tensors(graph.Inputs),
                    ["outputs"] = Tensors(graph.Outputs),
                });
            }
            return 0;
        });
        return command;
    }
}
