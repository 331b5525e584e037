namespace MlNetMlp.Cnn;

/// <summary>
/// Conversions between PyTorch's layouts (NCHW activations, OIHW convolution weights) and the engine's
/// (NHWC activations, HWIO weights). Used at the edges: model import/export, tests, multi-channel input.
/// </summary>
internal static class TensorLayout
{
    /// <summary>[n, c, h, w] → [n, h, w, c].</summary>
    public static void NchwToNhwc(ReadOnlySpan<float> source, Span<float> target, int images, int channels, int height, int width)
    {
        int plane = height * width, image = plane * channels;
        for (int n = 0; n < images; n++)
        {
            ReadOnlySpan<float> s = source.Slice(n * image, image);
            Span<float> t = target.Slice(n * image, image);
            for (int c = 0; c < channels; c++)
                for (int p = 0; p < plane; p++)
                    t[p * channels + c] = s[c * plane + p];
        }
    }

    /// <summary>[n, h, w, c] → [n, c, h, w].</summary>
    public static void NhwcToNchw(ReadOnlySpan<float> source, Span<float> target, int images, int channels, int height, int width)
    {
        int plane = height * width, image = plane * channels;
        for (int n = 0; n < images; n++)
        {
            ReadOnlySpan<float> s = source.Slice(n * image, image);
            Span<float> t = target.Slice(n * image, image);
            for (int p = 0; p < plane; p++)
                for (int c = 0; c < channels; c++)
                    t[c * plane + p] = s[p * channels + c];
        }
    }

    public static float[] NchwToNhwc(float[] source, int images, int channels, int height, int width)
    {
        var target = new float[source.Length];
        NchwToNhwc(source, target, images, channels, height, width);
        return target;
    }

    public static float[] NhwcToNchw(float[] source, int images, int channels, int height, int width)
    {
        var target = new float[source.Length];
        NhwcToNchw(source, target, images, channels, height, width);
        return target;
    }

    /// <summary>PyTorch's [out, in, k, k] → [k, k, in, out].</summary>
    public static float[] OihwToHwio(ReadOnlySpan<float> oihw, int outChannels, int inChannels, int kernel)
    {
        var hwio = new float[oihw.Length];
        for (int o = 0; o < outChannels; o++)
            for (int c = 0; c < inChannels; c++)
                for (int ky = 0; ky < kernel; ky++)
                    for (int kx = 0; kx < kernel; kx++)
                        hwio[((ky * kernel + kx) * inChannels + c) * outChannels + o] = oihw[((o * inChannels + c) * kernel + ky) * kernel + kx];
        return hwio;
    }

    /// <summary>[k, k, in, out] → PyTorch's [out, in, k, k].</summary>
    public static float[] HwioToOihw(ReadOnlySpan<float> hwio, int outChannels, int inChannels, int kernel)
    {
        var oihw = new float[hwio.Length];
        for (int o = 0; o < outChannels; o++)
            for (int c = 0; c < inChannels; c++)
                for (int ky = 0; ky < kernel; ky++)
                    for (int kx = 0; kx < kernel; kx++)
                        oihw[((o * inChannels + c) * kernel + ky) * kernel + kx] = hwio[((ky * kernel + kx) * inChannels + c) * outChannels + o];
        return oihw;
    }
}
