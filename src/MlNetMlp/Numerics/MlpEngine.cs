namespace MlNetMlp.Numerics;

/// <summary>
/// Trains an <see cref="MlpNetwork"/> in place: <see cref="MlpBackpropagation"/> computes each worker's partial gradient,
/// then one pool job per step sums the partials and applies the update rule, each worker on its share of the parameters
/// (the last partial is added as the update reads it: one pass over the gradient fewer per step).
/// </summary>
internal sealed class MlpEngine : ITrainingEngine
{
    private readonly WorkerPool _pool;
    private readonly MlpBackpropagation _backpropagation;
    private readonly MlpEvaluator _evaluator;
    private readonly Action<int> _reduceAndUpdate;
    private float _learningRate;

    public MlpEngine(MlpNetwork network, int threads, int maxBatchRows, TaskHead head, NetworkTrainerOptions options, float dropout)
    {
        _pool = new WorkerPool(threads);
        _backpropagation = new MlpBackpropagation(network, _pool, maxBatchRows, dropout, head);
        Optimizer = new ParameterUpdater(_backpropagation.Layout.Tensors(network), options);
        _evaluator = new MlpEvaluator(network, _pool, head);
        _reduceAndUpdate = worker =>
        {
            float[]? lastPartial = _backpropagation.ReduceGradientsButLast(worker);
            Optimizer.Apply(_pool.WorkerCount, worker, _backpropagation.Gradient, lastPartial, _learningRate);
        };
    }

    public ParameterUpdater Optimizer { get; }

    public double Step(TrainingSet data, int[] order, int start, int count, float learningRate, int dropoutSeed, long step)
    {
        double loss = _backpropagation.ComputeGradients(data, order, start, count, dropoutSeed, step);
        _learningRate = learningRate;
        Optimizer.BeginStep();
        _pool.Run(_reduceAndUpdate);
        return loss;
    }

    public (double Loss, double Accuracy) Evaluate(TrainingSet data, int[]? rows, CancellationToken cancellationToken) => _evaluator.Evaluate(data, rows);

    public void Dispose() => _pool.Dispose();
}
