using MlNetMlp.Numerics;

namespace MlNetMlp.Cnn;

/// <summary>
/// Training-time augmentation of CHW images as they are loaded into a mini-batch: a random horizontal flip
/// (torchvision's <c>RandomHorizontalFlip(0.5)</c>) and a random translation by up to <see cref="MaxShift"/> pixels
/// in each direction with zero fill (<c>RandomCrop(size, padding: MaxShift)</c>). Each row's draw is a hash of
/// (seed, step, position in the batch), so results do not depend on how the batch is split across workers.
/// Scoring never augments.
/// </summary>
internal readonly record struct ImageAugmentation(bool HorizontalFlip, int MaxShift, int Seed)
{
    public bool IsIdentity => !HorizontalFlip && MaxShift == 0;

    /// <summary>Copies <paramref name="source"/> into <paramref name="destination"/>, transformed by this row's draw.</summary>
    public void Apply(ReadOnlySpan<float> source, Span<float> destination, TensorShape shape, long step, int batchPosition)
    {
        ulong draw = RandomStreams.Mix(RandomStreams.Mix(((ulong)(uint)Seed << 32) ^ (ulong)step) ^ (uint)batchPosition);
        bool flip = HorizontalFlip && (draw & 1) != 0;
        int span = 2 * MaxShift + 1;
        int dx = MaxShift == 0 ? 0 : (int)((draw >> 8) % (ulong)span) - MaxShift;
        int dy = MaxShift == 0 ? 0 : (int)((draw >> 32) % (ulong)span) - MaxShift;
        Transform(source, destination, shape, flip, dx, dy);
    }

    /// <summary>
    /// <c>destination(c, y, x) = image(c, y − dy, x − dx)</c>, where <c>image</c> is <paramref name="source"/>
    /// mirrored left-right when <paramref name="flip"/>, and zero outside the image.
    /// </summary>
    internal static void Transform(ReadOnlySpan<float> source, Span<float> destination, TensorShape shape, bool flip, int dx, int dy)
    {
        int height = shape.Height, width = shape.Width;
        for (int c = 0; c < shape.Channels; c++)
        {
            for (int y = 0; y < height; y++)
            {
                Span<float> row = destination.Slice((c * height + y) * width, width);
                int sourceY = y - dy;
                if ((uint)sourceY >= (uint)height)
                {
                    row.Clear();
                    continue;
                }
                ReadOnlySpan<float> sourceRow = source.Slice((c * height + sourceY) * width, width);
                for (int x = 0; x < width; x++)
                {
                    int sourceX = x - dx;
                    row[x] = (uint)sourceX >= (uint)width ? 0f : sourceRow[flip ? width - 1 - sourceX : sourceX];
                }
            }
        }
    }
}
