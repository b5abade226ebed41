using System.Text.Json.Nodes;

namespace Rlhf.Plots;

public static partial class Charts
{
    /// <summary>
    /// Labelled points, one colour per <see cref="LabeledPoint.Group"/>, e.g. the KL-versus-reward
    /// frontier of PPO and DPO runs at several strengths, each point labelled with its setting.
    /// </summary>
    /// <param name="title">The chart title.</param>
    /// <param name="xLabel">The horizontal axis title, e.g. <c>"KL to reference (nats)"</c>.</param>
    /// <param name="yLabel">The vertical axis title, e.g. <c>"gold reward"</c>.</param>
    /// <param name="points">The points; groups appear in the legend in order of first appearance.</param>
    /// <param name="connect">Join each group's points with a line in the given order (for a frontier sorted by x).</param>
    public static Figure Scatter(string title, string xLabel, string yLabel, IReadOnlyList<LabeledPoint> points, bool connect = false)
    {
        ArgumentNullException.ThrowIfNull(points);
        if (points.Count == 0) throw new ArgumentException("a scatter chart needs at least one point", nameof(points));
        var traces = points.GroupBy(p => p.Group).Select(g =>
        {
            RequireText(g.Key, nameof(points));
            var trace = new JsonObject
            {
                ["type"] = "scatter",
                ["mode"] = connect ? "lines+markers+text" : "markers+text",
                ["name"] = g.Key,
                ["x"] = Numbers(g.Select(p => p.X)),
                ["y"] = Numbers(g.Select(p => p.Y)),
                ["text"] = Texts(g.Select(p => p.Label ?? "")),
                ["textposition"] = "top center",
            };
            // Error bars (plotly's error_x / error_y, symmetric, in data units) when any point of the group has one.
            if (g.Any(p => p.XError is not null))
                trace["error_x"] = new JsonObject { ["type"] = "data", ["array"] = Numbers(g.Select(p => p.XError ?? 0)), ["visible"] = true };
            if (g.Any(p => p.YError is not null))
                trace["error_y"] = new JsonObject { ["type"] = "data", ["array"] = Numbers(g.Select(p => p.YError ?? 0)), ["visible"] = true };
            return trace;
        }).ToList();
        return Titled(traces, title, xLabel, yLabel);
    }
}
