using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetMlp.Mapping;
using MlNetMlp.Persistence;

namespace MlNetMlp.Tasks;

/// <summary>
/// What a trainer's Fit needs to know about its task, and nothing about the network: the label column it reads, the
/// output head, the checks on the rows and on validation data, how the targets are prepared (standardized for
/// regression), and the columns the trained model appends.
/// </summary>
internal abstract class TrainingTask
{
    /// <summary>The label column, checked for this task ("a key type", "Boolean", "Single").</summary>
    public abstract DataViewSchema.Column Label(DataViewSchema schema, string name, string paramName);

    /// <summary>The label kind in messages of <see cref="CheckOutputSchemaLabel"/>.</summary>
    public abstract void CheckOutputSchemaLabel(SchemaShape.Column label);

    /// <summary>Units of the output layer for <paramref name="label"/>.</summary>
    public abstract int Outputs(DataViewSchema.Column label);

    public abstract TaskHead CreateHead(int outputs, NetworkTrainerOptions options);

    /// <summary>The validation data's label, checked against the training label (same type; for classes, the same classes).</summary>
    public abstract DataViewSchema.Column ValidationLabel(DataViewSchema schema, DataViewSchema.Column trainLabel, string paramName);

    /// <summary>Checks the training rows before training (two classes at least; a target that varies), and the hold-out.</summary>
    public abstract void CheckRows(TrainingSet train, bool wholeData, bool hasValidationSet, NetworkTrainerOptions options, string labelColumnName,
        string optionsName, string paramName);

    /// <summary>
    /// Readies the targets for the head (regression: standardizes them, in place, with the training rows' mean and
    /// standard deviation, which the trainer carries to the model); classification leaves the labels as they are.
    /// </summary>
    public virtual (float Mean, float Scale) PrepareTargets(TrainingSet train, TrainingSet? validation, string labelColumnName) => (0, 1);

    /// <summary>The columns the trained model appends, for <c>GetOutputSchema</c>.</summary>
    public abstract IEnumerable<SchemaShape.Column> OutputColumns(SchemaShape.Column label);

    /// <summary>Whether Fit looks for a model that collapsed to one class (<see cref="OneClassPrediction"/>: softmax outputs, several classes).</summary>
    public virtual bool WarnsOfOneClassPredictions => false;

    /// <summary>The score-column annotations ML.NET's evaluators look for.</summary>
    protected static SchemaShape ScoreKinds() => new([
        new SchemaShape.Column(AnnotationUtils.Kinds.ScoreColumnKind, SchemaShape.Column.VectorKind.Scalar, TextDataViewType.Instance, false),
        new SchemaShape.Column(AnnotationUtils.Kinds.ScoreValueKind, SchemaShape.Column.VectorKind.Scalar, TextDataViewType.Instance, false)]);

    protected static ArgumentOutOfRangeException LabelTypeError(SchemaShape.Column label, string needed, string how) =>
        new("inputSchema", $"The label column '{label.Name}' must be {needed} (it is {label.ItemType}); {how}.");
}

/// <summary>The classification tasks' row checks: two classes at least, and a hold-out that leaves training rows.</summary>
internal abstract class ClassificationTask : TrainingTask
{
    public override void CheckRows(TrainingSet train, bool wholeData, bool hasValidationSet, NetworkTrainerOptions options, string labelColumnName,
        string optionsName, string paramName)
    {
        TrainerFitRules.TwoClassesOrMore(train, wholeData, labelColumnName, paramName);
        TrainerFitRules.HoldOutLeavesTrainingRows(train, hasValidationSet, options.ValidationFraction, optionsName);
    }
}

/// <summary>Multiclass: a key-typed label (MapValueToKey), one output per class.</summary>
internal sealed class MulticlassTask : ClassificationTask
{
    public static readonly MulticlassTask Instance = new();

    public override bool WarnsOfOneClassPredictions => true;

    public override DataViewSchema.Column Label(DataViewSchema schema, string name, string paramName) => SchemaChecks.KeyLabel(schema, name, paramName);

    public override void CheckOutputSchemaLabel(SchemaShape.Column label)
    {
        if (!label.IsKey)
            throw LabelTypeError(label, "a key type", $"convert it with mlContext.Transforms.Conversion.MapValueToKey(\"{label.Name}\")");
    }

    public override int Outputs(DataViewSchema.Column label) => (int)((KeyDataViewType)label.Type).Count;

    public override TaskHead CreateHead(int outputs, NetworkTrainerOptions options) => new MulticlassHead(outputs);

    public override DataViewSchema.Column ValidationLabel(DataViewSchema schema, DataViewSchema.Column trainLabel, string paramName)
    {
        var label = SchemaChecks.KeyLabel(schema, trainLabel.Name, paramName);
        ulong classCount = ((KeyDataViewType)trainLabel.Type).Count;
        if (((KeyDataViewType)label.Type).Count != classCount)
            throw new ArgumentOutOfRangeException(paramName,
                $"The validation label column '{label.Name}' has {((KeyDataViewType)label.Type).Count} classes, the training label has {classCount}.");
        TrainerFitRules.SameClasses(trainLabel, label, paramName);
        return label;
    }

    public override IEnumerable<SchemaShape.Column> OutputColumns(SchemaShape.Column label) =>
    [
        new SchemaShape.Column("Score", SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single, false, ScoreKinds()),
        new SchemaShape.Column("PredictedLabel", SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.UInt32, true, label.Annotations),
    ];
}

/// <summary>Binary: a Boolean label, one output (the logit of true), like ML.NET's calibrated binary trainers' output.</summary>
internal sealed class BinaryTask : ClassificationTask
{
    public static readonly BinaryTask Instance = new();

    public override DataViewSchema.Column Label(DataViewSchema schema, string name, string paramName) => SchemaChecks.BooleanLabel(schema, name, paramName);

    public override void CheckOutputSchemaLabel(SchemaShape.Column label)
    {
        if (label.ItemType != BooleanDataViewType.Instance || label.Kind != SchemaShape.Column.VectorKind.Scalar)
            throw LabelTypeError(label, "Boolean", "map it to a bool first");
    }

    public override int Outputs(DataViewSchema.Column label) => 1;

    public override TaskHead CreateHead(int outputs, NetworkTrainerOptions options) => BinaryHead.Instance;

    public override DataViewSchema.Column ValidationLabel(DataViewSchema schema, DataViewSchema.Column trainLabel, string paramName) =>
        SchemaChecks.BooleanLabel(schema, trainLabel.Name, paramName);

    public override IEnumerable<SchemaShape.Column> OutputColumns(SchemaShape.Column label) =>
    [
        new SchemaShape.Column("Score", SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.Single, false, ScoreKinds()),
        new SchemaShape.Column("Probability", SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.Single, false, ScoreKinds()),
        new SchemaShape.Column("PredictedLabel", SchemaShape.Column.VectorKind.Scalar, BooleanDataViewType.Instance, false, ScoreKinds()),
    ];
}

/// <summary>
/// Regression: a Single label, one linear output fitted to the standardized target (<see cref="PrepareTargets"/>), so that
/// targets of any scale train with the default learning rate; the model undoes the standardization when scoring.
/// </summary>
internal sealed class RegressionTask : TrainingTask
{
    public static readonly RegressionTask Instance = new();

    public override DataViewSchema.Column Label(DataViewSchema schema, string name, string paramName) => SchemaChecks.SingleLabel(schema, name, paramName);

    public override void CheckOutputSchemaLabel(SchemaShape.Column label)
    {
        if (label.ItemType != NumberDataViewType.Single || label.Kind != SchemaShape.Column.VectorKind.Scalar)
            throw LabelTypeError(label, "Single", $"convert it with mlContext.Transforms.Conversion.ConvertType(\"{label.Name}\", outputKind: DataKind.Single)");
    }

    public override int Outputs(DataViewSchema.Column label) => 1;

    public override TaskHead CreateHead(int outputs, NetworkTrainerOptions options) => new RegressionHead(options.Loss, options.HuberDelta);

    public override DataViewSchema.Column ValidationLabel(DataViewSchema schema, DataViewSchema.Column trainLabel, string paramName) =>
        SchemaChecks.SingleLabel(schema, trainLabel.Name, paramName);

    public override void CheckRows(TrainingSet train, bool wholeData, bool hasValidationSet, NetworkTrainerOptions options, string labelColumnName,
        string optionsName, string paramName)
    {
        if (hasValidationSet || options.ValidationFraction == 0 || train.Rows < 2) return;
        int trainRows = train.Rows - TrainingRows.HoldOutCount(train.Rows, options.ValidationFraction);
        if (trainRows < 2)
            throw new ArgumentOutOfRangeException(nameof(NetworkTrainerOptions.ValidationFraction), options.ValidationFraction,
                $"{optionsName}.Options.ValidationFraction = {options.ValidationFraction} holds out all but {trainRows} of the {train.Rows:N0} training rows; " +
                "lower it (or pass a validation set to Fit).");
    }

    public override (float Mean, float Scale) PrepareTargets(TrainingSet train, TrainingSet? validation, string labelColumnName)
    {
        // Weighted as the loss is: a row of weight 2 counts as that row twice.
        float[] targets = train.Targets!;
        float[]? weights = train.Weights;
        double sum = 0, totalWeight = 0, sumOfSquares = 0;
        for (int i = 0; i < targets.Length; i++)
        {
            double w = weights?[i] ?? 1;
            sum += w * targets[i];
            totalWeight += w;
        }
        double mean = sum / totalWeight;
        for (int i = 0; i < targets.Length; i++) sumOfSquares += (weights?[i] ?? 1) * (targets[i] - mean) * (targets[i] - mean);
        double deviation = Math.Sqrt(sumOfSquares / totalWeight);
        if (!(deviation > 0) || !double.IsFinite(deviation))
            throw new ArgumentException(FormattableString.Invariant(
                $"The regression target in label column '{labelColumnName}' is the same ({mean}) in all {targets.Length:N0} training rows (of nonzero weight): there is nothing to fit."), "trainData");
        Standardize(targets, mean, deviation);
        if (validation?.Targets is { } validationTargets && !ReferenceEquals(validationTargets, targets)) Standardize(validationTargets, mean, deviation);
        return ((float)mean, (float)deviation);
    }

    private static void Standardize(float[] targets, double mean, double deviation)
    {
        for (int i = 0; i < targets.Length; i++) targets[i] = (float)((targets[i] - mean) / deviation);
    }

    public override IEnumerable<SchemaShape.Column> OutputColumns(SchemaShape.Column label) =>
    [
        new SchemaShape.Column("Score", SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.Single, false, ScoreKinds()),
    ];
}
