using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace MlNetMlp.Numerics;

/// <summary>
/// Hidden-layer nonlinearities. <see cref="Value{T}"/> and <see cref="Derivative{T}"/> are the plain
/// scalar definitions (any IEEE type, used by the reference network and the tests); <see cref="Forward(MlpActivation, float, float, ReadOnlySpan{float}, Span{float})"/>
/// and <see cref="Backward(MlpActivation, float, float, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float})"/>
/// are the vectorized float paths of the network.
/// </summary>
internal static class Activations
{
    // GELU, tanh approximation: 0.5·z·(1 + tanh(√(2/π)·(z + 0.044715·z³))).
    private const double GeluScale = 0.7978845608028654; // √(2/π)
    private const double GeluCubic = 0.044715;

    public static T Value<T>(MlpActivation activation, T z, T leakyReluSlope, T eluAlpha) where T : IFloatingPointIeee754<T>
    {
        switch (activation)
        {
            case MlpActivation.Relu: return z > T.Zero ? z : T.Zero;
            case MlpActivation.LeakyRelu: return z > T.Zero ? z : leakyReluSlope * z;
            case MlpActivation.Tanh: return T.Tanh(z);
            case MlpActivation.Sigmoid: return T.One / (T.One + T.Exp(-z));
            case MlpActivation.Elu: return z > T.Zero ? z : eluAlpha * (T.Exp(z) - T.One);
            case MlpActivation.Gelu:
                T half = T.CreateTruncating(0.5);
                return half * z * (T.One + T.Tanh(GeluInner(z)));
            default: throw new ArgumentOutOfRangeException(nameof(activation), activation, null);
        }
    }

    /// <summary>d Value / dz. At the ReLU kink (z = 0) this is the left derivative, as in PyTorch.</summary>
    public static T Derivative<T>(MlpActivation activation, T z, T leakyReluSlope, T eluAlpha) where T : IFloatingPointIeee754<T>
    {
        switch (activation)
        {
            case MlpActivation.Relu: return z > T.Zero ? T.One : T.Zero;
            case MlpActivation.LeakyRelu: return z > T.Zero ? T.One : leakyReluSlope;
            case MlpActivation.Tanh:
                T t = T.Tanh(z);
                return T.One - t * t;
            case MlpActivation.Sigmoid:
                T s = T.One / (T.One + T.Exp(-z));
                return s * (T.One - s);
            case MlpActivation.Elu: return z > T.Zero ? T.One : eluAlpha * T.Exp(z);
            case MlpActivation.Gelu:
                T half = T.CreateTruncating(0.5);
                T tanh = T.Tanh(GeluInner(z));
                T innerDerivative = T.CreateTruncating(GeluScale) * (T.One + T.CreateTruncating(3 * GeluCubic) * z * z);
                return half * (T.One + tanh) + half * z * (T.One - tanh * tanh) * innerDerivative;
            default: throw new ArgumentOutOfRangeException(nameof(activation), activation, null);
        }
    }

    private static T GeluInner<T>(T z) where T : IFloatingPointIeee754<T> =>
        T.CreateTruncating(GeluScale) * (z + T.CreateTruncating(GeluCubic) * z * z * z);

    /// <summary><c>output = f(z)</c>. <paramref name="output"/> may be <paramref name="z"/> itself.</summary>
    public static void Forward(MlpActivation activation, float leakyReluSlope, float eluAlpha, ReadOnlySpan<float> z, Span<float> output) =>
        Forward(activation, leakyReluSlope, eluAlpha, z, output, Simd.Best);

    public static void Forward(MlpActivation activation, float leakyReluSlope, float eluAlpha, ReadOnlySpan<float> z, Span<float> output, SimdWidth width)
    {
        if (output.Length != z.Length) throw new ArgumentException("Input and output lengths differ.", nameof(output));
        switch (activation)
        {
            case MlpActivation.Relu:
                Elementwise.Map(new ReluForward(), z, output, width);
                break;
            case MlpActivation.LeakyRelu:
                Elementwise.Map(new LeakyReluForward(leakyReluSlope), z, output, width);
                break;
            case MlpActivation.Tanh:
                TensorPrimitives.Tanh(z, output);
                break;
            case MlpActivation.Sigmoid:
                TensorPrimitives.Sigmoid(z, output);
                break;
            case MlpActivation.Elu:
                if (Overlaps(z, output))
                    throw new ArgumentException("Elu needs separate input and output buffers.", nameof(output));
                TensorPrimitives.Min(z, 0f, output); // e^z only where it is used, so large z cannot overflow
                TensorPrimitives.Exp(output, output);
                Elementwise.Map(new EluForward(eluAlpha), z, output, z, output, width);
                break;
            case MlpActivation.Gelu:
                if (Overlaps(z, output))
                    throw new ArgumentException("Gelu needs separate input and output buffers.", nameof(output));
                Elementwise.Map(new GeluInnerFunction(), z, output, width);
                TensorPrimitives.Tanh(output, output);
                Elementwise.Map(new GeluForward(), z, output, z, output, width);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(activation), activation, null);
        }
    }

    /// <summary>
    /// <c>dz = da ⊙ f′(z)</c>, where <paramref name="activated"/> = f(z) from the forward pass (tanh, sigmoid
    /// and ELU read their derivative from it). <paramref name="dz"/> may be <paramref name="da"/>.
    /// </summary>
    public static void Backward(MlpActivation activation, float leakyReluSlope, float eluAlpha, ReadOnlySpan<float> z, ReadOnlySpan<float> activated, ReadOnlySpan<float> da, Span<float> dz) =>
        Backward(activation, leakyReluSlope, eluAlpha, z, activated, da, dz, Simd.Best);

    public static void Backward(MlpActivation activation, float leakyReluSlope, float eluAlpha, ReadOnlySpan<float> z, ReadOnlySpan<float> activated, ReadOnlySpan<float> da, Span<float> dz, SimdWidth width)
    {
        if (z.Length != dz.Length || activated.Length != dz.Length || da.Length != dz.Length)
            throw new ArgumentException("All spans must have the same length.", nameof(dz));
        switch (activation)
        {
            case MlpActivation.Relu: Elementwise.Map(new ReluBackward(), z, da, da, dz, width); break;
            case MlpActivation.LeakyRelu: Elementwise.Map(new LeakyReluBackward(leakyReluSlope), z, da, da, dz, width); break;
            case MlpActivation.Tanh: Elementwise.Map(new TanhBackward(), activated, da, da, dz, width); break;
            case MlpActivation.Sigmoid: Elementwise.Map(new SigmoidBackward(), activated, da, da, dz, width); break;
            case MlpActivation.Elu: Elementwise.Map(new EluBackward(eluAlpha), z, activated, da, dz, width); break;
            case MlpActivation.Gelu:
                // tanh of the inner term is recomputed rather than stored: one more buffer per layer is not worth it.
                if (Overlaps(z, dz) || Overlaps(da, dz))
                    throw new ArgumentException("Gelu needs dz separate from z and da.", nameof(dz));
                Elementwise.Map(new GeluInnerFunction(), z, dz, width);
                TensorPrimitives.Tanh(dz, dz);
                Elementwise.Map(new GeluBackward(), z, dz, da, dz, width);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(activation), activation, null);
        }
    }

    /// <summary>Whether the in-place or out-of-place variant is needed (GELU and ELU use the output as scratch).</summary>
    public static bool NeedsSeparateBuffers(MlpActivation activation) => activation is MlpActivation.Elu or MlpActivation.Gelu;

    private static bool Overlaps(ReadOnlySpan<float> a, ReadOnlySpan<float> b) => a.Overlaps(b);

    // x = z
    private readonly struct ReluForward : IElementwiseFunction
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVector Apply<TOps, TVector>(TVector x, TVector y, TVector z) where TOps : struct, IVectorOps<TVector> where TVector : struct =>
            TOps.SelectWherePositive(x, x, TOps.Broadcast(0f));
    }

    // x = z, y = da
    private readonly struct ReluBackward : IElementwiseFunction
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVector Apply<TOps, TVector>(TVector x, TVector y, TVector z) where TOps : struct, IVectorOps<TVector> where TVector : struct =>
            TOps.SelectWherePositive(x, y, TOps.Broadcast(0f));
    }

    // x = z
    private readonly struct LeakyReluForward(float slope) : IElementwiseFunction
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVector Apply<TOps, TVector>(TVector x, TVector y, TVector z) where TOps : struct, IVectorOps<TVector> where TVector : struct =>
            TOps.SelectWherePositive(x, x, TOps.Multiply(x, TOps.Broadcast(slope)));
    }

    // x = z, y = da
    private readonly struct LeakyReluBackward(float slope) : IElementwiseFunction
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVector Apply<TOps, TVector>(TVector x, TVector y, TVector z) where TOps : struct, IVectorOps<TVector> where TVector : struct =>
            TOps.SelectWherePositive(x, y, TOps.Multiply(y, TOps.Broadcast(slope)));
    }

    // x = tanh(z), y = da: da·(1 − t²)
    private readonly struct TanhBackward : IElementwiseFunction
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVector Apply<TOps, TVector>(TVector x, TVector y, TVector z) where TOps : struct, IVectorOps<TVector> where TVector : struct =>
            TOps.Multiply(y, TOps.Subtract(TOps.Broadcast(1f), TOps.Multiply(x, x)));
    }

    // x = σ(z), y = da: da·σ·(1 − σ)
    private readonly struct SigmoidBackward : IElementwiseFunction
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVector Apply<TOps, TVector>(TVector x, TVector y, TVector z) where TOps : struct, IVectorOps<TVector> where TVector : struct =>
            TOps.Multiply(y, TOps.Multiply(x, TOps.Subtract(TOps.Broadcast(1f), x)));
    }

    // x = z, y = e^min(z, 0): z or α·(e^z − 1)
    private readonly struct EluForward(float alpha) : IElementwiseFunction
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVector Apply<TOps, TVector>(TVector x, TVector y, TVector z) where TOps : struct, IVectorOps<TVector> where TVector : struct =>
            TOps.SelectWherePositive(x, x, TOps.Multiply(TOps.Broadcast(alpha), TOps.Subtract(y, TOps.Broadcast(1f))));
    }

    // x = z, y = f(z), z = da: for z ≤ 0, f′ = α·e^z = f + α
    private readonly struct EluBackward(float alpha) : IElementwiseFunction
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVector Apply<TOps, TVector>(TVector x, TVector y, TVector z) where TOps : struct, IVectorOps<TVector> where TVector : struct =>
            TOps.SelectWherePositive(x, z, TOps.Multiply(z, TOps.Add(y, TOps.Broadcast(alpha))));
    }

    // x = z: √(2/π)·(z + 0.044715·z³)
    private readonly struct GeluInnerFunction : IElementwiseFunction
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVector Apply<TOps, TVector>(TVector x, TVector y, TVector z) where TOps : struct, IVectorOps<TVector> where TVector : struct =>
            TOps.Multiply(TOps.Broadcast((float)GeluScale), TOps.MultiplyAdd(TOps.Multiply(TOps.Broadcast((float)GeluCubic), x), TOps.Multiply(x, x), x));
    }

    // x = z, y = tanh(inner): 0.5·z·(1 + t)
    private readonly struct GeluForward : IElementwiseFunction
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVector Apply<TOps, TVector>(TVector x, TVector y, TVector z) where TOps : struct, IVectorOps<TVector> where TVector : struct =>
            TOps.Multiply(TOps.Multiply(TOps.Broadcast(0.5f), x), TOps.Add(TOps.Broadcast(1f), y));
    }

    // x = z, y = tanh(inner), z = da: da·(0.5·(1 + t) + 0.5·z·(1 − t²)·√(2/π)·(1 + 3·0.044715·z²))
    private readonly struct GeluBackward : IElementwiseFunction
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVector Apply<TOps, TVector>(TVector x, TVector y, TVector z) where TOps : struct, IVectorOps<TVector> where TVector : struct
        {
            TVector half = TOps.Broadcast(0.5f), one = TOps.Broadcast(1f);
            TVector innerDerivative = TOps.Multiply(TOps.Broadcast((float)GeluScale),
                TOps.MultiplyAdd(TOps.Broadcast((float)(3 * GeluCubic)), TOps.Multiply(x, x), one));
            TVector tanhDerivative = TOps.Subtract(one, TOps.Multiply(y, y));
            TVector derivative = TOps.MultiplyAdd(TOps.Multiply(TOps.Multiply(half, x), tanhDerivative), innerDerivative,
                TOps.Multiply(half, TOps.Add(one, y)));
            return TOps.Multiply(z, derivative);
        }
    }
}
