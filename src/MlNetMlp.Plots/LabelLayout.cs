namespace MlNetMlp.Plots;

/// <summary>
/// Places point labels so they overlap neither each other nor the points: each label goes beside its point
/// (right, else left), shifted up or down by whole label heights until it is clear. Works in pixels, so the
/// caller converts its data coordinates once.
/// </summary>
internal static class LabelLayout
{
    /// <summary>A point in pixels (y grows downward) and its label's size.</summary>
    public readonly record struct Item(double X, double Y, double Width, double Height);

    /// <summary>A placed label: its left edge and vertical centre, and whether it left its point's row (draw a leader line).</summary>
    public readonly record struct Placement(double Left, double CenterY, bool Moved);

    /// <param name="items">Points and label sizes.</param>
    /// <param name="gap">Space between a point and its label, and around each point marker.</param>
    /// <param name="bounds">Labels stay inside (left, top, right, bottom) when they can.</param>
    public static Placement[] Place(IReadOnlyList<Item> items, double gap, (double Left, double Top, double Right, double Bottom) bounds)
    {
        var placed = new List<(double L, double T, double R, double B)>();
        // Point markers are obstacles too.
        var markers = items.Select(p => (L: p.X - gap, T: p.Y - gap, R: p.X + gap, B: p.Y + gap)).ToArray();
        var result = new Placement[items.Count];
        // Left to right, then top to bottom: a cluster's labels stack in reading order.
        foreach (int i in Enumerable.Range(0, items.Count).OrderBy(i => items[i].X).ThenBy(i => items[i].Y))
        {
            var item = items[i];
            Placement? chosen = null;
            // Nearest rows first; the left side costs as much as a shift of 2.5 rows, so labels prefer the right.
            var candidates = Enumerable.Range(-12, 25).SelectMany(k => new[] { (Rows: k, Right: true), (Rows: k, Right: false) })
                .OrderBy(c => Math.Abs(c.Rows) + (c.Right ? 0 : 2.5)).ThenBy(c => c.Rows);
            foreach (var (rows, right) in candidates)
            {
                double shift = rows * item.Height;
                double left = right ? item.X + gap : item.X - gap - item.Width;
                var box = (L: left, T: item.Y + shift - item.Height / 2, R: left + item.Width, B: item.Y + shift + item.Height / 2);
                if (box.L < bounds.Left || box.R > bounds.Right || box.T < bounds.Top || box.B > bounds.Bottom) continue;
                if (placed.Any(o => Overlaps(o, box)) || markers.Any(o => Overlaps(o, box))) continue;
                chosen = new Placement(left, item.Y + shift, rows != 0);
                placed.Add(box);
                break;
            }
            // Nowhere clear (a very crowded plot): keep it beside its point.
            result[i] = chosen ?? new Placement(item.X + gap, item.Y, false);
        }
        return result;
    }

    private static bool Overlaps((double L, double T, double R, double B) a, (double L, double T, double R, double B) b) =>
        a.L < b.R && b.L < a.R && a.T < b.B && b.T < a.B;
}
