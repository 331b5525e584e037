using Microsoft.ML;

namespace MlNetMlp.Cli.Tables;

/// <summary>What training a table model's network gave: the fitted transformer and what to report about it.</summary>
internal sealed record TableFit(ITransformer Transformer, int Epochs, IReadOnlyList<string> Warnings, long Parameters);

/// <summary>
/// The MLP trainer of each task, behind one switch: multiclass is <c>mlContext.MulticlassClassification.Trainers.Mlp</c>;
/// binary and regression are refused until this build's library has their catalog methods.
/// </summary>
internal static class TableTrainers
{
    /// <summary>Whether this build can train <paramref name="task"/>.</summary>
    public static bool IsAvailable(TableTask task) => task == TableTask.Multiclass;

    /// <summary>Refuses a task this build has no trainer for, naming the task, why it was chosen and the catalog method it needs.</summary>
    /// <exception cref="NotSupportedException">No trainer for the task.</exception>
    public static void RequireAvailable(TableTask task, string why)
    {
        if (IsAvailable(task)) return;
        string catalog = task == TableTask.Binary ? "BinaryClassification" : "Regression";
        throw new NotSupportedException(
            $"--task {TaskMetrics.Name(task)} ({why}): the {TaskMetrics.Name(task)} MLP trainer (mlContext.{catalog}.Trainers.Mlp) is not available in this build; " +
            "only multiclass tables can be trained yet (--task multiclass, for a label with few values).");
    }

    /// <summary>
    /// Trains the task's network on <paramref name="features"/> (<c>Label</c> and <c>Features</c> columns), with the
    /// CLI's progress per epoch and Ctrl+C.
    /// </summary>
    public static TableFit Fit(MLContext mlContext, TableTask task, MlpTrainer.Options options, IDataView features, int epochsDone,
        Action<MlpTrainingDivergedException> diverged, CancellationToken cancellationToken)
    {
        RequireAvailable(task, "requested");
        options.LabelColumnName = TablePipeline.LabelColumn;
        options.FeatureColumnName = TablePipeline.FeaturesColumn;
        var trainer = mlContext.MulticlassClassification.Trainers.Mlp(options);
        trainer.TrainingDiverged += (_, e) => diverged(e);
        var transformer = EpochProgress.Run(handler => trainer.EpochCompleted += handler, options.Epochs, epochsDone,
            () => trainer.Fit(features, null, null, cancellationToken));
        return new TableFit(transformer, transformer.Model.History.Count, transformer.Model.TrainingWarnings, transformer.Model.ParameterCount);
    }
}
