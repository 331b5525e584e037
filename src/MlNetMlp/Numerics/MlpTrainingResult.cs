namespace MlNetMlp.Numerics;

/// <summary>What <see cref="MlpTrainingLoop.Train"/> produced.</summary>
/// <param name="Network">The trained network: the best epoch's weights when early stopping is on, else the last epoch's.</param>
/// <param name="History">One record per epoch run, in order.</param>
/// <param name="BestEpoch">Epoch whose weights <paramref name="Network"/> holds (firstEpoch − 1 if no epoch ran).</param>
/// <param name="StoppedEarly">Whether early stopping ended training before the last epoch.</param>
internal sealed record MlpTrainingResult(MlpNetwork Network, IReadOnlyList<MlpEpochRecord> History, int BestEpoch, bool StoppedEarly);
