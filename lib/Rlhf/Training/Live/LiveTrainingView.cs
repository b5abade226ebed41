using Rlhf.Plots;
using System.Globalization;
using System.Net;
using System.Text;

namespace Rlhf.Training;

/// <summary>
/// A training observer for notebooks: keeps one displayed value up to date with the step, loss, throughput, the last
/// evaluation and a small loss curve drawn as inline SVG (no plotly.js per update, so a long run does not bloat the notebook).
/// Usage in a cell: <c>var shown = display("starting"); var view = new LiveTrainingView("SFT", shown.Update);</c>
/// then pass <c>view</c> to the trainer as an observer.
/// </summary>
public sealed class LiveTrainingView : LiveView
{
    readonly List<(int Step, double Loss)> losses = [];
    readonly Dictionary<string, double> evaluation = [];
    readonly IReadOnlyList<string>? shownMetrics;
    TrainingStep? last;

    /// <summary>Creates the view; <paramref name="update"/> receives this view whenever it changes (at most once per
    /// <paramref name="minimumInterval"/>, default 1 s, plus at every evaluation and at the end).
    /// <paramref name="evaluationMetrics"/>, when given, are the evaluation metrics shown, in that order (a stage logs
    /// dozens; a learner reads a handful); null shows every one.</summary>
    public LiveTrainingView(string title, Action<object?> update, TimeSpan? minimumInterval = null, IReadOnlyList<string>? evaluationMetrics = null)
        : base(title, update, minimumInterval) => shownMetrics = evaluationMetrics;

    /// <inheritdoc />
    public override void OnStep(TrainingStep step)
    {
        last = step;
        losses.Add((step.Step, step.Loss));
        base.OnStep(step);
    }

    /// <inheritdoc />
    public override void OnEvaluation(int step, IReadOnlyDictionary<string, double> metrics)
    {
        foreach (var (name, value) in metrics) evaluation[name] = value;
        Publish(force: true);
    }

    /// <inheritdoc />
    public override string ToHtml()
    {
        var html = new StringBuilder(Header()).Append("<br/>");
        if (last is not null)
            html.Append(WebUtility.HtmlEncode(Summary(last))).Append("<br/>");
        if (Shown().Any())
        {
            html.Append("<table style=\"border-collapse:collapse;margin:.2rem 0\">");
            foreach (var (name, value) in Shown())
                html.Append("<tr><td style=\"padding:0 .8rem 0 0\">").Append(WebUtility.HtmlEncode(name)).Append("</td><td style=\"text-align:right\">")
                    .Append(WebUtility.HtmlEncode(CellFormat.Format(value))).Append("</td></tr>");
            html.Append("</table>");
        }
        return html.Append(Sparkline(losses, 360, 80)).Append("</div>").ToString();
    }

    /// <summary>The same status as text (the notebook's text/plain output and logs).</summary>
    public override string ToString() =>
        $"{Title}: {Status}" + (last is null ? "" : $" — {Summary(last)}") + (!Shown().Any() ? "" : " — " + Evaluation());

    string Evaluation() => string.Join("  ", Shown().Select(m => $"{m.Key} {CellFormat.Format(m.Value)}"));

    IEnumerable<KeyValuePair<string, double>> Shown() => shownMetrics is null
        ? evaluation
        : shownMetrics.Where(evaluation.ContainsKey).Select(name => KeyValuePair.Create(name, evaluation[name]));

    static string Summary(TrainingStep step) => string.Create(CultureInfo.InvariantCulture,
        $"loss {step.Loss:F4}  lr {step.LearningRate:G3}  {step.ItemsPerSecond:N0} items/s");
}
