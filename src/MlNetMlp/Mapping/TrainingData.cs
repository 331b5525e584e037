using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetMlp.Numerics;

namespace MlNetMlp.Mapping;

/// <summary>Reads a feature vector column and a key label column into dense arrays for training.</summary>
internal static class TrainingData
{
    /// <summary>Rows kept in memory to measure training accuracy per epoch when streaming without a MonitoringSubsetSize.</summary>
    public const int DefaultStreamingMonitoringRows = 10_000;

    /// <summary>
    /// The rows a streaming trainer keeps in memory to measure training accuracy each epoch: the first
    /// <paramref name="monitoringSubsetSize"/> (<see cref="DefaultStreamingMonitoringRows"/> when 0).
    /// </summary>
    public static MlpDataSet ReadMonitoringSample(IDataView data, DataViewSchema.Column featureColumn, DataViewSchema.Column labelColumn, int monitoringSubsetSize) =>
        Read(data, featureColumn, labelColumn, "training data", monitoringSubsetSize > 0 ? monitoringSubsetSize : DefaultStreamingMonitoringRows);

    /// <summary>Whether <paramref name="train"/>, read by <see cref="ReadTraining"/>, holds every training row (always, unless streaming cut it short).</summary>
    public static bool HoldsAllRows(MlpDataSet train, bool streaming, int monitoringSubsetSize) =>
        !streaming || train.Rows < (monitoringSubsetSize > 0 ? monitoringSubsetSize : DefaultStreamingMonitoringRows);

    /// <summary>
    /// What a trainer holds of its training data: every row, or only the monitoring sample when it streams the rest
    /// (<paramref name="streaming"/>); no row with a label is an error naming the label column.
    /// </summary>
    public static MlpDataSet ReadTraining(IDataView data, DataViewSchema.Column featureColumn, DataViewSchema.Column labelColumn,
        bool streaming, int monitoringSubsetSize, string parameterName)
    {
        var rows = streaming
            ? ReadMonitoringSample(data, featureColumn, labelColumn, monitoringSubsetSize)
            : Read(data, featureColumn, labelColumn, "training data", streamOption: nameof(MlpTrainer.Options.ShuffleBufferSize));
        if (rows.Rows == 0)
            throw new ArgumentException($"The training data has no rows with a label in column '{labelColumn.Name}'.", parameterName);
        return rows;
    }

    /// <summary>
    /// Validation rows: a key label column named as <paramref name="trainLabel"/> with the same classes (count and key
    /// values), and a feature vector of <paramref name="featureCount"/> floats.
    /// </summary>
    public static MlpDataSet ReadValidation(IDataView data, DataViewSchema.Column trainLabel, string featureColumnName, int featureCount, string parameterName)
    {
        var label = SchemaChecks.KeyLabel(data.Schema, trainLabel.Name, parameterName);
        ulong classCount = ((KeyDataViewType)trainLabel.Type).Count;
        if (((KeyDataViewType)label.Type).Count != classCount)
            throw new ArgumentOutOfRangeException(parameterName,
                $"The validation label column '{label.Name}' has {((KeyDataViewType)label.Type).Count} classes, the training label has {classCount}.");
        TrainerFitRules.SameClasses(trainLabel, label, parameterName);
        var features = SchemaChecks.FeatureVector(data.Schema, featureColumnName, featureCount, parameterName);
        return Read(data, features, label, "validation data");
    }

    /// <summary>
    /// Rows whose label is missing (key 0) are skipped, as ML.NET's trainers do; non-finite features are an error. More
    /// rows than one array holds is an <see cref="ArgumentOutOfRangeException"/> naming <paramref name="streamOption"/>
    /// (the option that would stream them instead), before reading when the row count is known.
    /// </summary>
    public static MlpDataSet Read(IDataView data, DataViewSchema.Column featureColumn, DataViewSchema.Column labelColumn, string what, int maxRows = int.MaxValue,
        string? streamOption = null)
    {
        int featureCount = ((VectorDataViewType)featureColumn.Type).Size;
        int fit = (int)Math.Min(int.MaxValue, Array.MaxLength / Math.Max(1, featureCount));
        string advice = streamOption is null ? "use fewer rows." : $"stream them ({streamOption} > 0) or use fewer rows.";
        ArgumentOutOfRangeException TooMany(long rows) => new(streamOption ?? nameof(data), FormattableString.Invariant(
            $"The {what} has {(rows > fit ? rows.ToString("N0", System.Globalization.CultureInfo.InvariantCulture) : "more than " + fit.ToString("N0", System.Globalization.CultureInfo.InvariantCulture))} rows of {featureCount:N0} features, more values than one array holds in memory; {advice}"));
        long expected = Math.Min(data.GetRowCount() ?? 1024, maxRows);
        if (expected > fit) throw TooMany(expected);
        var features = new float[checked((int)Math.Max(1, expected) * featureCount)];
        var labels = new int[Math.Max(1, (int)expected)];
        int rows = 0;

        using var reader = new LabeledRowReader(data, featureColumn, labelColumn, what);
        var spare = new float[featureCount]; // grow only once a row is known to exist (an exact row count never grows)
        while (rows < maxRows)
        {
            bool full = rows == labels.Length;
            if (!reader.TryRead(full ? spare : features.AsSpan(rows * featureCount, featureCount), out int label)) break;
            if (full)
            {
                if (labels.Length >= fit) throw TooMany(labels.Length + 1L);
                Array.Resize(ref labels, (int)Math.Min(Math.Min(maxRows, fit), labels.Length * 2L));
                Array.Resize(ref features, labels.Length * featureCount);
                spare.CopyTo(features, rows * featureCount);
            }
            labels[rows++] = label;
        }
        // Trim the growth slack: the data set's row count is its label count.
        if (labels.Length != rows)
        {
            Array.Resize(ref labels, rows);
            Array.Resize(ref features, rows * featureCount);
        }
        return new MlpDataSet(features, labels, featureCount);
    }
}
