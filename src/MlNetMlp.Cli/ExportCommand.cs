using MlNetMlp.Cli.CodeGeneration;

namespace MlNetMlp.Cli;

/// <summary>
/// <c>mlnetmlp export model.zip --onnx model.onnx</c>: the model as an ONNX graph (ML.NET's exporter), from the input
/// columns its file stores, so no data is needed. The file is written atomically and only once the graph loads in
/// ONNX Runtime; a model that cannot be exported leaves nothing behind. <c>--code DIR</c> writes a C# project that
/// predicts with the model instead (<see cref="CodeEmitter"/>), or as well when <c>--onnx</c> is also given.
/// </summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var modelPath = new Argument<string>("model") { Description = "Model zip written by 'mlnetmlp train'." };
        var onnx = new Option<string?>("--onnx") { Description = "ONNX file to write (default: the model path with the extension .onnx)." };
        var codeOption = new Option<string?>("--code") { HelpName = "DIR", Description = "Write a C# project that predicts with the model into this directory (ModelInput/ModelOutput, Predict; Model Builder's style); no ONNX file unless --onnx is given too." };
        var json = SharedOptions.Json();
        var command = new Command("export", "Export a saved model to ONNX (inputs and outputs named as ML.NET's own exports name them), or as C# code that predicts with it.") { modelPath, onnx, codeOption, json };
        command.SetAction(parse =>
        {
            string path = parse.GetValue(modelPath)!;
            string? codeDirectory = parse.GetValue(codeOption);
            // Named before the check of --onnx, which makes its directory: the default one is the model's own.
            if (!File.Exists(path) && !Directory.Exists(path)) throw new FileNotFoundException($"Model file '{path}' does not exist.", path);
            if (codeDirectory is not null)
            {
                if (parse.GetValue(onnx) is null)
                {
                    var files = CodeEmitter.Emit("--code", codeDirectory, "model", path);
                    Terminal.Line($"wrote {codeDirectory}: {string.Join(", ", files)} (build and run it with: dotnet run --project {codeDirectory})");
                    if (parse.GetValue(json))
                        Terminal.JsonLine(new Dictionary<string, object?> { ["model"] = Path.GetFullPath(path), ["code"] = Path.GetFullPath(codeDirectory), ["files"] = files });
                    return 0;
                }
            }
            string onnxPath = parse.GetValue(onnx) ?? Path.ChangeExtension(path, ".onnx");
            OutputCheck.File("--onnx", onnxPath, "ONNX", "model.onnx");
            OutputCheck.Distinct(("model", path), ("--onnx", onnxPath));
            if (codeDirectory is not null) CodeEmitter.Check("--code", codeDirectory, "model", path);
            if (codeDirectory is not null && RegularFile.Canonical(onnxPath).StartsWith(RegularFile.Canonical(codeDirectory) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                throw new ArgumentException($"--onnx {onnxPath} is inside --code {codeDirectory}, which holds only the generated project: write the ONNX file elsewhere.", "--onnx");

            var mlContext = new MLContext(seed: 1);
            var model = ModelFile.Load(mlContext, path, out var inputSchema);
            // Both outputs are made before either is written, so one that fails leaves nothing behind.
            var code = codeDirectory is null ? null : CodeEmitter.ProjectFiles(model, inputSchema, path, codeDirectory);
            var graph = OnnxExport.Convert(mlContext, model, inputSchema, $"Model file '{path}'");
            AtomicFile.Write(onnxPath, stream => stream.Write(graph.Bytes));
            if (code is not null) CodeDirectory.Write("--code", codeDirectory!, code);
            IReadOnlyList<string>? codeFiles = code?.Keys.Order(StringComparer.Ordinal).ToList();

            Terminal.Line($"wrote {onnxPath} ({graph.Bytes.Length:N0} bytes): inputs {string.Join(", ", graph.Inputs)}; outputs {string.Join(", ", graph.Outputs)}");
            if (codeFiles is not null) Terminal.Line($"wrote {codeDirectory}: {string.Join(", ", codeFiles)} (build and run it with: dotnet run --project {codeDirectory})");
            if (parse.GetValue(json))
            {
                static object Tensors(IEnumerable<OnnxExport.TensorInfo> tensors) =>
                    tensors.Select(t => new Dictionary<string, object?> { ["name"] = t.Name, ["type"] = t.ElementType, ["shape"] = t.Shape }).ToArray();
                var result = new Dictionary<string, object?>
                {
                    ["model"] = Path.GetFullPath(path),
                    ["onnx"] = Path.GetFullPath(onnxPath),
                    ["bytes"] = graph.Bytes.Length,
                    ["inputs"] = Tensors(graph.Inputs),
                    ["outputs"] = Tensors(graph.Outputs),
                };
                if (codeFiles is not null)
                {
                    result["code"] = Path.GetFullPath(codeDirectory!);
                    result["files"] = codeFiles;
                }
                Terminal.JsonLine(result);
            }
            return 0;
        });
        return command;
    }
}
