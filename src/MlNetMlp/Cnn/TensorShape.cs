namespace MlNetMlp.Cnn;

/// <summary>
/// The per-row shape of an activation: channels × height × width. Stored NHWC (channels last), so a vector
/// (after flatten or dense) is simply <c>Channels × 1 × 1</c>, and batch normalization over such a shape is BatchNorm1d.
/// </summary>
internal readonly record struct TensorShape(int Channels, int Height, int Width)
{
    public int Size => checked(Channels * Height * Width);

    public int Pixels => checked(Height * Width);

    public bool IsFlat => Height == 1 && Width == 1;

    public static TensorShape Vector(int length) => new(length, 1, 1);

    public override string ToString() => IsFlat ? $"{Channels}" : $"{Channels}×{Height}×{Width}";
}
