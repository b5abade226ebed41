using System.Text.Json.Nodes;

namespace Rlhf.Plots;

public static partial class Charts
{
    /// <summary>
    /// Grouped bars: for each category on the horizontal axis, one bar per group side by side,
    /// e.g. categories = policies (SFT, PPO, DPO) and one group per metric, or the other way round.
    /// </summary>
    /// <param name="title">The chart title.</param>
    /// <param name="xLabel">What the categories are, e.g. <c>"policy"</c>.</param>
    /// <param name="yLabel">What the bar heights are, e.g. <c>"win rate vs SFT"</c>.</param>
    /// <param name="categories">The labels along the horizontal axis, in order.</param>
    /// <param name="groups">Named lists of bar heights, one height per category.</param>
    public static Figure GroupedBars(string title, string xLabel, string yLabel, IReadOnlyList<string> categories, IReadOnlyList<(string Name, IReadOnlyList<double> Values)> groups)
    {
        ArgumentNullException.ThrowIfNull(categories);
        ArgumentNullException.ThrowIfNull(groups);
        if (categories.Count == 0) throw new ArgumentException("a bar chart needs at least one category", nameof(categories));
        if (groups.Count == 0) throw new ArgumentException("a bar chart needs at least one group of values", nameof(groups));
        RequireUniqueNames(groups.Select(g => g.Name), nameof(groups));
        RequireUniqueNames(categories, nameof(categories));
        foreach (var (name, values) in groups)
        {
            RequireText(name, nameof(groups));
            ArgumentNullException.ThrowIfNull(values, $"{nameof(groups)}['{name}']");
            if (values.Count != categories.Count)
                throw new ArgumentException($"group '{name}' has {values.Count} values but there are {categories.Count} categories ({string.Join(", ", categories)})", nameof(groups));
        }

        var bars = groups.Select(g => new JsonObject
        {
            ["type"] = "bar",
            ["name"] = g.Name,
            ["x"] = Texts(categories),
            ["y"] = Numbers(g.Values),
        });
        return Titled(bars, title, xLabel, yLabel, new JsonObject { ["barmode"] = "group" });
    }

    /// <summary>One bar per labelled value, e.g. a single metric per policy.</summary>
    /// <param name="title">The chart title.</param>
    /// <param name="xLabel">What the labels are.</param>
    /// <param name="yLabel">What the values are; also the legend entry.</param>
    /// <param name="bars">(label, value) pairs in display order.</param>
    public static Figure Bars(string title, string xLabel, string yLabel, IReadOnlyList<(string Label, double Value)> bars)
    {
        ArgumentNullException.ThrowIfNull(bars);
        return GroupedBars(title, xLabel, yLabel, bars.Select(b => b.Label).ToArray(), [(yLabel, bars.Select(b => b.Value).ToArray())]);
    }
}
