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
    /// <param name="bins">The most bins to use (plotly.js picks round bin edges up to this many); 30 by default.</param>
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

        // One shared bin group, so overlaid histograms count over the same intervals and compare bar for bar.
        var histograms = groups.Select(g => new JsonObject
        {
            ["type"] = "histogram",
            ["name"] = g.Name,
            ["x"] = Numbers(g.Values),
            ["opacity"] = groups.Count > 1 ? 0.6 : 1.0,
            ["nbinsx"] = bins,
            ["bingroup"] = "values",
        });
        return Titled(histograms, title, xLabel, "count", new JsonObject { ["barmode"] = "overlay" });
    }

    /// <summary>A histogram of one set of values.</summary>
    /// <param name="title">The chart title.</param>
    /// <param name="xLabel">What the values are; also the legend entry.</param>
    /// <param name="values">The values to count.</param>
    /// <param name="bins">The most bins to use; 30 by default.</param>
    public static Figure Distribution(string title, string xLabel, IReadOnlyList<double> values, int bins = 30) =>
        Distribution(title, xLabel, [(xLabel, values)], bins);
}
