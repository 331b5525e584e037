namespace MlNetMlp.Cnn;

/// <summary>
/// Batch normalization over the channels of an NHWC activation: BatchNorm2d on images, BatchNorm1d on vectors
/// (a vector is <c>C × 1 × 1</c>), with PyTorch's semantics (eps 1e-5, momentum 0.1):
/// <list type="bullet">
/// <item>training: normalize with the whole batch's mean and biased variance (all workers' rows; the workers meet at
/// a barrier to combine their partial sums), then update <c>running = 0.9·running + 0.1·batch</c> using the unbiased
/// variance;</item>
/// <item>inference: normalize with the running statistics.</item>
/// </list>
/// Partial sums are taken around the running mean (a shift that keeps <c>E[x²] − E[x]²</c> accurate) in float over
/// blocks of 64 pixels and accumulated in double.
/// </summary>
internal sealed class BatchNormLayer : CnnLayer
{
    public const float DefaultEpsilon = 1e-5f;
    public const float DefaultMomentum = 0.1f;

    public BatchNormLayer(TensorShape shape, float epsilon = DefaultEpsilon, float momentum = DefaultMomentum) : base(shape, shape)
    {
        Epsilon = epsilon;
        Momentum = momentum;
    }

    public float Epsilon { get; }

    public float Momentum { get; }

    private int Channels => Input.Channels;

    public override int ParameterLength => 2 * Channels; // γ, β

    public override int BufferLength => 2 * Channels;    // running mean, running variance

    public override IEnumerable<(string Suffix, int Offset, int Length, bool IsWeight, int[] Shape)> ParameterTensors =>
        [("weight", 0, Channels, false, [Channels]), ("bias", Channels, Channels, false, [Channels])];

    public override IEnumerable<(string Suffix, int Offset, int Length, int[] Shape)> BufferTensors =>
        [("running_mean", 0, Channels, [Channels]), ("running_var", Channels, Channels, [Channels])];

    public override void Initialize(Span<float> parameters, Span<float> buffers, Random random)
    {
        parameters[..Channels].Fill(1f);
        parameters[Channels..].Clear();
        buffers[..Channels].Clear();
        buffers[Channels..].Fill(1f);
    }

    private sealed class Scratch(int channels)
    {
        public readonly float[] Shift = new float[channels];
        public readonly float[] Mean = new float[channels];
        public readonly float[] InvStd = new float[channels];
        public readonly float[] Scale = new float[channels];
        public readonly float[] Offset = new float[channels];
        public readonly float[] A = new float[channels];
        public readonly float[] B = new float[channels];
        public readonly float[] C = new float[channels];
    }

    private sealed class Shared(int workers, int channels)
    {
        // Separate arrays for the forward and backward sums: a fast worker may write its backward sums while a slow
        // one still reads the forward sums of the same step.
        public readonly double[][] Forward = Enumerable.Range(0, workers).Select(_ => new double[2 * channels]).ToArray();
        public readonly double[][] Backward = Enumerable.Range(0, workers).Select(_ => new double[2 * channels]).ToArray();
    }

    public override object? CreateScratch(int maxRows, bool training) => new Scratch(Channels);

    public override object? CreateShared(int workers) => new Shared(workers, Channels);

    public override void Forward(CnnPass pass, CnnWorkspace work, int index)
    {
        var s = (Scratch)work.Scratch[index]!;
        int channels = Channels, pixels = work.Rows * Input.Pixels;
        ReadOnlySpan<float> x = InputOf(work, index);
        Span<float> y = OutputOf(work, index);
        ReadOnlySpan<float> gamma = Parameters(pass)[..channels], beta = Parameters(pass)[channels..];
        Span<float> runningMean = pass.Network.Buffers.AsSpan(BufferOffset, channels);
        Span<float> runningVariance = pass.Network.Buffers.AsSpan(BufferOffset + channels, channels);
        if (!pass.Training)
        {
            for (int c = 0; c < channels; c++)
            {
                s.Mean[c] = runningMean[c];
                s.InvStd[c] = 1f / MathF.Sqrt(runningVariance[c] + Epsilon);
            }
        }
        else
        {
            var shared = (Shared)pass.Shared[index]!;
            runningMean.CopyTo(s.Shift); // read before the barrier: worker 0 updates the running mean after it
            double[] mine = shared.Forward[work.Worker];
            Array.Clear(mine);
            ChannelMath.AddShiftedMoments(x, pixels, channels, s.Shift, mine.AsSpan(0, channels), mine.AsSpan(channels, channels));
            pass.Barrier.Wait();
            long count = (long)pass.BatchRows * Input.Pixels;
            for (int c = 0; c < channels; c++)
            {
                double sum = 0, squares = 0;
                foreach (double[] partial in shared.Forward)
                {
                    sum += partial[c];
                    squares += partial[channels + c];
                }
                double meanShift = sum / count;
                double variance = Math.Max(0, squares / count - meanShift * meanShift);
                s.Mean[c] = (float)(s.Shift[c] + meanShift);
                s.InvStd[c] = (float)(1 / Math.Sqrt(variance + Epsilon));
                if (work.Worker == 0 && pass.UpdateRunningStatistics)
                {
                    double unbiased = count > 1 ? variance * count / (count - 1) : variance;
                    runningMean[c] = (float)((1 - Momentum) * runningMean[c] + Momentum * (s.Shift[c] + meanShift));
                    runningVariance[c] = (float)((1 - Momentum) * runningVariance[c] + Momentum * unbiased);
                }
            }
        }
        for (int c = 0; c < channels; c++)
        {
            s.Scale[c] = gamma[c] * s.InvStd[c];
            s.Offset[c] = beta[c] - s.Mean[c] * s.Scale[c];
        }
        ChannelMath.Affine(x, y, pixels, channels, s.Scale, s.Offset);
    }

    public override void Backward(CnnPass pass, CnnWorkspace work, int index, float[] outputGradient, float[] inputGradient, bool needInputGradient)
    {
        var s = (Scratch)work.Scratch[index]!;
        int channels = Channels, pixels = work.Rows * Input.Pixels;
        ReadOnlySpan<float> x = InputOf(work, index);
        ReadOnlySpan<float> dy = outputGradient.AsSpan(0, pixels * channels);
        Span<float> gradient = ParameterGradient(work);
        ReadOnlySpan<float> gamma = Parameters(pass)[..channels];
        double[] mine = pass.Training ? ((Shared)pass.Shared[index]!).Backward[work.Worker] : new double[2 * channels];
        Array.Clear(mine);
        ChannelMath.AddGradientMoments(x, dy, pixels, channels, s.Mean, s.InvStd, mine.AsSpan(0, channels), mine.AsSpan(channels, channels));
        // This worker's share of dγ = Σ dy·x̂ and dβ = Σ dy; the workers' shares are summed with the other gradients.
        for (int c = 0; c < channels; c++)
        {
            gradient[c] = (float)mine[channels + c];
            gradient[channels + c] = (float)mine[c];
        }
        if (!pass.Training)
        {
            // Running statistics are constants: dx = dy·γ·invStd.
            if (needInputGradient)
            {
                for (int c = 0; c < channels; c++) s.B[c] = 0;
                ChannelMath.Affine(dy, inputGradient.AsSpan(0, pixels * channels), pixels, channels, s.Scale, s.B);
            }
            return;
        }
        pass.Barrier.Wait();
        if (!needInputGradient) return;
        var all = ((Shared)pass.Shared[index]!).Backward;
        double count = (double)pass.BatchRows * Input.Pixels;
        for (int c = 0; c < channels; c++)
        {
            double sumDy = 0, sumDyXhat = 0;
            foreach (double[] partial in all)
            {
                sumDy += partial[c];
                sumDyXhat += partial[channels + c];
            }
            s.A[c] = gamma[c] * s.InvStd[c];
            s.B[c] = (float)(sumDy / count);
            s.C[c] = (float)(s.InvStd[c] * sumDyXhat / count);
        }
        ChannelMath.NormalizationGradient(x, dy, inputGradient.AsSpan(0, pixels * channels), pixels, channels, s.Mean, s.A, s.B, s.C);
    }
}
