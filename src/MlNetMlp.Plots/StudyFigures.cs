using System.Globalization;
using MlNetMlp.Data;
using MlNetMlp.Study;
using ScottPlot;
using SkiaSharp;

namespace MlNetMlp.Plots;

/// <summary>
/// The study's figures as PNG bytes, ready for <see cref="StudyReportWriter"/> (which takes them as <see cref="ReportFigure"/>):
/// learning curves per experiment, a confusion-matrix heatmap, a grid of test images with predicted/true labels,
/// and accuracy against training time for every model.
/// </summary>
public static class StudyFigures
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>Every figure of the report: curves for each experiment with a history, then the best model's confusion matrix and test images, then accuracy vs time.</summary>
    public static IReadOnlyList<ReportFigure> All(StudyReport report, LabeledImages test)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(test);
        var figures = new List<ReportFigure>();
        foreach (var r in report.Results.Where(r => r.History.Count > 0))
            figures.Add(new ReportFigure($"curves-{r.Id}.png", $"Learning curves: {r.Title}",
                $"Per epoch: training accuracy on {report.CurveRows} fixed training rows and mean mini-batch training loss; test accuracy and loss on {report.CurveRows} fixed test rows.",
                LearningCurves(r)));
        var best = report.Results.Where(r => r.Predictions != null && r.Status == ExperimentStatus.Completed).MaxBy(r => r.MicroAccuracy);
        if (best != null)
        {
            figures.Add(new ReportFigure("confusion-best.png", $"Confusion matrix: {best.Title}",
                string.Create(Invariant, $"Rows: true class, columns: predicted class, counts over {best.Predictions!.Length:N0} test images (the run's most accurate model, {best.MicroAccuracy:F4})."),
                ConfusionMatrix(best, report.TestLabels, report.ClassNames)));
            figures.Add(new ReportFigure("test-images-best.png", $"Test images: {best.Title}",
                "The first test images with predicted / true class; red titles are mistakes.",
                TestImageGrid(test, best.Predictions, report.ClassNames)));
        }
        if (report.Results.Any(r => r.MicroAccuracy.HasValue))
            figures.Add(new ReportFigure("accuracy-vs-time.png", "Test accuracy vs training time",
                "Every model that produced test metrics: test micro-accuracy against the wall time of its final training run (log scale).",
                AccuracyVsTime(report)));
        return figures;
    }

    /// <summary>Accuracy (left) and loss (right) per epoch: training and test curves.</summary>
    public static byte[] LearningCurves(ExperimentResult result, int width = 1000, int height = 380)
    {
        ArgumentNullException.ThrowIfNull(result);
        var h = result.History;
        double[] epochs = h.Select(e => (double)e.Epoch).ToArray();

        var accuracy = new Plot();
        Line(accuracy, epochs, h.Select(e => e.TrainAccuracy).ToArray(), "train");
        if (h.All(e => e.ValidationAccuracy.HasValue))
            Line(accuracy, epochs, h.Select(e => e.ValidationAccuracy!.Value).ToArray(), "test");
        accuracy.Title($"{result.Title}: accuracy", size: 14);
        accuracy.XLabel("epoch");
        accuracy.YLabel("accuracy");
        accuracy.ShowLegend(Alignment.LowerRight);

        var loss = new Plot();
        Line(loss, epochs, h.Select(e => Finite(e.TrainLoss)).ToArray(), "train");
        if (h.All(e => e.ValidationLoss.HasValue))
            Line(loss, epochs, h.Select(e => Finite(e.ValidationLoss!.Value)).ToArray(), "test");
        loss.Title($"{result.Title}: loss", size: 14);
        loss.XLabel("epoch");
        loss.YLabel("cross-entropy");
        loss.ShowLegend(Alignment.UpperRight);

        return PngCanvas.SideBySide([accuracy.GetImageBytes(width / 2, height, ImageFormat.Png), loss.GetImageBytes(width / 2, height, ImageFormat.Png)]);
    }

    /// <summary>Counts of (true, predicted) classes as a heatmap with the count in every cell.</summary>
    public static byte[] ConfusionMatrix(ExperimentResult result, IReadOnlyList<byte> trueLabels, IReadOnlyList<string> classNames, int size = 760)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(trueLabels);
        ArgumentNullException.ThrowIfNull(classNames);
        var predictions = result.Predictions ?? throw new ArgumentException($"{result.Title} has no predictions.", nameof(result));
        if (predictions.Length > trueLabels.Count)
            throw new ArgumentException($"{predictions.Length} predictions but only {trueLabels.Count} true labels.", nameof(trueLabels));
        int k = classNames.Count;
        var counts = new double[k, k];
        for (int i = 0; i < predictions.Length; i++)
            if ((uint)predictions[i] < (uint)k && trueLabels[i] < k) counts[trueLabels[i], predictions[i]]++;

        var plot = new Plot();
        var heatmap = plot.Add.Heatmap(counts);
        heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
        double max = Math.Max(1, counts.Cast<double>().Max());
        // Heatmap cell (row r, column c) is centred at x = c, y = k − 1 − r (row 0 drawn at the top).
        for (int r = 0; r < k; r++)
            for (int c = 0; c < k; c++)
            {
                var text = plot.Add.Text(counts[r, c].ToString("0", Invariant), c, k - 1 - r);
                text.LabelFontSize = 11;
                text.LabelAlignment = Alignment.MiddleCenter;
                text.LabelFontColor = counts[r, c] > max * 0.6 ? Colors.Black : Colors.White;
            }
        double[] positions = Enumerable.Range(0, k).Select(i => (double)i).ToArray();
        plot.Axes.Bottom.SetTicks(positions, classNames.ToArray());
        plot.Axes.Bottom.TickLabelStyle.Rotation = 45;
        plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
        plot.Axes.Bottom.MinimumSize = 120; // room for the rotated class names
        plot.Axes.Left.SetTicks(positions.Select(p => k - 1 - p).ToArray(), classNames.ToArray());
        plot.Title($"{result.Title}: confusion matrix", size: 14);
        plot.XLabel("predicted");
        plot.YLabel("true");
        plot.Axes.SetLimits(-0.5, k - 0.5, -0.5, k - 0.5);
        return plot.GetImageBytes(size, size, ImageFormat.Png);
    }

    /// <summary>The first <paramref name="columns"/>×<paramref name="rows"/> test images, each titled "predicted / true" (red when wrong).</summary>
    public static byte[] TestImageGrid(LabeledImages test, IReadOnlyList<int> predictions, IReadOnlyList<string> classNames, int columns = 8, int rows = 4, int scale = 3)
    {
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(predictions);
        ArgumentNullException.ThrowIfNull(classNames);
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        int count = Math.Min(columns * rows, Math.Min(test.Count, predictions.Count));
        int imageWidth = test.Width * scale, imageHeight = test.Height * scale;
        const int caption = 30, pad = 10;
        int cellWidth = Math.Max(imageWidth, 130) + pad, cellHeight = imageHeight + caption + pad;
        using var surface = SKSurface.Create(new SKImageInfo(columns * cellWidth + pad, Math.Max(1, (count + columns - 1) / columns) * cellHeight + pad));
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        using var font = new SKFont(SKTypeface.Default, 12);
        using var ok = new SKPaint { Color = new SKColor(0x22, 0x22, 0x22), IsAntialias = true };
        using var wrong = new SKPaint { Color = new SKColor(0xB4, 0x23, 0x18), IsAntialias = true };
        for (int i = 0; i < count; i++)
        {
            int x = pad + i % columns * cellWidth, y = pad + i / columns * cellHeight;
            using var bitmap = new SKBitmap(new SKImageInfo(test.Width, test.Height, SKColorType.Gray8, SKAlphaType.Opaque));
            // Fashion-MNIST is light-on-dark; draw dark-on-light like a printed figure.
            var span = test.Pixels.AsSpan(i * test.ImageSize, test.ImageSize);
            var inverted = new byte[span.Length];
            for (int p = 0; p < span.Length; p++) inverted[p] = (byte)(255 - span[p]);
            System.Runtime.InteropServices.Marshal.Copy(inverted, 0, bitmap.GetPixels(), inverted.Length);
            int left = x + (cellWidth - pad - imageWidth) / 2;
            using var image = SKImage.FromBitmap(bitmap);
            canvas.DrawImage(image, new SKRect(left, y + caption, left + imageWidth, y + caption + imageHeight), new SKSamplingOptions(SKFilterMode.Nearest));
            int predicted = predictions[i], truth = test.Labels[i];
            string Name(int c) => (uint)c < (uint)classNames.Count ? classNames[c] : c.ToString(Invariant);
            var paint = predicted == truth ? ok : wrong;
            canvas.DrawText(Name(predicted), x, y + 12, font, paint);
            canvas.DrawText("/ " + Name(truth), x, y + 26, font, paint);
        }
        return PngCanvas.Encode(surface);
    }

    /// <summary>
    /// Test micro-accuracy against training time (log scale), one labelled point per model. The accuracy axis
    /// spans the models within 0.25 of the best; a model far below (the unnormalized run) sits on the bottom edge
    /// as a downward triangle whose label gives its accuracy. Labels are laid out so they do not overlap.
    /// </summary>
    public static byte[] AccuracyVsTime(StudyReport report, int width = 1000, int height = 560)
    {
        ArgumentNullException.ThrowIfNull(report);
        var points = report.Results.Where(r => r.MicroAccuracy.HasValue)
            .Select(r => (Result: r, X: Math.Log10(Math.Max(0.01, r.TrainSeconds)), Y: r.MicroAccuracy!.Value)).ToList();
        var plot = new Plot();
        const int padLeft = 70, padRight = 360, padTop = 40, padBottom = 60;
        plot.Layout.Fixed(new PixelPadding(padLeft, padRight, padBottom, padTop));
        double best = points.Count == 0 ? 1 : points.Max(p => p.Y);
        double inRange = points.Where(p => p.Y >= best - 0.25).Select(p => p.Y).DefaultIfEmpty(best).Min();
        double yMin = Math.Floor((inRange - 0.01) * 100) / 100, yMax = Math.Ceiling((best + 0.01) * 100) / 100;
        double xMin = points.Count == 0 ? -1 : points.Min(p => p.X) - 0.25, xMax = points.Count == 0 ? 1 : points.Max(p => p.X) + 0.45;
        plot.Axes.SetLimits(xMin, xMax, yMin, yMax);

        double dataWidth = width - padLeft - padRight, dataHeight = height - padTop - padBottom;
        double PixelX(double x) => padLeft + (x - xMin) / (xMax - xMin) * dataWidth;
        double PixelY(double y) => padTop + (yMax - y) / (yMax - yMin) * dataHeight;
        const float fontSize = 11;
        var palette = new ScottPlot.Palettes.Category20();
        var items = new List<LabelLayout.Item>();
        var texts = new List<string>();
        var shown = new List<(double X, double Y)>();
        for (int n = 0; n < points.Count; n++)
        {
            var (r, x, y) = points[n];
            bool offScale = y < yMin;
            double shownY = offScale ? yMin + (yMax - yMin) * 0.01 : y;
            var marker = plot.Add.Marker(x, shownY);
            marker.Color = palette.GetColor(n);
            marker.MarkerSize = 10;
            marker.MarkerShape = offScale ? MarkerShape.FilledTriangleDown : MarkerShape.FilledCircle;
            marker.LegendText = r.Title;
            // The id beside the point: colours alone are hard to match to the legend with 13 models.
            string text = offScale ? string.Create(Invariant, $"{r.Id} ({y:F3}, off scale)") : r.Id;
            texts.Add(text);
            shown.Add((x, shownY));
            items.Add(new LabelLayout.Item(PixelX(x), PixelY(shownY), text.Length * fontSize * 0.6 + 4, fontSize + 4));
        }
        var placements = LabelLayout.Place(items, gap: 7, (padLeft, padTop, width - padRight, height - padBottom));
        for (int n = 0; n < points.Count; n++)
        {
            var place = placements[n];
            double labelX = xMin + (place.Left - padLeft) / dataWidth * (xMax - xMin);
            double labelY = yMax - (place.CenterY - padTop) / dataHeight * (yMax - yMin);
            var label = plot.Add.Text(texts[n], labelX, labelY);
            label.LabelFontSize = fontSize;
            label.LabelAlignment = Alignment.MiddleLeft;
            if (place.Moved)
            {
                // A leader line from the point to the label's near edge.
                bool labelRight = place.Left > items[n].X;
                double edgeX = labelRight ? labelX : xMin + (place.Left + items[n].Width - padLeft) / dataWidth * (xMax - xMin);
                var leader = plot.Add.Line(shown[n].X, shown[n].Y, edgeX, labelY);
                leader.LineColor = Colors.Black.WithAlpha(0.55);
                leader.LineWidth = 1.2f;
            }
        }
        var ticks = new List<(double Position, string Label)>();
        foreach (double s in new[] { 0.1, 0.3, 1, 3, 10, 30, 100, 300, 1000, 3000 }) ticks.Add((Math.Log10(s), s.ToString("0.#", Invariant)));
        plot.Axes.Bottom.SetTicks(ticks.Select(t => t.Position).ToArray(), ticks.Select(t => t.Label).ToArray());
        plot.Title("Test accuracy vs training time", size: 14);
        plot.XLabel("training time (s, log scale)");
        plot.YLabel("test micro-accuracy");
        plot.ShowLegend(Edge.Right);
        return plot.GetImageBytes(width, height, ImageFormat.Png);
    }

    private static void Line(Plot plot, double[] xs, double[] ys, string label)
    {
        var scatter = plot.Add.Scatter(xs, ys);
        scatter.LegendText = label;
        scatter.MarkerSize = xs.Length > 30 ? 0 : 4;
    }

    // A diverged epoch's loss is ∞/NaN; draw it at no value rather than breaking the axis.
    private static double Finite(double value) => double.IsFinite(value) ? value : double.NaN;
}
