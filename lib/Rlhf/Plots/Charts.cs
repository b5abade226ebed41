using System.Text.Json.Nodes;

namespace Rlhf.Plots;

/// <summary>
/// The charts a learner needs through the course, each a small function from plain C# data to a plotly.js
/// <see cref="Figure"/> with a title and axis labels. Display one in a notebook with <c>display(chart)</c>,
/// or turn it into offline HTML with <see cref="ChartHtml.ToHtml"/>.
/// </summary>
public static partial class Charts
{
    /// <summary>Chart width in pixels: wide enough for a training curve, narrow enough for a notebook column.</summary>
    public const int Width = 760;

    /// <summary>Chart height in pixels.</summary>
    public const int Height = 420;

    /// <summary>
    /// A single line through the points (<paramref name="x"/>[i], <paramref name="y"/>[i]), e.g. a function's curve
    /// such as σ(margin); the line is named in the legend.
    /// </summary>
    /// <param name="title">The chart title.</param>
    /// <param name="xLabel">The horizontal axis title.</param>
    /// <param name="yLabel">The vertical axis title.</param>
    /// <param name="x">The horizontal positions, in drawing order.</param>
    /// <param name="y">The vertical positions, one per x.</param>
    /// <param name="name">The legend entry, e.g. <c>"σ(margin)"</c>.</param>
    public static Figure Line(string title, string xLabel, string yLabel, IReadOnlyList<double> x, IReadOnlyList<double> y, string name)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Count != y.Count) throw new ArgumentException($"x has {x.Count} values but y has {y.Count}; a line needs one y per x", nameof(y));
        RequireText(name, nameof(name));
        var line = LineTrace(name, x, y);
        line["showlegend"] = true; // plotly.js hides the legend of a lone trace; the name says what the curve is
        return Titled([line], title, xLabel, yLabel);
    }

    /// <summary>A line trace: plotly.js <c>scatter</c> in <c>lines</c> mode.</summary>
    static JsonObject LineTrace(string name, IReadOnlyList<double> x, IReadOnlyList<double> y) => new()
    {
        ["type"] = "scatter",
        ["mode"] = "lines",
        ["name"] = name,
        ["x"] = Numbers(x),
        ["y"] = Numbers(y),
    };

    /// <summary>The figure of <paramref name="traces"/> with the chart's title, both axis titles and the standard size;
    /// <paramref name="layout"/> may bring more layout settings (e.g. the bar mode).</summary>
    static Figure Titled(IEnumerable<JsonObject> traces, string title, string xLabel, string yLabel, JsonObject? layout = null)
    {
        RequireText(title, nameof(title));
        RequireText(xLabel, nameof(xLabel));
        RequireText(yLabel, nameof(yLabel));
        layout ??= [];
        layout["title"] = new JsonObject { ["text"] = title };
        layout["xaxis"] = new JsonObject { ["title"] = new JsonObject { ["text"] = xLabel } };
        layout["yaxis"] = new JsonObject { ["title"] = new JsonObject { ["text"] = yLabel } };
        layout["width"] = Width;
        layout["height"] = Height;
        return new Figure(traces, layout);
    }

    static JsonArray Numbers(IEnumerable<double> values) => new(values.Select(v => (JsonNode?)v).ToArray());

    static JsonArray Texts(IEnumerable<string> values) => new(values.Select(v => (JsonNode?)v).ToArray());

    static void RequireText(string text, string parameter)
    {
        if (string.IsNullOrWhiteSpace(text))
            throw new ArgumentException($"{parameter} is empty: a chart needs its title, axis labels and series names to be read", parameter);
    }

    static void RequireUniqueNames(IEnumerable<string> names, string parameter)
    {
        var duplicate = names.GroupBy(n => n).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new ArgumentException($"two series are both named '{duplicate.Key}'; each needs its own legend entry", parameter);
    }
}
