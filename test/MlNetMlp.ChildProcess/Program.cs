using Microsoft.ML;
using Microsoft.ML.Data;

// Usage: MlNetMlp.ChildProcess <model.zip> <features.bin> <scores.bin> [multiclass|binary|regression]
// features.bin: int32 rows, int32 featureCount, then rows×featureCount float32 (column "Features").
// scores.bin (multiclass, the default): int32 rows, int32 classes, then per row: classes float32 scores (cursor),
// uint32 PredictedLabel (cursor), classes float32 scores (PredictionEngine).
// binary: int32 rows, then per row: Score, Probability (float32), PredictedLabel (bool) from the cursor, then the same
// three from PredictionEngine. regression: int32 rows, then per row: Score from the cursor, Score from PredictionEngine.
// Deliberately no MlNetMlp-specific call: ML.NET must find and load our components by itself.
if (args.Length is not (3 or 4) || args.Length == 4 && args[3] is not ("multiclass" or "binary" or "regression"))
{
    Console.Error.WriteLine("usage: MlNetMlp.ChildProcess <model.zip> <features.bin> <scores.bin> [multiclass|binary|regression]");
    return 2;
}
string task = args.Length == 4 ? args[3] : "multiclass";

var mlContext = new MLContext(seed: 1);
var model = mlContext.Model.Load(args[0], out var inputSchema);

Row[] rows;
int featureCount;
using (var reader = new BinaryReader(File.OpenRead(args[1])))
{
    int count = reader.ReadInt32();
    featureCount = reader.ReadInt32();
    rows = new Row[count];
    for (int i = 0; i < count; i++)
    {
        var features = new float[featureCount];
        for (int j = 0; j < featureCount; j++) features[j] = reader.ReadSingle();
        rows[i] = new Row { Features = features };
    }
}

var definition = SchemaDefinition.Create(typeof(Row));
definition["Features"].ColumnType = new VectorDataViewType(NumberDataViewType.Single, featureCount);
var data = mlContext.Data.LoadFromEnumerable(rows, definition);
var scored = model.Transform(data);
if (task != "multiclass")
{
    using var output = new BinaryWriter(File.Create(args[2]));
    output.Write(rows.Length);
    var score = scored.GetColumn<float>("Score").ToArray();
    if (task == "regression")
    {
        var regression = mlContext.Model.CreatePredictionEngine<Row, RegressionPrediction>(model, inputSchemaDefinition: definition);
        for (int i = 0; i < rows.Length; i++)
        {
            output.Write(score[i]);
            output.Write(regression.Predict(rows[i]).Score);
        }
    }
    else
    {
        var probability = scored.GetColumn<float>("Probability").ToArray();
        var label = scored.GetColumn<bool>("PredictedLabel").ToArray();
        var binary = mlContext.Model.CreatePredictionEngine<Row, BinaryPrediction>(model, inputSchemaDefinition: definition);
        for (int i = 0; i < rows.Length; i++)
        {
            output.Write(score[i]);
            output.Write(probability[i]);
            output.Write(label[i]);
            var one = binary.Predict(rows[i]);
            output.Write(one.Score);
            output.Write(one.Probability);
            output.Write(one.PredictedLabel);
        }
    }
    Console.WriteLine($"scored {rows.Length} rows ({task})");
    return 0;
}
var scores = scored.GetColumn<float[]>("Score").ToArray();
var predicted = scored.GetColumn<uint>("PredictedLabel").ToArray();
var engine = mlContext.Model.CreatePredictionEngine<Row, Prediction>(model, inputSchemaDefinition: definition);

using (var writer = new BinaryWriter(File.Create(args[2])))
{
    writer.Write(rows.Length);
    writer.Write(scores[0].Length);
    for (int i = 0; i < rows.Length; i++)
    {
        foreach (var s in scores[i]) writer.Write(s);
        writer.Write(predicted[i]);
        foreach (var s in engine.Predict(rows[i]).Score) writer.Write(s);
    }
}
Console.WriteLine($"scored {rows.Length} rows; input schema had {inputSchema.Count} columns");
return 0;

internal sealed class Row
{
    // Models whose pipeline starts with MapValueToKey("Label") need the column at scoring time too (ML.NET's rule).
    public string Label { get; set; } = "";

    public float[] Features { get; set; } = [];
}

internal sealed class Prediction
{
    public float[] Score { get; set; } = [];
}

internal sealed class BinaryPrediction
{
    public float Score { get; set; }

    public float Probability { get; set; }

    public bool PredictedLabel { get; set; }
}

internal sealed class RegressionPrediction
{
    public float Score { get; set; }
}
