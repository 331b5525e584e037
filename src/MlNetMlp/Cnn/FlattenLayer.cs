namespace MlNetMlp.Cnn;

/// <summary>
/// Image → vector. The engine stores images NHWC, but the vector is laid out in PyTorch's NCHW order
/// (index <c>c·H·W + y·W + x</c>), so the following dense layer's weights mean what they mean after <c>nn.Flatten</c>.
/// </summary>
internal sealed class FlattenLayer(TensorShape input) : CnnLayer(input, TensorShape.Vector(input.Size))
{
    public override bool IdentityAtInference => Input.IsFlat || Input.Channels == 1;

    public override void Forward(CnnPass pass, CnnWorkspace work, int index)
    {
        if (work.Activations[index] == work.Activations[index + 1]) return;
        if (Input.IsFlat || Input.Channels == 1)
        {
            InputOf(work, index).CopyTo(OutputOf(work, index));
            return;
        }
        TensorLayout.NhwcToNchw(InputOf(work, index), OutputOf(work, index), work.Rows, Input.Channels, Input.Height, Input.Width);
    }

    public override void Backward(CnnPass pass, CnnWorkspace work, int index, float[] outputGradient, float[] inputGradient, bool needInputGradient)
    {
        if (!needInputGradient) return;
        int length = work.Rows * Input.Size;
        if (Input.IsFlat || Input.Channels == 1)
        {
            outputGradient.AsSpan(0, length).CopyTo(inputGradient);
            return;
        }
        TensorLayout.NchwToNhwc(outputGradient.AsSpan(0, length), inputGradient.AsSpan(0, length), work.Rows, Input.Channels, Input.Height, Input.Width);
    }
}
