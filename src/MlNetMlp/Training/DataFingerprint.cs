using System.Globalization;
using System.Runtime.InteropServices;

namespace MlNetMlp.Training;

/// <summary>
/// What a checkpoint remembers of the training data as the trainer saw it (after every upstream transform): the rows
/// held in memory (all training rows, or the streamed data's monitoring sample), the values per row, and a CRC-32 of
/// the labels and feature values of the first <see cref="HashedRows"/> rows in data order. Another normalization,
/// other rows or another label mapping upstream changes it, so a resume on other data is refused instead of
/// continuing weights that were fitted to different inputs.
/// </summary>
internal readonly record struct DataFingerprint(long Rows, int Features, uint Hash)
{
    /// <summary>Rows hashed: enough to see any change of transform, few enough to cost nothing next to an epoch.</summary>
    public const int HashedRows = 1000;

    public static DataFingerprint Of(TrainingSet data)
    {
        int rows = Math.Min(data.Rows, HashedRows);
        var crc = new System.IO.Hashing.Crc32();
        if (data.Targets is { } targets) crc.Append(MemoryMarshal.AsBytes(targets.AsSpan(0, rows)));
        else crc.Append(MemoryMarshal.AsBytes(data.Labels.AsSpan(0, rows)));
        if (data.Weights is { } weights) crc.Append(MemoryMarshal.AsBytes(weights.AsSpan(0, rows)));
        crc.Append(MemoryMarshal.AsBytes(data.Features.AsSpan(0, rows * data.FeatureCount)));
        return new DataFingerprint(data.Rows, data.FeatureCount, crc.GetCurrentHashAsUInt32());
    }

    public void Write(BinaryWriter writer)
    {
        writer.Write(Rows);
        writer.Write(Features);
        writer.Write(Hash);
    }

    public static DataFingerprint Read(BinaryReader reader) => new(reader.ReadInt64(), reader.ReadInt32(), reader.ReadUInt32());

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Rows:N0} rows of {Features} values, CRC-32 {Hash:x8} of the first rows");
}
