using System.Globalization;
using System.Net;
using System.Text;
using Rlhf.Training;

namespace Rlhf.Plots;

/// <summary>
/// A training observer for notebooks: keeps one displayed value up to date with the step, loss, throughput and a
/// small loss curve drawn as inline SVG (no plotly.js per update, so a long run does not bloat the notebook).
/// Usage in a cell: <c>var shown = display("starting"); var view = new LiveTrainingView("SFT", shown.Update);</c>
/// then pass <c>view</c> to the trainer as an observer.
/// </summary>
public sealed class LiveTrainingView : ITrainingObserver, IHtmlDisplay
{
    readonly string title;
    readonly DisplayThrottle throttle;
    readonly List<(int Step, double Loss)> losses = [];
    readonly Dictionary<string, double> evaluation = [];
    TrainingStep? last;
    string status = "starting";

    /// <summary>Creates the view; <paramref name="update"/> receives this view whenever it changes (at most once per
    /// <paramref name="minimumInterval"/>, default 1 s, plus at every evaluation and at the end).</summary>
    public LiveTrainingView(string title, Action<object?> update, TimeSpan? minimumInterval = null)
    {
        this.title = title;
        throttle = new DisplayThrottle(this, update, minimumInterval);
    }

    /// <inheritdoc />
    public void OnStart(int fromStep, int totalSteps)
    {
        status = fromStep > 0 ? $"resumed at step {fromStep} of {totalSteps}" : $"0 of {totalSteps} steps";
        Publish(force: true);
    }

    /// <inheritdoc />
    public void OnStep(TrainingStep step)
    {
        last = step;
        losses.Add((step.Step, step.Loss));
        status = $"step {step.Step} of {step.TotalSteps}";
        Publish(force: false);
    }

    /// <inheritdoc />
    public void OnEvaluation(int step, IReadOnlyDictionary<string, double> metrics)
    {
        foreach (var (name, value) in metrics) evaluation[name] = value;
        Publish(force: true);
    }

    /// <inheritdoc />
    public void OnEnd(TrainingResult result)
    {
        status = $"done: {result.Steps} steps";
        Publish(force: true);
    }

    void Publish(bool force) => throttle.Publish(force);

    /// <inheritdoc />
    public string ToHtml()
    {
        var html = new StringBuilder();
        html.Append("<div style=\"font-family:sans-serif\"><b>").Append(WebUtility.HtmlEncode(title)).Append("</b> — ")
            .Append(WebUtility.HtmlEncode(status)).Append("<br/>");
        if (last is not null)
            html.Append(WebUtility.HtmlEncode(Summary(last))).Append("<br/>");
        if (evaluation.Count > 0)
            html.Append(WebUtility.HtmlEncode(string.Join("  ", evaluation.Select(m => $"{m.Key} {CellFormat.Format(m.Value)}")))).Append("<br/>");
        html.Append(Sparkline(losses, 360, 80)).Append("</div>");
        return html.ToString();
    }

    /// <summary>The same status as text (the notebook's text/plain output and logs).</summary>
    public override string ToString() =>
        $"{title}: {status}" + (last is null ? "" : $" — {Summary(last)}") +
        (evaluation.Count == 0 ? "" : " — " + string.Join("  ", evaluation.Select(m => $"{m.Key} {CellFormat.Format(m.Value)}")));

    static string Summary(TrainingStep step) => string.Create(CultureInfo.InvariantCulture,
        $"loss {step.Loss:F4}  lr {step.LearningRate:G3}  {step.ItemsPerSecond:N0} items/s");

    /// <summary>An SVG polyline of the loss against the step, scaled to the box; empty when there are fewer than two points.</summary>
    internal static string Sparkline(IReadOnlyList<(int Step, double Loss)> points, int width, int height)
    {
        if (points.Count < 2) return "";
        double minX = points[0].Step, maxX = points[^1].Step;
        double minY = points.Min(p => p.Loss), maxY = points.Max(p => p.Loss);
        if (maxY - minY < 1e-12) maxY = minY + 1;
        var coordinates = points.Select(p => string.Create(CultureInfo.InvariantCulture,
            $"{(p.Step - minX) / Math.Max(maxX - minX, 1) * (width - 4) + 2:F1},{(maxY - p.Loss) / (maxY - minY) * (height - 4) + 2:F1}"));
        return string.Create(CultureInfo.InvariantCulture,
            $"<svg width=\"{width}\" height=\"{height}\" role=\"img\" aria-label=\"training loss\"><polyline fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"1.5\" points=\"{string.Join(' ', coordinates)}\"/>" +
            $"<text x=\"{width - 2}\" y=\"12\" text-anchor=\"end\" font-size=\"10\">{maxY:G4}</text><text x=\"{width - 2}\" y=\"{height - 2}\" text-anchor=\"end\" font-size=\"10\">{minY:G4}</text></svg>");
    }
}
