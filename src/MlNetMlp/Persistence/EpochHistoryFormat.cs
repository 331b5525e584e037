namespace MlNetMlp.Persistence;

/// <summary>
/// The binary form of a training history, shared by the MLP and CNN model payloads and checkpoints:
/// per epoch its number, train loss and accuracy, optional validation loss and accuracy, learning rate, and
/// (where the format keeps it) the wall time. The caller writes and bounds-checks the count its own way.
/// </summary>
internal static class EpochHistoryFormat
{
    /// <param name="writer">Where the history goes, count first.</param>
    /// <param name="history">The epochs, oldest first.</param>
    /// <param name="withElapsed">Whether the format stores each epoch's wall time (model files leave it out so equal models are equal byte for byte; checkpoints keep it).</param>
    public static void Write(BinaryWriter writer, IReadOnlyList<EpochRecord> history, bool withElapsed)
    {
        writer.Write(history.Count);
        foreach (var e in history)
        {
            writer.Write(e.Epoch);
            writer.Write(e.TrainLoss);
            writer.Write(e.TrainAccuracy);
            writer.Write(e.ValidationLoss.HasValue);
            writer.Write(e.ValidationLoss ?? 0);
            writer.Write(e.ValidationAccuracy.HasValue);
            writer.Write(e.ValidationAccuracy ?? 0);
            writer.Write(e.LearningRate);
            if (withElapsed) writer.Write(e.Elapsed.Ticks);
        }
    }

    /// <summary>Reads <paramref name="count"/> epochs written by <see cref="Write"/> with the same <paramref name="withElapsed"/>.</summary>
    public static EpochRecord[] Read(BinaryReader reader, int count, bool withElapsed)
    {
        var history = new EpochRecord[count];
        for (int i = 0; i < count; i++)
        {
            int epoch = reader.ReadInt32();
            double trainLoss = reader.ReadDouble(), trainAccuracy = reader.ReadDouble();
            bool hasValidationLoss = reader.ReadBoolean();
            double validationLoss = reader.ReadDouble();
            bool hasValidationAccuracy = reader.ReadBoolean();
            double validationAccuracy = reader.ReadDouble(), learningRate = reader.ReadDouble();
            var elapsed = withElapsed ? TimeSpan.FromTicks(Math.Max(0, reader.ReadInt64())) : TimeSpan.Zero;
            history[i] = new EpochRecord(epoch, trainLoss, trainAccuracy, hasValidationLoss ? validationLoss : null,
                hasValidationAccuracy ? validationAccuracy : null, learningRate, elapsed);
        }
        return history;
    }
}
