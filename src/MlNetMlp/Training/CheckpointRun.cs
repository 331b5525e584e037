using MlNetMlp.Persistence;

namespace MlNetMlp.Training;

/// <summary>
/// What every trainer's checkpoint (format 2) records about the run beyond its network and optimizer state: the first
/// mini-batch loss that <see cref="DivergenceWatch"/> measures against, the training data as the trainer saw it, and
/// the options that shape the result (<see cref="CheckpointFile.Settings"/>). A resume on other data or with other
/// such options is refused.
/// </summary>
internal readonly record struct CheckpointRun(double StartingLoss, DataFingerprint Data, string Settings)
{
    public void Write(BinaryWriter writer)
    {
        writer.Write(StartingLoss);
        Data.Write(writer);
        writer.Write(Settings);
    }

    public static CheckpointRun Read(BinaryReader reader) => new(reader.ReadDouble(), DataFingerprint.Read(reader), reader.ReadString());

    /// <summary>Throws <see cref="InvalidDataException"/> naming <paramref name="path"/> when this run's data or settings are not <paramref name="data"/> and <paramref name="settings"/>.</summary>
    public void CheckMatches(string? path, DataFingerprint data, string settings)
    {
        CheckpointFile.RequireSame(path, Data == data, "training data (as the trainer sees it, after the upstream transforms such as normalization)", Data, data);
        CheckpointFile.RequireSameSettings(path, Settings, settings);
    }
}
