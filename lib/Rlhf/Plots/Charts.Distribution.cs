using System.Text.Json.Nodes;

namespace Rlhf.Plots;

public static partial class Charts
{
    /// <summary>
    /// Histograms of one or more sets of values overlaid on shared bins, e.g. the reward model's scores
    /// for chosen versus rejected responses: the more the two humps separate, the better it ranks.
    /// </summary>
    /// <param name="title">The chart title.</param>
    /// <param name="xLabel">What the values are, e.g. <c>"reward score"</c>.</param>
    /// <param name="groups">Named sets of values, each drawn as its own semi-transparent histogram.</param>
    /// <param name="bins">The most bins to use (round bin edges, <see cref="Bins"/>); 30 by default.</param>
    public static Figure Distribution(string title, string xLabel, IReadOnlyList<(string Name, IReadOnlyList<double> Values)> groups, int bins = 30)
    {
        ArgumentNullException.ThrowIfNull(groups);
        if (groups.Count == 0) throw new ArgumentException("a distribution chart needs at least one group of values", nameof(groups));
        RequireUniqueNames(groups.Select(g => g.Name), nameof(groups));
        ArgumentOutOfRangeException.ThrowIfLessThan(bins, 1);
        foreach (var (name, values) in groups)
        {
            RequireText(name, nameof(groups));
            ArgumentNullException.ThrowIfNull(values, $"{nameof(groups)}['{name}']");
        }

        // Shared bins, so overlaid histograms count over the same intervals and compare bar for bar. Counted here rather than
        // by plotly.js's histogram trace: bars are in the small plotly.js bundle the course ships (ChartHtml), histograms are not.
        var finite = groups.SelectMany(g => g.Values).Where(double.IsFinite).ToList();
        var (start, width, count) = Bins(finite, bins);
        var histograms = groups.Select(g =>
        {
            var counts = new double[count];
            foreach (var v in g.Values.Where(double.IsFinite))
                counts[Math.Clamp((int)Math.Floor((v - start) / width + 1e-9), 0, count - 1)]++; // 1e-9: a value on an edge opens its bin
            return new JsonObject
            {
                ["type"] = "bar",
                ["name"] = g.Name,
                ["x"] = Numbers(Enumerable.Range(0, count).Select(i => start + (i + 0.5) * width)),
                ["y"] = Numbers(counts),
                ["width"] = width,
                ["opacity"] = groups.Count > 1 ? 0.6 : 1.0,
            };
        });
        return Titled(histograms, title, xLabel, "count", new JsonObject { ["barmode"] = "overlay", ["bargap"] = 0 });
    }

    /// <summary>
    /// Round bin edges for <paramref name="values"/>: the narrowest width of 1, 2 or 5 times a power of ten that covers their
    /// range in at most <paramref name="most"/> bins, the first edge a multiple of it. One bin of width 1 centred on a single value.
    /// </summary>
    public static (double Start, double Width, int Count) Bins(IReadOnlyList<double> values, int most)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentOutOfRangeException.ThrowIfLessThan(most, 1);
        if (values.Count == 0) return (0, 1, 1);
        double min = values.Min(), max = values.Max();
        if (max == min) return (min - 0.5, 1, 1);
        double width = 0;
        for (double power = Math.Pow(10, Math.Floor(Math.Log10((max - min) / most)) - 1); width == 0; power *= 10)
            foreach (var step in new[] { 1.0, 2.0, 5.0 })
                if (Edge(max, step * power) - Edge(min, step * power) + 1 <= most) { width = step * power; break; }
        return (Edge(min, width) * width, width, (int)(Edge(max, width) - Edge(min, width)) + 1);

        static double Edge(double value, double width) => Math.Floor(value / width + 1e-9); // 1e-9: 1.0 / 0.05 is an edge, not 19.999...
    }

    /// <summary>A histogram of one set of values.</summary>
    /// <param name="title">The chart title.</param>
    /// <param name="xLabel">What the values are; also the legend entry.</param>
    /// <param name="values">The values to count.</param>
    /// <param name="bins">The most bins to use; 30 by default.</param>
    public static Figure Distribution(string title, string xLabel, IReadOnlyList<double> values, int bins = 30) =>
        Distribution(title, xLabel, [(xLabel, values)], bins);
}
