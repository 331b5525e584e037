using System.CommandLine;
using System.Globalization;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetMlp.Cli.Tables;

/// <summary>
/// <c>mlnetmlp predict model.zip --dataset rows.csv [--output predictions.csv]</c>: every row of a table as written,
/// followed by the model's prediction columns — multiclass <c>PredictedLabel</c> and one <c>Score.&lt;class&gt;</c>
/// per class; binary <c>PredictedLabel</c>, <c>Probability</c>, <c>Score</c>; regression <c>Score</c>. One output
/// row per input row. A file is written atomically; without <c>--output</c> (or with <c>-</c>) the table goes to stdout.
/// </summary>
internal static class TablePrediction
{
    public static int Run(ParseResult parse, TableOptions table, string modelPath, string? outputPath, bool json)
    {
        string dataset = parse.GetValue(table.Dataset)!;
        bool toFile = outputPath is not null and not "-";
        if (toFile)
        {
            OutputCheck.File("--output", outputPath!, "predictions", "predictions.csv");
            // Writing over the table being read would replace the input with its predictions.
            OutputCheck.Distinct(("--dataset", dataset), ("--output", outputPath));
        }
        char? separator = table.SeparatorOf(parse);
        bool? header = table.HeaderOf(parse);
        var mlContext = new MLContext(seed: 1);
        var model = TableModel.Load(mlContext, modelPath);
        var input = TableInput.Load(mlContext, dataset, "--dataset", model.InputSchema, model.FeatureColumns, separator, header, withRawText: true);
        var scored = model.Model.Transform(input.Data);

        char outputSeparator = toFile && Path.GetExtension(outputPath!).ToLowerInvariant() is var extension && extension is ".csv" or ".tsv" or ".tab"
            ? (extension == ".csv" ? ',' : '\t')
            : input.Separator;
        var taken = new HashSet<string>(input.FileColumns, StringComparer.Ordinal);
        string Name(string name)
        {
            string candidate = name;
            for (int k = 2; !taken.Add(candidate); k++) candidate = string.Create(CultureInfo.InvariantCulture, $"{name}_{k}");
            return candidate;
        }
        var predictionHeader = model.Task switch
        {
            TableTask.Multiclass => [Name("PredictedLabel"), .. model.Classes.Select(c => Name($"Score.{c}"))],
            TableTask.Binary => [Name("PredictedLabel"), Name("Probability"), Name("Score")],
            _ => new[] { Name("Score") },
        };

        long rows = 0;
        void Write(TextWriter writer)
        {
            writer.WriteLine(DelimitedText.FormatRecord(input.FileColumns.Concat(predictionHeader), outputSeparator));
            var raw = Enumerable.Range(0, input.FileColumns.Count).Select(i => scored.Schema[TableInput.RawPrefix + i.ToString(CultureInfo.InvariantCulture)]).ToArray();
            var score = scored.Schema[TablePipeline.ScoreColumn];
            var predicted = scored.Schema.GetColumnOrNull(TablePipeline.PredictedLabelColumn);
            var probability = scored.Schema.GetColumnOrNull(TablePipeline.ProbabilityColumn);
            var active = raw.Append(score).Concat(predicted is { } p ? [p] : []).Concat(probability is { } q ? [q] : []);
            using var cursor = scored.GetRowCursor(active);
            var rawGetters = raw.Select(c => cursor.GetGetter<ReadOnlyMemory<char>>(c)).ToArray();
            var predictedGetter = predicted is { } pc ? cursor.GetGetter<ReadOnlyMemory<char>>(pc) : null;
            var probabilityGetter = probability is { } pq ? cursor.GetGetter<float>(pq) : null;
            var scoresGetter = model.Task == TableTask.Multiclass ? cursor.GetGetter<VBuffer<float>>(score) : null;
            var scoreGetter = model.Task == TableTask.Multiclass ? null : cursor.GetGetter<float>(score);
            var text = default(ReadOnlyMemory<char>);
            var fields = new List<string>();
            var scores = default(VBuffer<float>);
            float value = 0;
            string modelName = $"Model file '{modelPath}'";
            while (cursor.MoveNext())
            {
                fields.Clear();
                foreach (var getter in rawGetters)
                {
                    getter(ref text);
                    fields.Add(text.ToString());
                }
                string row = string.Create(CultureInfo.InvariantCulture, $"row {rows:N0} of {dataset}");
                if (predictedGetter is not null)
                {
                    predictedGetter(ref text);
                    fields.Add(text.ToString());
                }
                if (probabilityGetter is not null)
                {
                    probabilityGetter(ref value);
                    fields.Add(F(value));
                }
                if (scoresGetter is not null)
                {
                    scoresGetter(ref scores);
                    ClassifierEvaluation.RequireFiniteScores(scores.GetValues(), modelName, row);
                    fields.AddRange(scores.DenseValues().Select(F));
                }
                else
                {
                    scoreGetter!(ref value);
                    ClassifierEvaluation.RequireFiniteScores([value], modelName, row);
                    fields.Add(F(value));
                }
                writer.WriteLine(DelimitedText.FormatRecord(fields, outputSeparator));
                rows++;
            }
        }

        if (toFile)
        {
            AtomicFile.Write(outputPath!, stream =>
            {
                using var writer = new StreamWriter(stream, new UTF8Encoding(false), leaveOpen: true) { NewLine = "\n" };
                Write(writer);
            });
            Terminal.Line(string.Create(CultureInfo.InvariantCulture,
                $"{dataset}: {rows:N0} rows predicted ({TaskMetrics.Name(model.Task)}, {input.Describe()}); written to {outputPath}"));
        }
        else
        {
            Console.Out.NewLine = "\n";
            Write(Console.Out);
        }
        if (json)
        {
            Terminal.JsonLine(new Dictionary<string, object?>
            {
                ["task"] = TaskMetrics.Name(model.Task),
                ["rows"] = rows,
                ["columns"] = input.FileColumns.Concat(predictionHeader).ToArray(),
                ["output"] = toFile ? Path.GetFullPath(outputPath!) : null,
            });
        }
        return 0;
    }

    private static string F(float value) => value.ToString("R", CultureInfo.InvariantCulture);
}
