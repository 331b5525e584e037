using System.Reflection;
using Microsoft.ML;

namespace MlNetMlp.Study;

/// <summary>
/// ===== CNN HOOK =====
/// Reaches the CNN trainer (<c>MlNetMlp.CnnTrainer</c>, built separately for issue 4) at run time, so the study
/// compiles and runs whether or not the CNN is in this build. It uses the trainer's public contract:
/// <c>new CnnTrainer(MLContext, CnnTrainer.Options)</c> with the fields Epochs, Seed, NumberOfThreads,
/// MonitoringSubsetSize and ImageColumnName (any missing field is left at its default), the
/// <c>EpochCompleted</c> event of <see cref="MlpEpochRecord"/>, and
/// <c>Fit(IDataView train, IDataView? validation, CnnModelParameters? initialModel, CancellationToken)</c>.
/// The trainer reads the raw 28×28 "Image" column (it scales pixels itself). Once the CNN has landed, this
/// reflection can be replaced by a direct call to <c>mlContext.MulticlassClassification.Trainers.Cnn(options)</c>.
/// </summary>
public static class CnnHook
{
    /// <summary>The CNN trainer type, or null when this build has none.</summary>
    public static Type? TrainerType { get; } = typeof(MlpTrainer).Assembly.GetType("MlNetMlp.CnnTrainer", throwOnError: false);

    /// <summary>Whether <c>MlNetMlp.CnnTrainer</c> is in this build.</summary>
    public static bool IsAvailable => TrainerType != null;

    /// <summary>The CNN's layer description (its Options.Layers default), when available.</summary>
    public static string? DefaultLayers =>
        TrainerType?.GetField("DefaultLayers", BindingFlags.Public | BindingFlags.Static)?.GetValue(null) as string;

    /// <summary>Trains the CNN on the raw image view (Label key + Image vector) and returns the fitted transformer.</summary>
    /// <exception cref="NotSupportedException">There is no CNN in this build, or its API differs from the expected contract.</exception>
    public static ITransformer Fit(MLContext mlContext, IDataView train, IDataView? validation, int epochs, int seed, int? threads,
        int monitoringSubsetSize, Action<MlpEpochRecord>? onEpoch, CancellationToken cancellationToken)
    {
        var type = TrainerType ?? throw new NotSupportedException("MlNetMlp.CnnTrainer is not in this build.");
        var optionsType = type.GetNestedType("Options") ?? throw new NotSupportedException("CnnTrainer.Options was not found.");
        var options = Activator.CreateInstance(optionsType)!;
        Set(options, "Epochs", epochs);
        Set(options, "Seed", (int?)seed);
        Set(options, "NumberOfThreads", threads);
        Set(options, "MonitoringSubsetSize", monitoringSubsetSize);
        Set(options, "ImageColumnName", "Image");
        var constructor = type.GetConstructor([typeof(MLContext), optionsType])
            ?? throw new NotSupportedException("CnnTrainer(MLContext, Options) was not found.");
        object trainer;
        try
        {
            trainer = constructor.Invoke([mlContext, options]);
        }
        catch (TargetInvocationException e) when (e.InnerException != null)
        {
            throw e.InnerException;
        }
        var completed = type.GetEvent("EpochCompleted");
        if (onEpoch != null && completed?.EventHandlerType == typeof(EventHandler<MlpEpochRecord>))
            completed.AddEventHandler(trainer, new EventHandler<MlpEpochRecord>((_, record) => onEpoch(record)));
        var fit = type.GetMethods().FirstOrDefault(m => m.Name == "Fit" && m.GetParameters() is var p && p.Length == 4
                && p[0].ParameterType == typeof(IDataView) && p[1].ParameterType == typeof(IDataView) && p[3].ParameterType == typeof(CancellationToken))
            ?? throw new NotSupportedException("CnnTrainer.Fit(IDataView, IDataView, CnnModelParameters, CancellationToken) was not found.");
        try
        {
            return (ITransformer)fit.Invoke(trainer, [train, validation, null, cancellationToken])!;
        }
        catch (TargetInvocationException e) when (e.InnerException != null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw;
        }
    }

    private static void Set(object options, string name, object? value)
    {
        var field = options.GetType().GetField(name);
        if (field != null && (value is null ? !field.FieldType.IsValueType || Nullable.GetUnderlyingType(field.FieldType) != null : field.FieldType.IsInstanceOfType(value) || Nullable.GetUnderlyingType(field.FieldType) == value.GetType()))
        {
            field.SetValue(options, value);
            return;
        }
        var property = options.GetType().GetProperty(name);
        if (property?.CanWrite == true) property.SetValue(options, value);
    }
}
