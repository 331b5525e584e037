using System.Numerics.Tensors;
using MlNetMlp.Numerics;

namespace MlNetMlp.Cnn;

/// <summary>
/// Fully connected layer, <c>y = x·Wᵀ + b</c> with W stored <c>[out, in]</c> like <c>nn.Linear</c>, on the
/// MLP's register-blocked GEMM kernels (<see cref="Gemm"/>).
/// </summary>
internal sealed class DenseLayer(TensorShape input, int units) : CnnLayer(input, TensorShape.Vector(units))
{
    public int Inputs => Input.Size;

    public int Units => Output.Channels;

    public override int ParameterLength => checked(Units * Inputs + Units);

    public override IEnumerable<(string Suffix, int Offset, int Length, bool IsWeight, int[] Shape)> ParameterTensors =>
        [("weight", 0, Units * Inputs, true, [Units, Inputs]), ("bias", Units * Inputs, Units, false, [Units])];

    /// <summary>PyTorch's default: weights and bias uniform in ±1/√in.</summary>
    public override void Initialize(Span<float> parameters, Span<float> buffers, Random random)
    {
        double bound = 1 / Math.Sqrt(Inputs);
        for (int i = 0; i < parameters.Length; i++)
            parameters[i] = (float)((2 * random.NextDouble() - 1) * bound);
    }

    public override void Forward(CnnPass pass, CnnWorkspace work, int index)
    {
        if (work.Rows == 0) return;
        ReadOnlySpan<float> p = Parameters(pass);
        Gemm.LinearForward(InputOf(work, index), p[..(Units * Inputs)], p[(Units * Inputs)..], OutputOf(work, index), work.Rows, Inputs, Units);
    }

    public override void Backward(CnnPass pass, CnnWorkspace work, int index, float[] outputGradient, float[] inputGradient, bool needInputGradient)
    {
        int rows = work.Rows;
        Span<float> gradient = ParameterGradient(work);
        if (rows == 0)
        {
            gradient.Clear();
            return;
        }
        ReadOnlySpan<float> dy = outputGradient.AsSpan(0, rows * Units);
        Gemm.TransposeMultiply(dy, InputOf(work, index), gradient[..(Units * Inputs)], Units, rows, Inputs);
        Span<float> biasGradient = gradient[(Units * Inputs)..];
        dy[..Units].CopyTo(biasGradient);
        for (int r = 1; r < rows; r++)
            TensorPrimitives.Add(biasGradient, dy.Slice(r * Units, Units), biasGradient);
        if (needInputGradient)
            Gemm.Multiply(dy, Parameters(pass)[..(Units * Inputs)], inputGradient.AsSpan(0, rows * Inputs), rows, Units, Inputs);
    }
}
