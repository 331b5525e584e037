using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace MlNetMlp.Numerics;

/// <summary>SIMD register width a kernel runs at. The value is the number of floats per register.</summary>
internal enum SimdWidth
{
    Scalar = 1,
    Vector128 = 4,
    Vector256 = 8,
    Vector512 = 16,
}

internal static class Simd
{
    /// <summary>The widest width the hardware accelerates; what kernels use unless told otherwise.</summary>
    public static readonly SimdWidth Best =
        Vector512.IsHardwareAccelerated ? SimdWidth.Vector512 :
        Vector256.IsHardwareAccelerated ? SimdWidth.Vector256 :
        Vector128.IsHardwareAccelerated ? SimdWidth.Vector128 :
        SimdWidth.Scalar;

    /// <summary>
    /// The vector registers of this CPU: 32 on x64 with AVX-512 and on Arm64, 16 on x64 without AVX-512. It sets how
    /// large a register tile a kernel can keep without spilling.
    /// </summary>
    public static readonly RegisterBudget Registers =
        System.Runtime.Intrinsics.X86.Avx512F.IsSupported || !System.Runtime.Intrinsics.X86.X86Base.IsSupported ? RegisterBudget.ThirtyTwo : RegisterBudget.Sixteen;

    /// <summary>Every width; the unaccelerated ones still run (emulated), which lets tests cover all code paths.</summary>
    public static readonly SimdWidth[] All = [SimdWidth.Scalar, SimdWidth.Vector128, SimdWidth.Vector256, SimdWidth.Vector512];
}

/// <summary>
/// How many vector registers a kernel's register tiles are sized for. Kernels take it as a parameter (default
/// <see cref="Simd.Registers"/>) so tests cover both tile families on any CPU; results are bit-identical either way.
/// </summary>
internal enum RegisterBudget
{
    ThirtyTwo,
    Sixteen,
}

/// <summary>
/// Float arithmetic at one register width. Kernels are written once, generic over this interface,
/// and instantiated with <see cref="Vector512Ops"/>, <see cref="Vector256Ops"/>, <see cref="Vector128Ops"/>
/// and <see cref="ScalarOps"/>; the JIT specializes struct type arguments, so the abstraction costs nothing.
/// </summary>
internal interface IVectorOps<TVector> where TVector : struct
{
    static abstract int Count { get; }
    static abstract TVector Broadcast(float value);
    static abstract TVector Load(ref readonly float source, nuint offset);
    static abstract void Store(TVector value, ref float destination, nuint offset);
    static abstract TVector Add(TVector left, TVector right);
    static abstract TVector Subtract(TVector left, TVector right);
    static abstract TVector Multiply(TVector left, TVector right);
    static abstract TVector Divide(TVector left, TVector right);
    /// <summary><c>left·right + addend</c> with a single rounding.</summary>
    static abstract TVector MultiplyAdd(TVector left, TVector right, TVector addend);
    static abstract TVector Sqrt(TVector value);
    /// <summary>Per lane: <paramref name="whenPositive"/> where <c>condition &gt; 0</c>, else <paramref name="otherwise"/> (NaN counts as not positive).</summary>
    static abstract TVector SelectWherePositive(TVector condition, TVector whenPositive, TVector otherwise);
    static abstract float Sum(TVector value);
}

internal readonly struct Vector512Ops : IVectorOps<Vector512<float>>
{
    public static int Count => Vector512<float>.Count;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Broadcast(float value) => Vector512.Create(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Load(ref readonly float source, nuint offset) => Vector512.LoadUnsafe(in source, offset);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector512<float> value, ref float destination, nuint offset) => value.StoreUnsafe(ref destination, offset);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Add(Vector512<float> left, Vector512<float> right) => left + right;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Subtract(Vector512<float> left, Vector512<float> right) => left - right;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Multiply(Vector512<float> left, Vector512<float> right) => left * right;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Divide(Vector512<float> left, Vector512<float> right) => left / right;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> MultiplyAdd(Vector512<float> left, Vector512<float> right, Vector512<float> addend) => Vector512.FusedMultiplyAdd(left, right, addend);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Sqrt(Vector512<float> value) => Vector512.Sqrt(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> SelectWherePositive(Vector512<float> condition, Vector512<float> whenPositive, Vector512<float> otherwise) =>
        Vector512.ConditionalSelect(Vector512.GreaterThan(condition, Vector512<float>.Zero), whenPositive, otherwise);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sum(Vector512<float> value) => Vector512.Sum(value);
}

internal readonly struct Vector256Ops : IVectorOps<Vector256<float>>
{
    public static int Count => Vector256<float>.Count;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Broadcast(float value) => Vector256.Create(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Load(ref readonly float source, nuint offset) => Vector256.LoadUnsafe(in source, offset);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector256<float> value, ref float destination, nuint offset) => value.StoreUnsafe(ref destination, offset);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Add(Vector256<float> left, Vector256<float> right) => left + right;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Subtract(Vector256<float> left, Vector256<float> right) => left - right;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Multiply(Vector256<float> left, Vector256<float> right) => left * right;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Divide(Vector256<float> left, Vector256<float> right) => left / right;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> MultiplyAdd(Vector256<float> left, Vector256<float> right, Vector256<float> addend) => Vector256.FusedMultiplyAdd(left, right, addend);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Sqrt(Vector256<float> value) => Vector256.Sqrt(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> SelectWherePositive(Vector256<float> condition, Vector256<float> whenPositive, Vector256<float> otherwise) =>
        Vector256.ConditionalSelect(Vector256.GreaterThan(condition, Vector256<float>.Zero), whenPositive, otherwise);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sum(Vector256<float> value) => Vector256.Sum(value);
}

internal readonly struct Vector128Ops : IVectorOps<Vector128<float>>
{
    public static int Count => Vector128<float>.Count;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Broadcast(float value) => Vector128.Create(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Load(ref readonly float source, nuint offset) => Vector128.LoadUnsafe(in source, offset);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector128<float> value, ref float destination, nuint offset) => value.StoreUnsafe(ref destination, offset);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Add(Vector128<float> left, Vector128<float> right) => left + right;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Subtract(Vector128<float> left, Vector128<float> right) => left - right;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Multiply(Vector128<float> left, Vector128<float> right) => left * right;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Divide(Vector128<float> left, Vector128<float> right) => left / right;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> MultiplyAdd(Vector128<float> left, Vector128<float> right, Vector128<float> addend) => Vector128.FusedMultiplyAdd(left, right, addend);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Sqrt(Vector128<float> value) => Vector128.Sqrt(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> SelectWherePositive(Vector128<float> condition, Vector128<float> whenPositive, Vector128<float> otherwise) =>
        Vector128.ConditionalSelect(Vector128.GreaterThan(condition, Vector128<float>.Zero), whenPositive, otherwise);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sum(Vector128<float> value) => Vector128.Sum(value);
}

/// <summary>One float per "register": the plain scalar path, and the tail of every vector loop.</summary>
internal readonly struct ScalarOps : IVectorOps<float>
{
    public static int Count => 1;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Broadcast(float value) => value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Load(ref readonly float source, nuint offset) => Unsafe.Add(ref Unsafe.AsRef(in source), offset);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(float value, ref float destination, nuint offset) => Unsafe.Add(ref destination, offset) = value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Add(float left, float right) => left + right;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Subtract(float left, float right) => left - right;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Multiply(float left, float right) => left * right;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Divide(float left, float right) => left / right;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float MultiplyAdd(float left, float right, float addend) => MathF.FusedMultiplyAdd(left, right, addend);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sqrt(float value) => MathF.Sqrt(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float SelectWherePositive(float condition, float whenPositive, float otherwise) => condition > 0 ? whenPositive : otherwise;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sum(float value) => value;
}
