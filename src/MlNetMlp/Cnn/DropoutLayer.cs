using System.Numerics.Tensors;
using MlNetMlp.Numerics;

namespace MlNetMlp.Cnn;

/// <summary>
/// Inverted dropout: while training each value is kept with probability 1 − rate and scaled by 1/(1 − rate)
/// (<c>y = x·mask/(1 − p)</c>), at inference it is the identity. Masks come from <see cref="Dropout.FillMask"/>:
/// a hash of (seed, step, layer, row position in the batch, element), so they do not depend on how the batch is
/// split across workers.
/// </summary>
internal sealed class DropoutLayer(TensorShape shape, float rate) : CnnLayer(shape, shape)
{
    public float Rate { get; } = rate;

    public override bool IdentityAtInference => true;

    public override object? CreateScratch(int maxRows, bool training) => training && Rate > 0 ? new float[checked(maxRows * Output.Size)] : null;

    public override void Forward(CnnPass pass, CnnWorkspace work, int index)
    {
        ReadOnlySpan<float> x = InputOf(work, index);
        Span<float> y = OutputOf(work, index);
        if (!pass.Training || Rate <= 0)
        {
            if (work.Activations[index] != work.Activations[index + 1]) x.CopyTo(y);
            return;
        }
        Span<float> multiplier = ((float[])work.Scratch[index]!).AsSpan(0, x.Length);
        Dropout.FillMask(multiplier, work.FirstRow, work.Rows, Output.Size, Rate, Dropout.Stream(pass.DropoutSeed, pass.Step, index));
        Apply(x, multiplier, y);
    }

    public override void Backward(CnnPass pass, CnnWorkspace work, int index, float[] outputGradient, float[] inputGradient, bool needInputGradient)
    {
        if (!needInputGradient) return;
        int length = work.Rows * Output.Size;
        if (!pass.Training || Rate <= 0)
        {
            outputGradient.AsSpan(0, length).CopyTo(inputGradient);
            return;
        }
        Apply(outputGradient.AsSpan(0, length), ((float[])work.Scratch[index]!).AsSpan(0, length), inputGradient.AsSpan(0, length));
    }

    /// <summary><c>y = x·multiplier</c>, where the multiplier is 0 (dropped) or 1/(1 − rate) (kept); forward and backward alike.</summary>
    public static void Apply(ReadOnlySpan<float> x, ReadOnlySpan<float> multiplier, Span<float> y) => TensorPrimitives.Multiply(x, multiplier, y);
}
