using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetMlp.Cli.Tables;

/// <summary>What training a table model's network gave: the fitted transformer and what to report about it.</summary>
internal sealed record TableFit(ITransformer Transformer, int Epochs, IReadOnlyList<string> Warnings, long Parameters);

/// <summary>
/// The MLP trainer of each task, behind one switch: <c>mlContext.MulticlassClassification.Trainers.Mlp</c> (key label),
/// <c>BinaryClassification.Trainers.Mlp</c> (Boolean label; appends Score, Probability, PredictedLabel) and
/// <c>Regression.Trainers.Mlp</c> (Single label; appends Score), all with the same <see cref="MlpTrainer.Options"/>.
/// </summary>
internal static class TableTrainers
{
    /// <summary>
    /// Trains the task's network on <paramref name="features"/> (<c>Label</c> and <c>Features</c> columns), with the
    /// CLI's progress per epoch and Ctrl+C.
    /// </summary>
    public static TableFit Fit(MLContext mlContext, TableTask task, MlpTrainer.Options options, IDataView features, int epochsDone,
        Action<TrainingDivergedException> diverged, CancellationToken cancellationToken)
    {
        options.LabelColumnName = TablePipeline.LabelColumn;
        options.FeatureColumnName = TablePipeline.FeaturesColumn;
        return task switch
        {
            TableTask.Multiclass => Train(mlContext.MulticlassClassification.Trainers.Mlp(options), options.Epochs, features, epochsDone, diverged, cancellationToken),
            TableTask.Binary => Train(mlContext.BinaryClassification.Trainers.Mlp(options), options.Epochs, features, epochsDone, diverged, cancellationToken),
            _ => Train(mlContext.Regression.Trainers.Mlp(options), options.Epochs, features, epochsDone, diverged, cancellationToken),
        };
    }

    private static TableFit Train<TTransformer, TOptions>(NetworkTrainer<TTransformer, MlpModelParameters, TOptions> trainer, int epochs, IDataView features,
        int epochsDone, Action<TrainingDivergedException> diverged, CancellationToken cancellationToken)
        where TTransformer : class, ISingleFeaturePredictionTransformer<MlpModelParameters>
        where TOptions : NetworkTrainerOptions
    {
        trainer.TrainingDiverged += (_, e) => diverged(e);
        var transformer = EpochProgress.Run(handler => trainer.EpochCompleted += handler, epochs, epochsDone,
            () => trainer.Fit(features, null, null, cancellationToken));
        var model = transformer.Model;
        return new TableFit(transformer, model.History.Count, model.TrainingWarnings, model.ParameterCount);
    }
}
