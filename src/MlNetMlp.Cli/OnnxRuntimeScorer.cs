using Microsoft.ML.OnnxRuntime;

namespace MlNetMlp.Cli;

/// <summary>
/// Scores an exported classifier (input Features [N, width]) with ONNX Runtime, as <c>bench score</c> scores it with
/// ML.NET: all the rows as one batch tensor, or one row per call. The tensors are built once, over the same rows
/// ML.NET reads from memory; each call asks for Score and PredictedLabel, the columns ML.NET's passes read. Single
/// rows go through ONNX Runtime's fastest path for small calls: an I/O binding of preallocated tensors, the row copied
/// into the bound input (as a service copies a request), Score and PredictedLabel written into bound outputs.
/// </summary>
internal sealed class OnnxRuntimeScorer : IDisposable
{
    private static readonly string[] Outputs = ["Score.output", "PredictedLabel.output"];

    private readonly SessionOptions _options;
    private readonly InferenceSession _session;
    private readonly RunOptions _run = new();
    private readonly string[] _inputNames;
    private readonly OrtValue _batch;
    private readonly float[][] _rows;
    private readonly float[] _row, _score;
    private readonly uint[] _rowKey = new uint[1];
    private readonly OrtValue _rowValue, _scoreValue, _rowKeyValue;
    private readonly OrtIoBinding _binding;
    private readonly int _batchRows;
    private uint _key;

    /// <param name="onnx">The exported graph.</param>
    /// <param name="batch">The batch's rows, row after row.</param>
    /// <param name="singleRows">The rows single calls cycle through.</param>
    /// <param name="width">Features per row.</param>
    /// <param name="classes">Scores per row.</param>
    /// <param name="threads">ONNX Runtime's intra-op threads.</param>
    public OnnxRuntimeScorer(byte[] onnx, float[] batch, float[][] singleRows, int width, int classes, int threads)
    {
        Threads = threads;
        // One pool of intra-op threads for the operators, nodes run one after another (an MLP is a chain).
        _options = new SessionOptions
        {
            IntraOpNumThreads = threads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        // Its pool's threads otherwise spin after every Run, taking the cores from the scorer measured in the next turn.
        _options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        _session = new InferenceSession(onnx, _options);
        if (_session.InputMetadata.Count != 1 || !_session.InputMetadata.ContainsKey("Features"))
            throw new InvalidOperationException($"The exported graph takes {string.Join(", ", _session.InputMetadata.Keys)}, not Features alone.");
        _inputNames = ["Features"];
        _batchRows = batch.Length / width;
        _batch = OrtValue.CreateTensorValueFromMemory(batch, [_batchRows, width]);
        _rows = singleRows;
        _row = new float[width];
        _score = new float[classes];
        _rowValue = OrtValue.CreateTensorValueFromMemory(_row, [1, width]);
        _scoreValue = OrtValue.CreateTensorValueFromMemory(_score, [1, classes]);
        _rowKeyValue = OrtValue.CreateTensorValueFromMemory(_rowKey, [1, 1]);
        _binding = _session.CreateIoBinding();
        _binding.BindInput(_inputNames[0], _rowValue);
        _binding.BindOutput(Outputs[0], _scoreValue);
        _binding.BindOutput(Outputs[1], _rowKeyValue);
    }

    /// <summary>ONNX Runtime's intra-op thread count.</summary>
    public int Threads { get; }

    /// <summary>The last PredictedLabel read (so that reading it is part of each call).</summary>
    public uint LastKey => _key;

    /// <summary>The scores of the last single row.</summary>
    public ReadOnlySpan<float> LastScores => _score;

    public static string Version => OrtEnv.Instance().GetVersionString();

    /// <summary>Scores the batch; returns its rows.</summary>
    public long ScoreBatch()
    {
        using var results = _session.Run(_run, _inputNames, [_batch], Outputs);
        _key = results[1].GetTensorDataAsSpan<uint>()[^1];
        return _batchRows;
    }

    /// <summary>The batch's scores, row after row.</summary>
    public float[] BatchScores()
    {
        using var results = _session.Run(_run, _inputNames, [_batch], Outputs);
        return results[0].GetTensorDataAsSpan<float>().ToArray();
    }

    /// <summary>Scores single row <paramref name="index"/> (modulo the rows given) into the bound Score and PredictedLabel.</summary>
    public void Predict(int index)
    {
        _rows[index % _rows.Length].CopyTo(_row, 0);
        _session.RunWithBinding(_run, _binding);
        _key = _rowKey[0];
    }

    public void Dispose()
    {
        _batch.Dispose();
        _binding.Dispose();
        _rowValue.Dispose();
        _scoreValue.Dispose();
        _rowKeyValue.Dispose();
        _session.Dispose();
        _run.Dispose();
        _options.Dispose();
    }
}
