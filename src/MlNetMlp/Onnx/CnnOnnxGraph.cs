using Microsoft.ML.Model.OnnxConverter;
using MlNetMlp.Cnn;

namespace MlNetMlp.Onnx;

/// <summary>
/// A CNN's inference pass up to the logits as ONNX, in ONNX's NCHW layout (the engine computes NHWC, but its input
/// rows are CHW and its flatten emits PyTorch's NCHW order, so the NCHW graph reads the same rows and feeds the dense
/// layers the same vectors): Reshape to [N, C, H, W] and scale, then Conv, BatchNormalization (running statistics),
/// MaxPool, Relu, Flatten and Gemm; dropout is the identity at inference and adds no node.
/// </summary>
internal static class CnnOnnxGraph
{
    public static string SaveLogits(OnnxContext ctx, string features, CnnNetwork network)
    {
        var input = network.InputShape;
        string shape = ctx.AddInitializer([-1L, input.Channels, input.Height, input.Width], [4L], "cnn_input_shape");
        string current = OnnxNodes.Node(ctx, "Reshape", [features, shape], "cnn_input");
        current = OnnxNodes.Node(ctx, "Mul", [current, ctx.AddInitializer(network.PixelScale, "cnn_pixel_scale")], "cnn_scaled");
        ReadOnlySpan<float> parameters = network.Parameters, buffers = network.Buffers;
        for (int i = 0; i < network.Layers.Length; i++)
        {
            string name = "cnn_" + network.LayerNames[i];
            var layer = network.Layers[i];
            ReadOnlySpan<float> p = parameters.Slice(layer.ParameterOffset, layer.ParameterLength);
            switch (layer)
            {
                case Conv2DLayer conv:
                    var g = conv.Geometry;
                    float[] oihw = TensorLayout.HwioToOihw(p[..g.WeightCount], g.OutChannels, g.InChannels, g.Kernel);
                    string w = ctx.AddInitializer(oihw, [g.OutChannels, g.InChannels, g.Kernel, g.Kernel], name + "_W");
                    string b = ctx.AddInitializer(p[g.WeightCount..].ToArray(), [g.OutChannels], name + "_B");
                    current = OnnxNodes.Node(ctx, "Conv", [current, w, b], name, n =>
                    {
                        n.AddAttribute("kernel_shape", new long[] { g.Kernel, g.Kernel });
                        n.AddAttribute("strides", new long[] { g.Stride, g.Stride });
                        n.AddAttribute("pads", new long[] { g.Padding, g.Padding, g.Padding, g.Padding });
                    });
                    break;
                case BatchNormLayer bn:
                    int channels = layer.Input.Channels;
                    ReadOnlySpan<float> stats = buffers.Slice(layer.BufferOffset, layer.BufferLength);
                    string gamma = ctx.AddInitializer(p[..channels].ToArray(), [channels], name + "_scale");
                    string beta = ctx.AddInitializer(p[channels..].ToArray(), [channels], name + "_bias");
                    string mean = ctx.AddInitializer(stats[..channels].ToArray(), [channels], name + "_mean");
                    string variance = ctx.AddInitializer(stats[channels..].ToArray(), [channels], name + "_var");
                    current = OnnxNodes.Node(ctx, "BatchNormalization", [current, gamma, beta, mean, variance], name,
                        n => n.AddAttribute("epsilon", (double)bn.Epsilon));
                    break;
                case MaxPool2DLayer pool:
                    current = OnnxNodes.Node(ctx, "MaxPool", [current], name, n =>
                    {
                        n.AddAttribute("kernel_shape", new long[] { pool.Size, pool.Size });
                        n.AddAttribute("strides", new long[] { pool.Stride, pool.Stride });
                        n.AddAttribute("pads", new long[] { pool.Padding, pool.Padding, pool.Padding, pool.Padding });
                    });
                    break;
                case ReluLayer:
                    current = OnnxNodes.Node(ctx, "Relu", [current], name);
                    break;
                case DropoutLayer:
                    break;
                case FlattenLayer:
                    current = OnnxNodes.Node(ctx, "Flatten", [current], name, n => n.AddAttribute("axis", 1L));
                    break;
                case DenseLayer dense:
                    // Stored [out × in] like nn.Linear: Gemm with transB.
                    string dw = ctx.AddInitializer(p[..(dense.Units * dense.Inputs)].ToArray(), [dense.Units, dense.Inputs], name + "_W");
                    string db = ctx.AddInitializer(p[(dense.Units * dense.Inputs)..].ToArray(), [dense.Units], name + "_B");
                    current = OnnxNodes.Node(ctx, "Gemm", [current, dw, db], name, n => n.AddAttribute("transB", 1L));
                    break;
                default:
                    throw new NotSupportedException($"ONNX export: the CNN layer {layer} has no ONNX form.");
            }
        }
        return current;
    }
}
