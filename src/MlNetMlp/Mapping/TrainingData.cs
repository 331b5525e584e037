using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetMlp.Numerics;

namespace MlNetMlp.Mapping;

/// <summary>Reads a feature vector column, a label column and an optional example weight column into dense arrays for training.</summary>
internal static class TrainingData
{
    /// <summary>Rows kept in memory to measure training accuracy per epoch when streaming without a MonitoringSubsetSize.</summary>
    public const int DefaultStreamingMonitoringRows = 10_000;

    /// <summary>
    /// The rows a streaming trainer keeps in memory to measure training accuracy each epoch: the first
    /// <paramref name="monitoringSubsetSize"/> (<see cref="DefaultStreamingMonitoringRows"/> when 0).
    /// </summary>
    public static TrainingSet ReadMonitoringSample(IDataView data, DataViewSchema.Column featureColumn, DataViewSchema.Column labelColumn, int monitoringSubsetSize,
        DataViewSchema.Column? weightColumn = null) =>
        Read(data, featureColumn, labelColumn, "training data", monitoringSubsetSize > 0 ? monitoringSubsetSize : DefaultStreamingMonitoringRows, weightColumn: weightColumn);

    /// <summary>Whether <paramref name="train"/>, read by <see cref="ReadTraining"/>, holds every training row (always, unless streaming cut it short).</summary>
    public static bool HoldsAllRows(TrainingSet train, bool streaming, int monitoringSubsetSize) =>
        !streaming || train.Rows < (monitoringSubsetSize > 0 ? monitoringSubsetSize : DefaultStreamingMonitoringRows);

    /// <summary>
    /// What a trainer holds of its training data: every row, or only the monitoring sample when it streams the rest
    /// (<paramref name="streaming"/>); no row with a label is an error naming the label column.
    /// </summary>
    public static TrainingSet ReadTraining(IDataView data, DataViewSchema.Column featureColumn, DataViewSchema.Column labelColumn,
        bool streaming, int monitoringSubsetSize, string parameterName, DataViewSchema.Column? weightColumn = null)
    {
        var rows = streaming
            ? ReadMonitoringSample(data, featureColumn, labelColumn, monitoringSubsetSize, weightColumn)
            : Read(data, featureColumn, labelColumn, "training data", streamOption: nameof(MlpTrainer.Options.ShuffleBufferSize), weightColumn: weightColumn);
        if (rows.Rows == 0)
            throw new ArgumentException($"The training data has no rows with a label in column '{labelColumn.Name}'.", parameterName);
        return rows;
    }

    /// <summary>
    /// Validation rows: <paramref name="label"/> (already checked against the training label by the task), a feature
    /// vector of <paramref name="featureCount"/> floats and, when the trainer has one, the example weight column.
    /// </summary>
    public static TrainingSet ReadValidation(IDataView data, DataViewSchema.Column label, string featureColumnName, int featureCount,
        string? weightColumnName, string parameterName)
    {
        var features = SchemaChecks.FeatureVector(data.Schema, featureColumnName, featureCount, parameterName);
        var weight = weightColumnName is null ? (DataViewSchema.Column?)null : SchemaChecks.Weight(data.Schema, weightColumnName, parameterName);
        return Read(data, features, label, "validation data", weightColumn: weight);
    }

    /// <summary>
    /// Rows whose label is missing (key 0, NaN target) are skipped, as ML.NET's trainers do; non-finite features are an
    /// error. More rows than one array holds is an <see cref="ArgumentOutOfRangeException"/> naming
    /// <paramref name="streamOption"/> (the option that would stream them instead), before reading when the row count is
    /// known. A Single label is read as a regression target, a key or Boolean label as a class.
    /// </summary>
    public static TrainingSet Read(IDataView data, DataViewSchema.Column featureColumn, DataViewSchema.Column labelColumn, string what, int maxRows = int.MaxValue,
        string? streamOption = null, DataViewSchema.Column? weightColumn = null)
    {
        int featureCount = ((VectorDataViewType)featureColumn.Type).Size;
        int fit = (int)Math.Min(int.MaxValue, Array.MaxLength / Math.Max(1, featureCount));
        string advice = streamOption is null ? "use fewer rows." : $"stream them ({streamOption} > 0) or use fewer rows.";
        ArgumentOutOfRangeException TooMany(long rows) => new(streamOption ?? nameof(data), FormattableString.Invariant(
            $"The {what} has {(rows > fit ? rows.ToString("N0", System.Globalization.CultureInfo.InvariantCulture) : "more than " + fit.ToString("N0", System.Globalization.CultureInfo.InvariantCulture))} rows of {featureCount:N0} features, more values than one array holds in memory; {advice}"));
        long expected = Math.Min(data.GetRowCount() ?? 1024, maxRows);
        if (expected > fit) throw TooMany(expected);
        bool regression = labelColumn.Type == NumberDataViewType.Single;
        int capacity = Math.Max(1, (int)expected);
        var features = new float[checked(capacity * featureCount)];
        var labels = regression ? [] : new int[capacity];
        var targets = regression ? new float[capacity] : null;
        var weights = weightColumn is null ? null : new float[capacity];
        int rows = 0;

        using var reader = new LabeledRowReader(data, featureColumn, labelColumn, what, weightColumn);
        var spare = new float[featureCount]; // grow only once a row is known to exist (an exact row count never grows)
        while (rows < maxRows)
        {
            bool full = rows == capacity;
            if (!reader.TryRead(full ? spare : features.AsSpan(rows * featureCount, featureCount), out RowLabel label)) break;
            if (full)
            {
                if (capacity >= fit) throw TooMany(capacity + 1L);
                capacity = (int)Math.Min(Math.Min(maxRows, fit), capacity * 2L);
                Resize(capacity);
                spare.CopyTo(features, rows * featureCount);
            }
            if (regression) targets![rows] = label.Target;
            else labels[rows] = label.Class;
            if (weights is not null) weights[rows] = label.Weight;
            rows++;
        }
        // Trim the growth slack: the data set's row count is its label count.
        if (capacity != rows) Resize(rows);
        return regression ? new TrainingSet(features, targets!, featureCount, weights) : new TrainingSet(features, labels, featureCount, weights);

        void Resize(int length)
        {
            Array.Resize(ref features, length * featureCount);
            if (regression) Array.Resize(ref targets, length);
            else Array.Resize(ref labels, length);
            if (weights is not null) Array.Resize(ref weights, length);
        }
    }
}
