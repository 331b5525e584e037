namespace MlNetMlp;

/// <summary>What one training epoch achieved. Losses are mean cross-entropy (without the L2 term).</summary>
/// <param name="Epoch">1-based epoch number (continues counting after a warm start).</param>
/// <param name="TrainLoss">Mean cross-entropy over the epoch's mini-batches, as seen while training (dropout active).</param>
/// <param name="TrainAccuracy">Accuracy on the training rows (or their fixed monitoring subset) after the epoch, in inference mode.</param>
/// <param name="ValidationLoss">Cross-entropy on the validation rows (or their subset); null without validation data.</param>
/// <param name="ValidationAccuracy">Accuracy on the validation rows (or their subset); null without validation data.</param>
/// <param name="LearningRate">The learning rate used during this epoch.</param>
/// <param name="Elapsed">Wall time of the epoch, training and monitoring together.</param>
public sealed record EpochRecord(
    int Epoch,
    double TrainLoss,
    double TrainAccuracy,
    double? ValidationLoss,
    double? ValidationAccuracy,
    double LearningRate,
    TimeSpan Elapsed);
