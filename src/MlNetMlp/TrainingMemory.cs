using System.Globalization;
using MlNetMlp.Cnn;

namespace MlNetMlp;

/// <summary>
/// What training a network costs, counted in 64-bit arithmetic before anything is allocated, so that a network too
/// big for one array or for this machine is refused up front with the option that asked for it, instead of failing
/// midway with "Arithmetic operation resulted in an overflow" or an <see cref="OutOfMemoryException"/>. The count is
/// rough but errs high: every copy of the parameters training keeps (the network, its working copy, the per-worker
/// gradients, the optimizer state, the best epoch's weights, transposed or packed weights) and every per-worker
/// activation buffer of one mini-batch. Both trainers and the CLI share it.
/// </summary>
internal static class TrainingMemory
{
    private const long MiB = 1 << 20;

    /// <summary>Memory this process may use: the GC's view (a container or GCHeapHardLimit cap, else the machine's memory).</summary>
    public static long AvailableBytes => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

    /// <summary>The threads the trainers run with for <paramref name="numberOfThreads"/> (null = all cores).</summary>
    public static int Threads(int? numberOfThreads) => Math.Clamp(numberOfThreads ?? Environment.ProcessorCount, 1, 256);

    /// <summary>
    /// Throws <see cref="ArgumentOutOfRangeException"/> for <paramref name="option"/> (whose <paramref name="value"/> is
    /// <paramref name="valueText"/>, in <paramref name="owner"/>'s options) when an MLP of <paramref name="layerSizes"/>
    /// cannot be trained here: more parameters than one array holds, or more memory than is available.
    /// </summary>
    public static void RequireMlp(string owner, string option, object? value, string valueText, IReadOnlyList<int> layerSizes,
        int batchSize, int threads, Optimizer optimizer, bool dropout, bool tracksBest, int shuffleBufferRows, bool dataSizesKnown = true)
    {
        long parameters = 0, hiddenSum = 0, widest = layerSizes[0];
        for (int l = 0; l + 1 < layerSizes.Count; l++)
        {
            parameters = Add(parameters, Add(Multiply(layerSizes[l], layerSizes[l + 1]), layerSizes[l + 1]));
            widest = Math.Max(widest, layerSizes[l + 1]);
            if (l + 2 < layerSizes.Count) hiddenSum += layerSizes[l + 1];
        }
        // Without the data (option validation), the input and output sizes are the smallest possible: say so rather than show them.
        string network = dataSizesKnown
            ? string.Join('-', layerSizes.Select(s => s.ToString(CultureInfo.InvariantCulture)))
            : "…-" + string.Join('-', layerSizes.Skip(1).SkipLast(1).Select(s => s.ToString(CultureInfo.InvariantCulture))) + "-…";
        string atLeast = dataSizesKnown ? "" : "at least ";
        RequireOneArray(owner, option, value, valueText, $"the {network} network has {atLeast}{N(parameters)} parameters", parameters);
        long workerRows = (Math.Max(1, batchSize) + threads - 1) / threads;
        RequireOneArray(owner, nameof(MlpTrainer.Options.BatchSize), batchSize, batchSize.ToString(CultureInfo.InvariantCulture),
            $"{N(workerRows)} rows per worker of the {network} network's widest layer ({N(widest)}) make {N(Multiply(workerRows, widest))} values in one buffer",
            Multiply(workerRows, widest));

        long buffer = RequireShuffleBuffer(owner, shuffleBufferRows, layerSizes[0]);
        // Network, the training copy, transposed weights, the evaluator's scoring copy, one gradient per worker, optimizer state, best weights.
        long copies = 4 + threads + (optimizer switch { Optimizer.Adam => 2, Optimizer.Momentum => 1, _ => 0 }) + (tracksBest ? 1 : 0);
        long perRow = Add(Add(layerSizes[0], layerSizes[^1]), Add(Multiply(hiddenSum, dropout ? 5 : 2), Multiply(widest, 2)));
        long floats = Add(Add(Multiply(parameters, copies), Multiply(Multiply(workerRows, threads), perRow)), buffer);
        RequireMemory(owner, option, value, valueText, $"the {network} network has {atLeast}{N(parameters)} parameters", Multiply(floats, sizeof(float)));
    }

    /// <summary>
    /// Like <see cref="RequireMlp"/> for a CNN of <paramref name="layers"/> (<see cref="CnnNetwork.CreateLayers"/>) on
    /// <paramref name="input"/> images, trained with Adam.
    /// </summary>
    public static void RequireCnn(string owner, string option, object? value, string valueText, TensorShape input, IReadOnlyList<CnnLayer> layers,
        IReadOnlyList<string> layerTexts, int batchSize, int threads, int evaluationRows, int shuffleBufferRows)
    {
        long parameters = 0, perImage = (long)input.Channels * input.Height * input.Width, largest = perImage;
        string largestLayer = "the input";
        for (int i = 0; i < layers.Count; i++)
        {
            var layer = layers[i];
            parameters = Add(parameters, layer.ParameterLength);
            long output = (long)layer.Output.Channels * layer.Output.Height * layer.Output.Width;
            // The output, its gradient scratch, and a convolution's padded input (kept for backward) with its gradient.
            perImage = Add(perImage, Multiply(output, 2));
            if (layer is Conv2DLayer conv)
                perImage = Add(perImage, Multiply((long)conv.Geometry.PaddedHeight * conv.Geometry.PaddedWidth * conv.Geometry.InChannels, 2));
            if (output > largest) (largest, largestLayer) = (output, layerTexts[i].StartsWith("the ", StringComparison.Ordinal) ? layerTexts[i] : $"'{layerTexts[i]}'");
        }
        string network = $"the network on {input} images has {N(parameters)} parameters";
        RequireOneArray(owner, option, value, valueText, network, parameters);
        long workerRows = Math.Max(evaluationRows, (Math.Max(1, batchSize) + threads - 1) / threads);
        // Blame the batch only when a smaller one would do (a worker holds at least evaluationRows images).
        bool batchAtFault = Multiply(evaluationRows, largest) <= Array.MaxLength;
        RequireOneArray(owner, batchAtFault ? nameof(CnnTrainer.Options.BatchSize) : option, batchAtFault ? batchSize : value,
            batchAtFault ? batchSize.ToString(CultureInfo.InvariantCulture) : valueText,
            $"{largestLayer}{(batchAtFault ? $" of {valueText}" : "")} gives {N(largest)} values per image, {N(Multiply(workerRows, largest))} for the {N(workerRows)} images a worker holds",
            Multiply(workerRows, largest));
        long buffer = RequireShuffleBuffer(owner, shuffleBufferRows, (long)input.Channels * input.Height * input.Width);
        // Network, Adam's two moments, packed convolution weights (two copies), one gradient per worker.
        long floats = Add(Add(Multiply(parameters, 5 + threads), Multiply(Multiply(workerRows, threads), Add(perImage, Multiply(largest, 2)))), buffer);
        RequireMemory(owner, option, value, valueText, $"{network}, {largestLayer} gives {N(largest)} values per image", Multiply(floats, sizeof(float)));
    }

    /// <summary>The floats of the streaming shuffle buffer (rows × features), refused naming ShuffleBufferSize when one array cannot hold them.</summary>
    private static long RequireShuffleBuffer(string owner, int rows, long features)
    {
        long floats = Multiply(Math.Max(0, rows), features);
        RequireOneArray(owner, nameof(MlpTrainer.Options.ShuffleBufferSize), rows, rows.ToString(CultureInfo.InvariantCulture),
            $"{N(rows)} buffered rows of {N(features)} values make {N(floats)}", floats);
        return floats;
    }

    private static void RequireOneArray(string owner, string option, object? value, string valueText, string what, long count)
    {
        if (count > Array.MaxLength)
            throw new ArgumentOutOfRangeException(option, value,
                $"{owner}.{option} {valueText}: {what}, more than the {N(Array.MaxLength)} values one array can hold.");
    }

    private static void RequireMemory(string owner, string option, object? value, string valueText, string what, long bytes)
    {
        long available = AvailableBytes;
        if (bytes > available)
            throw new ArgumentOutOfRangeException(option, value,
                $"{owner}.{option} {valueText}: {what}; training it needs about {N(bytes / MiB)} MB, more than the {N(available / MiB)} MB of memory available.");
    }

    /// <summary><paramref name="a"/> + <paramref name="b"/>, or <see cref="long.MaxValue"/> when that overflows (sizes only grow).</summary>
    public static long Add(long a, long b) => a > long.MaxValue - b ? long.MaxValue : a + b;

    /// <summary><paramref name="a"/> × <paramref name="b"/> for non-negative values, or <see cref="long.MaxValue"/> when that overflows.</summary>
    public static long Multiply(long a, long b) => a != 0 && b > long.MaxValue / a ? long.MaxValue : a * b;

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
