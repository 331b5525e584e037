using Microsoft.ML.Data;
using Microsoft.ML.Model.OnnxConverter;
using MlNetMlp.Numerics;

namespace MlNetMlp.Onnx;

/// <summary>
/// The ONNX building blocks MlNetMlp's transformers export with: each adds nodes to an ML.NET
/// <see cref="OnnxContext"/> (opset 9–12, ML.NET's exporter's range) and returns its output variable.
/// Every block computes what the matching .NET code computes, in the same order of operations where it matters.
/// </summary>
internal static class OnnxNodes
{
    /// <summary>Declared type of intermediate float values (not written to the graph: ONNX Runtime infers their shapes).</summary>
    private static readonly DataViewType FloatVector = new VectorDataViewType(NumberDataViewType.Single);

    /// <summary>Output of one node with a fresh, unique variable name.</summary>
    public static string Node(OnnxContext ctx, string opType, string[] inputs, string outputPrefix, Action<OnnxNode>? attributes = null,
        DataViewType? outputType = null)
    {
        string output = ctx.AddIntermediateVariable(outputType ?? FloatVector, outputPrefix, true);
        var node = ctx.CreateNode(opType, inputs, [output], ctx.GetNodeName(opType), "");
        attributes?.Invoke(node);
        return output;
    }

    /// <summary><c>input · weights + bias</c>: <paramref name="weightsInByOut"/> is [inputs × outputs] row-major.</summary>
    public static string Dense(OnnxContext ctx, string input, float[] weightsInByOut, float[] bias, int inputs, int outputs, string name)
    {
        string weights = ctx.AddInitializer(weightsInByOut, [inputs, outputs], name + "_W");
        string biasName = ctx.AddInitializer(bias, [outputs], name + "_B");
        return Node(ctx, "Gemm", [input, weights, biasName], name);
    }

    /// <summary>f(z) of an MLP hidden layer, as <see cref="Activations.Value{T}"/> defines it.</summary>
    public static string Activation(OnnxContext ctx, string z, MlpActivation activation, float leakyReluSlope, float eluAlpha, string name)
    {
        switch (activation)
        {
            case MlpActivation.Relu: return Node(ctx, "Relu", [z], name);
            case MlpActivation.LeakyRelu: return Node(ctx, "LeakyRelu", [z], name, n => n.AddAttribute("alpha", (double)leakyReluSlope));
            case MlpActivation.Tanh: return Node(ctx, "Tanh", [z], name);
            case MlpActivation.Sigmoid: return Node(ctx, "Sigmoid", [z], name);
            case MlpActivation.Elu: return Node(ctx, "Elu", [z], name, n => n.AddAttribute("alpha", (double)eluAlpha));
            case MlpActivation.Gelu: return TanhGelu(ctx, z, name);
            default: throw new ArgumentOutOfRangeException(nameof(activation), activation, null);
        }
    }

    /// <summary>
    /// MlNetMlp's GELU is the tanh approximation 0.5·z·(1 + tanh(√(2/π)·(z + 0.044715·z³))), so it is exported as that
    /// formula; ONNX's Gelu (opset 20) and the erf form are the exact GELU and would differ by up to about 1e-3.
    /// </summary>
    private static string TanhGelu(OnnxContext ctx, string z, string name)
    {
        string square = Node(ctx, "Mul", [z, z], name + "_z2");
        string cubicTerm = Node(ctx, "Mul", [Node(ctx, "Mul", [z, ctx.AddInitializer(0.044715f, name + "_c")], name + "_cz"), square], name + "_cz3");
        string inner = Node(ctx, "Mul", [Node(ctx, "Add", [cubicTerm, z], name + "_sum"), ctx.AddInitializer(0.7978845608028654f, name + "_s")], name + "_inner");
        string onePlusTanh = Node(ctx, "Add", [Node(ctx, "Tanh", [inner], name + "_tanh"), ctx.AddInitializer(1f, name + "_one")], name + "_1pt");
        string halfZ = Node(ctx, "Mul", [z, ctx.AddInitializer(0.5f, name + "_half")], name + "_hz");
        return Node(ctx, "Mul", [halfZ, onePlusTanh], name);
    }

    /// <summary>Row-wise softmax of [N, C] logits into <paramref name="output"/>.</summary>
    public static void Softmax(OnnxContext ctx, string logits, string output)
    {
        var node = ctx.CreateNode("Softmax", logits, output, ctx.GetNodeName("Softmax"), "");
        node.AddAttribute("axis", 1L);
    }

    /// <summary>
    /// The predicted key of [N, C] scores into <paramref name="output"/> ([N, 1] UInt32): ArgMax (first maximum, as
    /// the .NET scorer) → +1 (keys are 1-based) → Cast, the form of ML.NET's own multiclass trainers' export.
    /// </summary>
    public static void PredictedKey(OnnxContext ctx, string scores, string output, string name)
    {
        var int64 = NumberDataViewType.Int64;
        string index = Node(ctx, "ArgMax", [scores], name + "_argmax", n =>
        {
            n.AddAttribute("axis", 1L);
            n.AddAttribute("keepdims", 1L);
        }, int64);
        string key = Node(ctx, "Add", [index, ctx.AddInitializer(1L, name + "_one")], name + "_key", outputType: int64);
        var cast = ctx.CreateNode("Cast", key, output, ctx.GetNodeName("Cast"), "");
        cast.AddAttribute("to", typeof(uint));
    }
}
