using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace MlNetMlp;

/// <summary>The kinds of layer a <see cref="CnnTrainer"/> network is built from.</summary>
public enum CnnLayerKind
{
    /// <summary>2-D convolution with bias (PyTorch's <c>nn.Conv2d</c>): filters, square kernel, stride, zero padding.</summary>
    Conv,
    /// <summary>2-D max pooling (<c>nn.MaxPool2d</c>): square window, stride, padding that acts as −∞.</summary>
    MaxPool,
    /// <summary>Batch normalization (<c>nn.BatchNorm2d</c> on images, <c>nn.BatchNorm1d</c> after flatten/dense), eps 1e-5, momentum 0.1.</summary>
    BatchNorm,
    /// <summary><c>max(0, x)</c>.</summary>
    Relu,
    /// <summary>Inverted dropout while training, identity at inference.</summary>
    Dropout,
    /// <summary>Image → vector in PyTorch's (channel, row, column) order, as <c>nn.Flatten</c> on NCHW.</summary>
    Flatten,
    /// <summary>Fully connected layer with bias (<c>nn.Linear</c>).</summary>
    Dense,
}

/// <summary>
/// One layer of a <see cref="CnnTrainer"/> network, with a compact text form used by
/// <see cref="CnnTrainer.Options.Layers"/> (comma-separated, case-insensitive):
/// <list type="table">
/// <item><term><c>conv32</c>, <c>conv64k5</c>, <c>conv32k3s2valid</c>, <c>conv8p0</c></term><description>
/// <see cref="CnnLayerKind.Conv"/>: filters, then optional <c>k</c>kernel (3), <c>s</c>stride (1) and padding:
/// <c>same</c> (the default, ⌊(kernel − 1) / 2⌋ zeros each side, which keeps the size at stride 1 for odd kernels),
/// <c>valid</c> (none) or <c>p</c>n.</description></item>
/// <item><term><c>pool</c>, <c>pool3s2p1</c></term><description><see cref="CnnLayerKind.MaxPool"/>: optional window (2),
/// <c>s</c>stride (= window) and <c>p</c>padding (0).</description></item>
/// <item><term><c>bn</c></term><description><see cref="CnnLayerKind.BatchNorm"/>.</description></item>
/// <item><term><c>relu</c></term><description><see cref="CnnLayerKind.Relu"/>.</description></item>
/// <item><term><c>drop0.25</c></term><description><see cref="CnnLayerKind.Dropout"/> with its drop probability.</description></item>
/// <item><term><c>flatten</c></term><description><see cref="CnnLayerKind.Flatten"/> (inserted automatically before a dense layer that follows an image).</description></item>
/// <item><term><c>dense512</c></term><description><see cref="CnnLayerKind.Dense"/> with its width.</description></item>
/// </list>
/// The output layer (dense, one unit per class, then softmax) is not listed: the trainer appends it.
/// </summary>
public sealed partial record CnnLayerSpec
{
    // Only the factories below make layers, each naming the fields its kind uses (the others stay 0).
    private CnnLayerSpec()
    {
    }

    public CnnLayerKind Kind { get; private init; }

    /// <summary>Filters of a convolution, width of a dense layer; 0 otherwise.</summary>
    public int Units { get; private init; }

    /// <summary>Side of the square window of a convolution or pooling layer; 0 otherwise.</summary>
    public int KernelSize { get; private init; }

    /// <summary>Step of a convolution or pooling window; 0 otherwise.</summary>
    public int Stride { get; private init; }

    /// <summary>Zero padding (convolution) or −∞ padding (pooling) on each side; 0 otherwise.</summary>
    public int Padding { get; private init; }

    /// <summary>Drop probability of a dropout layer; 0 otherwise.</summary>
    public float Rate { get; private init; }

    /// <summary>A convolution; <paramref name="padding"/> null = "same" (⌊(kernel − 1) / 2⌋).</summary>
    public static CnnLayerSpec Conv(int filters, int kernelSize = 3, int stride = 1, int? padding = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(filters, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(kernelSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(stride, 1);
        int p = padding ?? (kernelSize - 1) / 2;
        if (p < 0 || p >= kernelSize) throw new ArgumentOutOfRangeException(nameof(padding), p, "Convolution padding must be in [0, kernelSize).");
        return new() { Kind = CnnLayerKind.Conv, Units = filters, KernelSize = kernelSize, Stride = stride, Padding = p };
    }

    /// <summary>Max pooling; <paramref name="stride"/> null = the window size.</summary>
    public static CnnLayerSpec MaxPool(int size = 2, int? stride = null, int padding = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        int s = stride ?? size;
        ArgumentOutOfRangeException.ThrowIfLessThan(s, 1, nameof(stride));
        if (padding < 0 || 2 * padding > size) throw new ArgumentOutOfRangeException(nameof(padding), padding, "Pooling padding must be in [0, size / 2] (PyTorch's rule).");
        return new() { Kind = CnnLayerKind.MaxPool, KernelSize = size, Stride = s, Padding = padding };
    }

    public static CnnLayerSpec BatchNorm() => new() { Kind = CnnLayerKind.BatchNorm };

    public static CnnLayerSpec Relu() => new() { Kind = CnnLayerKind.Relu };

    public static CnnLayerSpec Dropout(float rate)
    {
        if (!(rate >= 0 && rate < 1)) throw new ArgumentOutOfRangeException(nameof(rate), rate, "The dropout rate must be in [0, 1).");
        return new() { Kind = CnnLayerKind.Dropout, Rate = rate };
    }

    public static CnnLayerSpec Flatten() => new() { Kind = CnnLayerKind.Flatten };

    public static CnnLayerSpec Dense(int units)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(units, 1);
        return new() { Kind = CnnLayerKind.Dense, Units = units };
    }

    /// <summary>The token of this layer in the text form (the shortest one: defaults are left out).</summary>
    public override string ToString() => Kind switch
    {
        CnnLayerKind.Conv => "conv" + Units.ToString(CultureInfo.InvariantCulture)
            + (KernelSize != 3 ? "k" + KernelSize.ToString(CultureInfo.InvariantCulture) : "")
            + (Stride != 1 ? "s" + Stride.ToString(CultureInfo.InvariantCulture) : "")
            + (Padding == (KernelSize - 1) / 2 ? "" : Padding == 0 ? "valid" : "p" + Padding.ToString(CultureInfo.InvariantCulture)),
        CnnLayerKind.MaxPool => "pool"
            + (KernelSize != 2 || Stride != KernelSize || Padding != 0 ? KernelSize.ToString(CultureInfo.InvariantCulture) : "")
            + (Stride != KernelSize ? "s" + Stride.ToString(CultureInfo.InvariantCulture) : "")
            + (Padding != 0 ? "p" + Padding.ToString(CultureInfo.InvariantCulture) : ""),
        CnnLayerKind.BatchNorm => "bn",
        CnnLayerKind.Relu => "relu",
        CnnLayerKind.Dropout => "drop" + Rate.ToString("R", CultureInfo.InvariantCulture),
        CnnLayerKind.Flatten => "flatten",
        _ => "dense" + Units.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>Parses one token (see the class summary).</summary>
    /// <exception cref="FormatException">The token is not a layer.</exception>
    public static CnnLayerSpec Parse(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        string t = token.Trim().ToLowerInvariant();
        Match m;
        try
        {
            if ((m = ConvPattern().Match(t)).Success)
            {
                int kernel = m.Groups["k"].Success ? Int(m.Groups["k"].Value) : 3;
                int? padding = m.Groups["pad"].Value switch
                {
                    "" or "same" => null,
                    "valid" => 0,
                    var p => Int(p[1..]),
                };
                return Conv(Int(m.Groups["n"].Value), kernel, m.Groups["s"].Success ? Int(m.Groups["s"].Value) : 1, padding);
            }
            if ((m = PoolPattern().Match(t)).Success)
            {
                int size = m.Groups["k"].Success ? Int(m.Groups["k"].Value) : 2;
                return MaxPool(size, m.Groups["s"].Success ? Int(m.Groups["s"].Value) : null, m.Groups["p"].Success ? Int(m.Groups["p"].Value) : 0);
            }
            if (t is "bn" or "batchnorm") return BatchNorm();
            if (t == "relu") return Relu();
            if (t == "flatten") return Flatten();
            if ((m = DropPattern().Match(t)).Success)
                return Dropout(float.Parse(m.Groups["r"].Value, NumberStyles.Float, CultureInfo.InvariantCulture));
            if ((m = DensePattern().Match(t)).Success)
                return Dense(Int(m.Groups["n"].Value));
        }
        catch (Exception e) when (e is ArgumentOutOfRangeException or OverflowException)
        {
            throw new FormatException($"Layer '{token.Trim()}': {(e is ArgumentException a ? ArgumentMessages.Bare(a) : e.Message)}", e);
        }
        throw new FormatException($"'{token.Trim()}' is not a layer. Use conv<filters>[k<kernel>][s<stride>][same|valid|p<padding>], " +
            "pool[<size>][s<stride>][p<padding>], bn, relu, drop<rate>, flatten or dense<units>, e.g. \"conv32,bn,relu,pool,drop0.25,flatten,dense128,relu\".");
    }

    /// <summary>Parses a comma-separated list of tokens (empty entries are ignored).</summary>
    /// <exception cref="FormatException">A token is not a layer.</exception>
    public static IReadOnlyList<CnnLayerSpec> ParseList(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Parse).ToArray();
    }

    /// <summary>The text form of a list of layers, as <see cref="ParseList"/> reads it.</summary>
    public static string Format(IEnumerable<CnnLayerSpec> layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        var text = new StringBuilder();
        foreach (var layer in layers)
        {
            if (text.Length > 0) text.Append(',');
            text.Append(layer);
        }
        return text.ToString();
    }

    private static int Int(string digits) => int.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^conv(?<n>\d+)(k(?<k>\d+))?(s(?<s>\d+))?(?<pad>same|valid|p\d+)?$")]
    private static partial Regex ConvPattern();

    [GeneratedRegex(@"^(max)?pool(?<k>\d+)?(s(?<s>\d+))?(p(?<p>\d+))?$")]
    private static partial Regex PoolPattern();

    [GeneratedRegex(@"^drop(out)?(?<r>\d*\.?\d+(e-?\d+)?)$")]
    private static partial Regex DropPattern();

    [GeneratedRegex(@"^(dense|fc)(?<n>\d+)$")]
    private static partial Regex DensePattern();
}
