using System.Text.Json.Nodes;

namespace Rlhf.Plots;

public static partial class Charts
{
    /// <summary>Opacity of the raw line drawn under a smoothed one, so the noise stays visible.</summary>
    const double RawLineOpacity = 0.3;

    /// <summary>
    /// A training history: one line per series (loss, reward, KL...) against the step.
    /// With <paramref name="smoothing"/> &gt; 0 each series is drawn twice: its raw values faintly and
    /// their <see cref="Smoothing.Ema"/> on top, as TensorBoard does.
    /// </summary>
    /// <param name="title">The chart title, e.g. <c>"SFT loss"</c>.</param>
    /// <param name="yLabel">The vertical axis title, e.g. <c>"loss (nats/token)"</c>.</param>
    /// <param name="series">The lines to draw, each with a distinct name.</param>
    /// <param name="smoothing">EMA weight in [0, 1); 0 (the default) draws the raw values only.</param>
    /// <param name="xLabel">The horizontal axis title; <c>"step"</c> by default.</param>
    public static Figure History(string title, string yLabel, IReadOnlyList<Series> series, double smoothing = 0, string xLabel = "step")
    {
        ArgumentNullException.ThrowIfNull(series);
        if (series.Count == 0) throw new ArgumentException("a history chart needs at least one series", nameof(series));
        RequireUniqueNames(series.Select(s => s.Name), nameof(series));
        if (!(smoothing >= 0 && smoothing < 1))
            throw new ArgumentOutOfRangeException(nameof(smoothing), smoothing, "the smoothing weight must be in [0, 1)");

        var lines = new List<JsonObject>();
        foreach (var s in series)
        {
            if (smoothing == 0)
            {
                lines.Add(LineTrace(s.Name, s.Steps, s.Values));
                continue;
            }
            // One legend entry per series: the faint raw line shares the smoothed line's legend group (one click hides both).
            var raw = LineTrace($"{s.Name} (raw)", s.Steps, s.Values);
            raw["opacity"] = RawLineOpacity;
            raw["legendgroup"] = s.Name;
            raw["showlegend"] = false;
            lines.Add(raw);
            var smoothed = LineTrace(s.Name, s.Steps, s.Smoothed(smoothing).Values);
            smoothed["legendgroup"] = s.Name;
            lines.Add(smoothed);
        }
        return Titled(lines, title, xLabel, yLabel);
    }

    /// <summary>
    /// A training history from named lists of (step, value) points, e.g. a trainer's metrics keyed by name.
    /// Lines are drawn in the dictionary's enumeration order.
    /// </summary>
    /// <inheritdoc cref="History(string, string, IReadOnlyList{Series}, double, string)"/>
    public static Figure History(string title, string yLabel, IReadOnlyDictionary<string, IReadOnlyList<(double Step, double Value)>> series, double smoothing = 0, string xLabel = "step")
    {
        ArgumentNullException.ThrowIfNull(series);
        return History(title, yLabel, series.Select(kv => new Series(kv.Key, kv.Value)).ToArray(), smoothing, xLabel);
    }

    /// <summary>A training history of one metric logged once per step, starting at step 0.</summary>
    /// <param name="title">The chart title.</param>
    /// <param name="name">What the values are, e.g. <c>"loss"</c> (the legend entry); also the vertical axis title.</param>
    /// <param name="values">One value per step.</param>
    /// <param name="smoothing">EMA weight in [0, 1); 0 draws the raw values only.</param>
    public static Figure History(string title, string name, IReadOnlyList<double> values, double smoothing = 0) =>
        History(title, name, [Series.FromValues(name, values)], smoothing);
}
