using Microsoft.ML;
using MlNetMlp.Numerics;
using MlNetMlp.Persistence;

namespace MlNetMlp;

/// <summary>
/// The checks every trainer's Fit makes on its data and options together, before any training, kept in one place so
/// that <see cref="MlpTrainer"/> and <see cref="CnnTrainer"/> refuse alike: combinations that would train something
/// other than what was asked (a silent fallback) are errors naming the option.
/// </summary>
internal static class TrainerFitRules
{
    /// <summary>
    /// Training data must hold two classes at least (as scikit-learn requires): with one, the model learns a constant.
    /// Streamed data is checked on the rows held in memory only when they are all the rows there are
    /// (<paramref name="wholeData"/>), since the first rows of a sorted stream may all be of one class.
    /// </summary>
    public static void TwoClassesOrMore(TrainingSet train, bool wholeData, string labelColumnName, string paramName)
    {
        if (!wholeData) return;
        int first = train.Labels[0];
        if (train.Labels.AsSpan().IndexOfAnyExcept(first) < 0)
            throw new ArgumentException($"The training data has one class only in label column '{labelColumnName}' ({train.Rows:N0} rows of class {first}): " +
                "a classifier needs two classes at least.", paramName);
    }

    /// <summary>
    /// A hold-out (<paramref name="validationFraction"/>, used when Fit gets no validation set) must leave at least as
    /// many training rows as there are classes in the data: fewer cannot show every class even once.
    /// </summary>
    public static void HoldOutLeavesTrainingRows(TrainingSet train, bool hasValidationSet, float validationFraction, string optionsType)
    {
        if (hasValidationSet || validationFraction == 0 || train.Rows < 2) return;
        int classes = train.Labels.Distinct().Count();
        int trainRows = train.Rows - TrainingRows.HoldOutCount(train.Rows, validationFraction);
        if (trainRows < classes)
            throw new ArgumentOutOfRangeException(nameof(MlpTrainer.Options.ValidationFraction), validationFraction,
                $"{optionsType}.Options.ValidationFraction = {validationFraction} holds out all but {trainRows} of the {train.Rows:N0} training rows, " +
                $"fewer than the {classes} classes; lower it (or pass a validation set to Fit).");
    }

    /// <summary>Early stopping watches a validation loss: without a validation set or a hold-out there is none to watch.</summary>
    public static void EarlyStoppingHasValidation(bool earlyStopping, bool hasValidationSet, float validationFraction, string optionsType)
    {
        if (earlyStopping && !hasValidationSet && validationFraction == 0)
            throw new ArgumentOutOfRangeException(nameof(MlpTrainer.Options.EarlyStopping), earlyStopping,
                $"{optionsType}.Options.EarlyStopping needs validation data: set ValidationFraction above 0 or pass a validation set to Fit.");
    }

    /// <summary>
    /// The validation label must name the same classes, in the same order, as the training label: keys of equal count
    /// but other values would be scored against the wrong classes.
    /// </summary>
    public static void SameClasses(DataViewSchema.Column trainLabel, DataViewSchema.Column validationLabel, string paramName)
    {
        var train = LabelKeyValues.FromColumn(trainLabel)?.AsText().Select(v => v.ToString()).ToArray();
        var validation = LabelKeyValues.FromColumn(validationLabel)?.AsText().Select(v => v.ToString()).ToArray();
        if (train is null || validation is null || train.SequenceEqual(validation)) return;
        int common = Math.Min(train.Length, validation.Length);
        int at = Enumerable.Range(0, common).Where(i => train[i] != validation[i]).DefaultIfEmpty(common).First();
        string difference = at < common
            ? $"key {at + 1} is '{validation[at]}' there and '{train[at]}' in the training data"
            : $"it has {validation.Length} classes and the training label {train.Length}";
        throw new ArgumentException($"The validation label column '{validationLabel.Name}' has other classes than the training label: {difference}. " +
            "Map both labels with the same MapValueToKey transformer.", paramName);
    }

    /// <summary>
    /// A warm start's initial model must read the feature column as it is (<paramref name="unit"/>: "features", "images")
    /// and have the outputs the label needs.
    /// </summary>
    public static void InitialModelFits<TInput>(TInput initialInput, TInput columnInput, string unit, string featureColumnName,
        int initialOutputs, int outputs, string labelColumnName)
    {
        if (!EqualityComparer<TInput>.Default.Equals(initialInput, columnInput))
            throw new ArgumentOutOfRangeException("initialModel", $"The initial model reads {initialInput} {unit}, the column '{featureColumnName}' holds {columnInput}.");
        if (initialOutputs != outputs)
            throw new ArgumentOutOfRangeException("initialModel", $"The initial model has {initialOutputs} outputs, the label column '{labelColumnName}' needs {outputs}.");
    }

    /// <summary>A warm start keeps the initial model's network: an option that would shape another one is refused, naming both values.</summary>
    public static void SameAsInitialModel(bool same, string option, string optionsType, object initialValue, object optionValue)
    {
        if (!same)
            throw new ArgumentOutOfRangeException(option,
                $"The initial model's {option} is {initialValue}, but {optionsType}.Options.{option} is {optionValue}: a warm start continues the initial " +
                $"network as it is. Set {option} to {initialValue}, or train from scratch.");
    }
}
