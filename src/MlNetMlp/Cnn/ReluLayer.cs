namespace MlNetMlp.Cnn;

/// <summary><c>y = max(0, x)</c>; the gradient passes where <c>y &gt; 0</c> (0 at exactly 0, as PyTorch).</summary>
internal sealed class ReluLayer(TensorShape shape) : CnnLayer(shape, shape)
{
    public override void Forward(CnnPass pass, CnnWorkspace work, int index) =>
        ChannelMath.Relu(InputOf(work, index), OutputOf(work, index));

    public override void Backward(CnnPass pass, CnnWorkspace work, int index, float[] outputGradient, float[] inputGradient, bool needInputGradient)
    {
        if (!needInputGradient) return;
        int length = work.Rows * Output.Size;
        ChannelMath.ReluGradient(OutputOf(work, index), outputGradient.AsSpan(0, length), inputGradient.AsSpan(0, length));
    }
}
