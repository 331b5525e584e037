namespace MlNetMlp.Numerics;

/// <summary>
/// How many rows scoring works on at once. Models prefer blocks of a few hundred rows (fewer, larger kernel calls),
/// but each block buffer holds rows × the widest per-row size, and a model declaring huge sizes (a 16-million-wide
/// layer) would overflow an array or ask for gigabytes. Capping every buffer at <see cref="MaxBufferFloats"/> keeps
/// ordinary models at their preferred block (anything up to 65,536 values a row at 256 rows) and scores huge ones a
/// few rows at a time.
/// </summary>
internal static class ScoringBlock
{
    /// <summary>The most values one scoring buffer holds: 2²⁴ floats, 64 MB.</summary>
    public const long MaxBufferFloats = 1L << 24;

    /// <summary><paramref name="wanted"/> rows, fewer when rows of <paramref name="perRow"/> values would pass <see cref="MaxBufferFloats"/>; at least one.</summary>
    public static int Rows(int wanted, long perRow) => (int)Math.Clamp(MaxBufferFloats / Math.Max(1, perRow), 1, Math.Max(1, wanted));
}
