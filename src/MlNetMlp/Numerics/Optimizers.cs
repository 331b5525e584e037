using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace MlNetMlp.Numerics;

/// <summary>
/// One update step of each rule over a span of parameters, following torch.optim's formulas.
/// L2 is applied PyTorch's <c>weight_decay</c> way: the gradient used is <c>g + λ·p</c>
/// (pass λ = 0 for biases). All state lives in caller-owned spans of the same length. Each rule also takes the
/// gradient as two addends (<c>g = gradient + gradientAddend</c>, summed in registers): how data-parallel training
/// folds the last worker's partial gradient into the step instead of summing into memory first.
/// </summary>
internal static class Optimizers
{
    /// <summary><c>p −= lr·(g + λp)</c>.</summary>
    public static void Sgd(Span<float> parameters, ReadOnlySpan<float> gradient, float learningRate, float l2, SimdWidth width) =>
        Sgd(parameters, gradient, [], learningRate, l2, width);

    /// <summary><see cref="Sgd(Span{float}, ReadOnlySpan{float}, float, float, SimdWidth)"/> with <c>g = gradient + gradientAddend</c> (an empty addend is zero).</summary>
    public static void Sgd(Span<float> parameters, ReadOnlySpan<float> gradient, ReadOnlySpan<float> gradientAddend, float learningRate, float l2, SimdWidth width) =>
        Run(new SgdUpdate(learningRate, l2), parameters, gradient, gradientAddend, Span<float>.Empty, Span<float>.Empty, width);

    /// <summary>
    /// <c>v = μv + g′; p −= lr·v</c>, or with Nesterov <c>p −= lr·(g′ + μv)</c>, where <c>g′ = g + λp</c>.
    /// Velocity starts at zero, which makes the first step PyTorch's <c>v = g′</c>.
    /// </summary>
    public static void Momentum(Span<float> parameters, ReadOnlySpan<float> gradient, Span<float> velocity, float learningRate, float momentum, bool nesterov, float l2, SimdWidth width) =>
        Momentum(parameters, gradient, [], velocity, learningRate, momentum, nesterov, l2, width);

    /// <summary>Momentum with <c>g = gradient + gradientAddend</c> (an empty addend is zero).</summary>
    public static void Momentum(Span<float> parameters, ReadOnlySpan<float> gradient, ReadOnlySpan<float> gradientAddend, Span<float> velocity,
        float learningRate, float momentum, bool nesterov, float l2, SimdWidth width) =>
        Run(new MomentumUpdate(learningRate, momentum, nesterov, l2), parameters, gradient, gradientAddend, velocity, Span<float>.Empty, width);

    /// <summary>
    /// Adam with bias correction, as torch.optim.Adam: <c>m = β₁m + (1−β₁)g′; v = β₂v + (1−β₂)g′²;
    /// p −= (lr / (1−β₁ᵗ))·m / (√v / √(1−β₂ᵗ) + ε)</c>, with <paramref name="step"/> t counted from 1.
    /// </summary>
    public static void Adam(Span<float> parameters, ReadOnlySpan<float> gradient, Span<float> firstMoment, Span<float> secondMoment,
        float learningRate, float beta1, float beta2, float epsilon, int step, float l2, SimdWidth width) =>
        Adam(parameters, gradient, [], firstMoment, secondMoment, learningRate, beta1, beta2, epsilon, step, l2, width);

    /// <summary>Adam with <c>g = gradient + gradientAddend</c> (an empty addend is zero).</summary>
    public static void Adam(Span<float> parameters, ReadOnlySpan<float> gradient, ReadOnlySpan<float> gradientAddend, Span<float> firstMoment, Span<float> secondMoment,
        float learningRate, float beta1, float beta2, float epsilon, int step, float l2, SimdWidth width)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(step, 1);
        double biasCorrection1 = 1 - Math.Pow(beta1, step);
        double biasCorrection2 = 1 - Math.Pow(beta2, step);
        var update = new AdamUpdate(
            stepSize: (float)(learningRate / biasCorrection1),
            inverseSqrtBiasCorrection2: (float)(1 / Math.Sqrt(biasCorrection2)),
            beta1, beta2, epsilon, l2);
        Run(update, parameters, gradient, gradientAddend, firstMoment, secondMoment, width);
    }

    private interface IParameterUpdate
    {
        void Apply<TOps, TVector>(ref float parameters, TVector gradient, ref float state1, ref float state2, nuint index)
            where TOps : struct, IVectorOps<TVector>
            where TVector : struct;
    }

    private static void Run<TUpdate>(TUpdate update, Span<float> parameters, ReadOnlySpan<float> gradient, ReadOnlySpan<float> gradientAddend,
        Span<float> state1, Span<float> state2, SimdWidth width)
        where TUpdate : struct, IParameterUpdate
    {
        int length = parameters.Length;
        if (gradient.Length != length)
            throw new ArgumentException("Gradient and parameters differ in length.", nameof(gradient));
        if (!gradientAddend.IsEmpty && gradientAddend.Length != length)
            throw new ArgumentException("The gradient's addend and parameters differ in length.", nameof(gradientAddend));
        // State spans may be empty for rules that do not use them; never touched then.
        if ((!state1.IsEmpty && state1.Length != length) || (!state2.IsEmpty && state2.Length != length))
            throw new ArgumentException("Optimizer state and parameters differ in length.");
        ref float p = ref MemoryMarshal.GetReference(parameters);
        ref float g = ref MemoryMarshal.GetReference(gradient);
        bool sum = !gradientAddend.IsEmpty;
        ref float a = ref MemoryMarshal.GetReference(gradientAddend);
        ref float s1 = ref MemoryMarshal.GetReference(state1);
        ref float s2 = ref MemoryMarshal.GetReference(state2);
        nuint done = width switch
        {
            SimdWidth.Vector512 => RunVectors<TUpdate, Vector512Ops, Vector512<float>>(update, ref p, ref g, sum, ref a, ref s1, ref s2, length),
            SimdWidth.Vector256 => RunVectors<TUpdate, Vector256Ops, Vector256<float>>(update, ref p, ref g, sum, ref a, ref s1, ref s2, length),
            SimdWidth.Vector128 => RunVectors<TUpdate, Vector128Ops, Vector128<float>>(update, ref p, ref g, sum, ref a, ref s1, ref s2, length),
            _ => 0,
        };
        for (nuint i = done; i < (nuint)length; i++)
            update.Apply<ScalarOps, float>(ref p, sum ? Unsafe.Add(ref g, i) + Unsafe.Add(ref a, i) : Unsafe.Add(ref g, i), ref s1, ref s2, i);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static nuint RunVectors<TUpdate, TOps, TVector>(TUpdate update, ref float p, ref float g, bool sum, ref float a, ref float s1, ref float s2, int length)
        where TUpdate : struct, IParameterUpdate
        where TOps : struct, IVectorOps<TVector>
        where TVector : struct
    {
        nuint step = (nuint)TOps.Count;
        nuint end = (nuint)length - (nuint)length % step;
        if (sum)
        {
            for (nuint i = 0; i < end; i += step)
                update.Apply<TOps, TVector>(ref p, TOps.Add(TOps.Load(ref g, i), TOps.Load(ref a, i)), ref s1, ref s2, i);
        }
        else
        {
            for (nuint i = 0; i < end; i += step)
                update.Apply<TOps, TVector>(ref p, TOps.Load(ref g, i), ref s1, ref s2, i);
        }
        return end;
    }

    private readonly struct SgdUpdate(float learningRate, float l2) : IParameterUpdate
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Apply<TOps, TVector>(ref float parameters, TVector gradient, ref float state1, ref float state2, nuint index)
            where TOps : struct, IVectorOps<TVector>
            where TVector : struct
        {
            TVector p = TOps.Load(ref parameters, index);
            TVector g = TOps.MultiplyAdd(TOps.Broadcast(l2), p, gradient);
            TOps.Store(TOps.MultiplyAdd(TOps.Broadcast(-learningRate), g, p), ref parameters, index);
        }
    }

    private readonly struct MomentumUpdate(float learningRate, float momentum, bool nesterov, float l2) : IParameterUpdate
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Apply<TOps, TVector>(ref float parameters, TVector gradient, ref float velocity, ref float state2, nuint index)
            where TOps : struct, IVectorOps<TVector>
            where TVector : struct
        {
            TVector p = TOps.Load(ref parameters, index);
            TVector g = TOps.MultiplyAdd(TOps.Broadcast(l2), p, gradient);
            TVector mu = TOps.Broadcast(momentum);
            TVector v = TOps.MultiplyAdd(mu, TOps.Load(ref velocity, index), g);
            TOps.Store(v, ref velocity, index);
            TVector direction = nesterov ? TOps.MultiplyAdd(mu, v, g) : v;
            TOps.Store(TOps.MultiplyAdd(TOps.Broadcast(-learningRate), direction, p), ref parameters, index);
        }
    }

    private readonly struct AdamUpdate(float stepSize, float inverseSqrtBiasCorrection2, float beta1, float beta2, float epsilon, float l2) : IParameterUpdate
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Apply<TOps, TVector>(ref float parameters, TVector gradient, ref float firstMoment, ref float secondMoment, nuint index)
            where TOps : struct, IVectorOps<TVector>
            where TVector : struct
        {
            TVector p = TOps.Load(ref parameters, index);
            TVector g = TOps.MultiplyAdd(TOps.Broadcast(l2), p, gradient);
            TVector m = TOps.MultiplyAdd(TOps.Broadcast(beta1), TOps.Load(ref firstMoment, index), TOps.Multiply(TOps.Broadcast(1 - beta1), g));
            TVector v = TOps.MultiplyAdd(TOps.Broadcast(beta2), TOps.Load(ref secondMoment, index), TOps.Multiply(TOps.Broadcast(1 - beta2), TOps.Multiply(g, g)));
            TOps.Store(m, ref firstMoment, index);
            TOps.Store(v, ref secondMoment, index);
            TVector denominator = TOps.MultiplyAdd(TOps.Sqrt(v), TOps.Broadcast(inverseSqrtBiasCorrection2), TOps.Broadcast(epsilon));
            TVector stepVector = TOps.Divide(TOps.Multiply(TOps.Broadcast(stepSize), m), denominator);
            TOps.Store(TOps.Subtract(p, stepVector), ref parameters, index);
        }
    }
}
