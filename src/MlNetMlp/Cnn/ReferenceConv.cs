namespace MlNetMlp.Cnn;

/// <summary>
/// Convolution as plain loops in PyTorch's layouts (NCHW activations, OIHW weights), summing in double:
/// the definition the fast NHWC kernels (<see cref="ConvKernels"/>) are tested against.
/// </summary>
internal static class ReferenceConv
{
    /// <summary><c>y[n, o, oy, ox] = b[o] + Σ_{c,ky,kx} x[n, c, oy·s + ky − p, ox·s + kx − p] · w[o, c, ky, kx]</c> (zero outside x).</summary>
    public static float[] Forward(float[] x, float[] w, float[]? b, int images, in ConvGeometry g)
    {
        int oh = g.OutHeight, ow = g.OutWidth, k = g.Kernel;
        var y = new float[images * g.OutChannels * oh * ow];
        for (int n = 0; n < images; n++)
            for (int o = 0; o < g.OutChannels; o++)
                for (int oy = 0; oy < oh; oy++)
                    for (int ox = 0; ox < ow; ox++)
                    {
                        double sum = b?[o] ?? 0;
                        for (int c = 0; c < g.InChannels; c++)
                            for (int ky = 0; ky < k; ky++)
                            {
                                int iy = oy * g.Stride + ky - g.Padding;
                                if (iy < 0 || iy >= g.Height) continue;
                                for (int kx = 0; kx < k; kx++)
                                {
                                    int ix = ox * g.Stride + kx - g.Padding;
                                    if (ix < 0 || ix >= g.Width) continue;
                                    sum += (double)x[((n * g.InChannels + c) * g.Height + iy) * g.Width + ix] * w[((o * g.InChannels + c) * k + ky) * k + kx];
                                }
                            }
                        y[((n * g.OutChannels + o) * oh + oy) * ow + ox] = (float)sum;
                    }
        return y;
    }

    /// <summary>Gradients of <c>Σ y·dy</c>: (dx, dw, db), each in the layout of x, w and b.</summary>
    public static (float[] Dx, float[] Dw, float[] Db) Backward(float[] x, float[] w, float[] dy, int images, in ConvGeometry g)
    {
        int oh = g.OutHeight, ow = g.OutWidth, k = g.Kernel;
        var dx = new double[x.Length];
        var dw = new double[w.Length];
        var db = new double[g.OutChannels];
        for (int n = 0; n < images; n++)
            for (int o = 0; o < g.OutChannels; o++)
                for (int oy = 0; oy < oh; oy++)
                    for (int ox = 0; ox < ow; ox++)
                    {
                        double d = dy[((n * g.OutChannels + o) * oh + oy) * ow + ox];
                        db[o] += d;
                        for (int c = 0; c < g.InChannels; c++)
                            for (int ky = 0; ky < k; ky++)
                            {
                                int iy = oy * g.Stride + ky - g.Padding;
                                if (iy < 0 || iy >= g.Height) continue;
                                for (int kx = 0; kx < k; kx++)
                                {
                                    int ix = ox * g.Stride + kx - g.Padding;
                                    if (ix < 0 || ix >= g.Width) continue;
                                    int xi = ((n * g.InChannels + c) * g.Height + iy) * g.Width + ix;
                                    int wi = ((o * g.InChannels + c) * k + ky) * k + kx;
                                    dx[xi] += d * w[wi];
                                    dw[wi] += d * x[xi];
                                }
                            }
                    }
        return (ToFloat(dx), ToFloat(dw), ToFloat(db));
    }

    private static float[] ToFloat(double[] values) => Array.ConvertAll(values, v => (float)v);
}
