using Rlhf.Plots;
using System.Globalization;
using System.Net;
using System.Text;

namespace Rlhf.Training;

/// <summary>
/// A notebook training observer that keeps one small curve per chosen metric up to date (inline SVG, like
/// <see cref="LiveTrainingView"/>'s loss curve): for PPO, say, the reward-model score, the gold score and the KL side by
/// side. Usage: <c>var shown = display("starting"); var view = new LiveMetricsView("PPO", ["objective/scores", "gold/score",
/// "objective/kl"], shown.Update);</c>, then pass <c>view</c> as an observer.
/// </summary>
public sealed class LiveMetricsView : LiveView
{
    readonly IReadOnlyList<string> metrics;
    readonly Dictionary<string, List<(int Step, double Value)>> points = [];

    /// <summary>Creates the view for <paramref name="metrics"/> (names as in <see cref="TrainingStep.Metrics"/>, or <c>loss</c>);
    /// <paramref name="update"/> receives this view when it changes, at most once per <paramref name="minimumInterval"/> (default 1 s) and at the end.</summary>
    public LiveMetricsView(string title, IReadOnlyList<string> metrics, Action<object?> update, TimeSpan? minimumInterval = null)
        : base(title, update, minimumInterval)
    {
        if (metrics.Count == 0) throw new ArgumentException("name at least one metric to draw.", nameof(metrics));
        this.metrics = metrics;
        foreach (var name in metrics) points[name] = [];
    }

    /// <summary>The points drawn so far for <paramref name="metric"/>.</summary>
    public IReadOnlyList<(int Step, double Value)> Points(string metric) => points[metric];

    /// <inheritdoc />
    public override void OnStep(TrainingStep step)
    {
        foreach (var name in metrics)
        {
            double? value = name == "loss" ? step.Loss : step.Metrics.TryGetValue(name, out var v) ? v : null;
            if (value is { } known && double.IsFinite(known)) points[name].Add((step.Step, known));
        }
        base.OnStep(step);
    }

    /// <inheritdoc />
    public override string ToHtml()
    {
        var html = new StringBuilder(Header()).Append("<div style=\"display:flex;flex-wrap:wrap;gap:12px\">");
        foreach (var name in metrics)
        {
            var series = points[name];
            html.Append("<div><small>").Append(WebUtility.HtmlEncode(name));
            if (series.Count > 0) html.Append(' ').Append(WebUtility.HtmlEncode(CellFormat.Format(series[^1].Value)));
            html.Append("</small><br/>").Append(Sparkline(series, 240, 70)).Append("</div>");
        }
        return html.Append("</div></div>").ToString();
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"{Title}: {Status}" + string.Concat(metrics.Where(m => points[m].Count > 0)
            .Select(m => string.Create(CultureInfo.InvariantCulture, $" — {m} {CellFormat.Format(points[m][^1].Value)}")));
}
