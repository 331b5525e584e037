using System.Runtime.CompilerServices;

namespace MlNetMlp.Numerics;

/// <summary>
/// Inverted dropout: while training each hidden unit is kept with probability 1 − rate and scaled by
/// 1 / (1 − rate), so inference uses the activations unchanged. The keep/drop decision for a unit is a
/// hash of (stream, row, unit) rather than a draw from a shared generator, so masks do not depend on
/// how rows are split across threads, and any part of a mask can be regenerated on its own.
/// </summary>
internal static class Dropout
{
    /// <summary>
    /// Writes the multiplier (0 or 1/(1−rate)) of each unit of rows
    /// <paramref name="firstRow"/> .. <paramref name="firstRow"/> + <paramref name="rows"/> − 1 of a batch.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void FillMask(Span<float> mask, int firstRow, int rows, int units, float rate, ulong stream)
    {
        if (mask.Length < rows * units) throw new ArgumentException("Mask is too short.", nameof(mask));
        if (rate <= 0)
        {
            mask[..(rows * units)].Fill(1f);
            return;
        }
        float keptScale = rate >= 1 ? 0f : 1f / (1f - rate);
        // Compare 24 random bits against the rate in the same units (24 bits: exact in float).
        uint dropBelow = (uint)Math.Round(Math.Clamp(rate, 0f, 1f) * (1 << 24));
        for (int r = 0; r < rows; r++)
        {
            ulong rowKey = Mix(stream + (ulong)(firstRow + r) * 0xD1B54A32D192ED03UL);
            Span<float> rowMask = mask.Slice(r * units, units);
            for (int u = 0; u < rowMask.Length; u++)
            {
                uint bits = (uint)(Mix(rowKey + (ulong)u * 0x9E3779B97F4A7C15UL) >> 40);
                rowMask[u] = bits < dropBelow ? 0f : keptScale;
            }
        }
    }

    /// <summary>The stream of one layer at one optimizer step: distinct for every (seed, step, layer).</summary>
    public static ulong Stream(int seed, long step, int layer) =>
        Mix(Mix((ulong)(uint)seed * 0x9E3779B97F4A7C15UL + (ulong)step) + (ulong)layer * 0xBF58476D1CE4E5B9UL);

    private static ulong Mix(ulong x) => RandomStreams.Mix(x);
}
