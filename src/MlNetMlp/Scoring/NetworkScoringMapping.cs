using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Model.OnnxConverter;
using MlNetMlp.Mapping;
using MlNetMlp.Numerics;
using MlNetMlp.Onnx;

namespace MlNetMlp.Scoring;

/// <summary>
/// Per-row scoring of a feature vector by a network, for any task: the network computes its output layer
/// (<see cref="INetworkOutputs{TWorkspace}"/>), the <see cref="ScoringTask"/> turns the outputs into the values its
/// columns read and says what the columns are. Cursors score blocks of rows read ahead (<see cref="BlockScorer"/>);
/// PredictionEngine and row-to-row mappers score one row at a time (<see cref="RowScorer"/>), to the same bits.
/// </summary>
internal sealed partial class NetworkScoringMapping<TWorkspace> : ILookaheadRowMapping, IOnnxExportableMapping
{
    private readonly INetworkOutputs<TWorkspace> _network;
    private readonly ScoringTask _task;
    private readonly DataViewSchema.Column _featureColumn;

    public NetworkScoringMapping(INetworkOutputs<TWorkspace> network, ScoringTask task, DataViewSchema inputSchema, string featureColumnName)
    {
        if (task.OutputCount != network.OutputCount)
            throw new InvalidOperationException($"The task reads {task.OutputCount} outputs; the network has {network.OutputCount}.");
        InputSchema = inputSchema;
        _network = network;
        _task = task;
        _featureColumn = SchemaChecks.FeatureVector(inputSchema, featureColumnName, network.InputSize, nameof(inputSchema));
    }

    public DataViewSchema InputSchema { get; }

    public IReadOnlyList<DataViewSchema.DetachedColumn> AddedColumns => _task.Columns;

    public IEnumerable<DataViewSchema.Column> GetDependencies(Func<int, bool> isAddedActive) =>
        AnyActive(isAddedActive) ? [_featureColumn] : [];

    public Delegate?[] CreateGetters(DataViewRow input, Func<int, bool> isAddedActive)
    {
        if (!AnyActive(isAddedActive)) return new Delegate?[AddedColumns.Count];
        var scorer = new RowScorer(_network, _task, input.GetGetter<VBuffer<float>>(_featureColumn));
        return _task.Getters(() => scorer.Score(input.Position), isAddedActive);
    }

    public IEnumerable<DataViewSchema.Column> LookaheadColumns => [_featureColumn];

    public Delegate?[] CreateLookaheadGetters(DataViewRowCursor input, Func<DataViewRowCursor> openLookahead, Func<int, bool> isAddedActive,
        out IDisposable resources)
    {
        if (!AnyActive(isAddedActive))
        {
            resources = NothingToDispose.Instance;
            return new Delegate?[AddedColumns.Count];
        }
        var scorer = new BlockScorer(_network, _task, _featureColumn, input, openLookahead);
        resources = scorer;
        return _task.Getters(scorer.Score, isAddedActive);
    }

    /// <summary>Exportable when the network has an ONNX form (a network without one makes ConvertToOnnx fail naming its transformer).</summary>
    public bool CanSaveOnnx => _network is IOnnxOutputsModel;

    /// <summary>The network's graph up to its outputs, then the task's nodes for its columns.</summary>
    public void SaveAsOnnx(OnnxContext ctx)
    {
        var network = _network as IOnnxOutputsModel ?? throw new NotSupportedException($"{_network.GetType().Name} has no ONNX form.");
        string features = ctx.GetVariableName(_featureColumn.Name);
        // A column of several dimensions (a 28×28 image) is an [N, 28, 28] graph input; the network reads rows of its values.
        if (_featureColumn.Type is VectorDataViewType { Dimensions.Length: > 1 })
            features = OnnxNodes.Node(ctx, "Flatten", [features], "features_flat", n => n.AddAttribute("axis", 1L));
        _task.SaveAsOnnx(ctx, network.SaveOutputsAsOnnx(ctx, features));
    }

    private bool AnyActive(Func<int, bool> isAddedActive)
    {
        for (int i = 0; i < AddedColumns.Count; i++)
            if (isAddedActive(i)) return true;
        return false;
    }

    /// <summary>Scores one row at a time (PredictionEngine, and the fallback of <see cref="BlockScorer"/>).</summary>
    private sealed class RowScorer(INetworkOutputs<TWorkspace> network, ScoringTask task, ValueGetter<VBuffer<float>> featureGetter)
    {
        private readonly float[] _dense = new float[network.InputSize];
        private readonly float[] _values = new float[task.BufferWidth];
        private readonly TWorkspace _workspace = network.CreateWorkspace(1);
        private VBuffer<float> _features;
        private long _scoredPosition = -1;

        public ReadOnlyMemory<float> Score(long position)
        {
            if (position != _scoredPosition)
            {
                featureGetter(ref _features);
                ReadOnlySpan<float> features = _features.GetValues();
                if (!_features.IsDense)
                {
                    _features.CopyTo(_dense);
                    features = _dense;
                }
                network.ComputeOutputs(features, 1, _values, _workspace);
                task.FromOutputs(_values, 1);
                _scoredPosition = position;
            }
            return _values.AsMemory(0, task.ValuesPerRow);
        }
    }

    private sealed class NothingToDispose : IDisposable
    {
        public static readonly NothingToDispose Instance = new();
        public void Dispose() { }
    }
}
