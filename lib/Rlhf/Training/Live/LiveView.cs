using Rlhf.Plots;
using System.Globalization;
using System.Net;

namespace Rlhf.Training;

/// <summary>
/// What the notebook training views share: a title, a status line ("step 12 of 40", "done: 40 steps"), updates of the
/// cell's display throttled to one per interval (forced at the start, at evaluations and at the end), and small inline SVG
/// curves, so a long run neither floods nor bloats the notebook. Subclasses keep their own numbers and draw them.
/// </summary>
[TypeFormatterSource(typeof(NotebookFormatterSource), PreferredMimeTypes = new[] { "text/html" })]
public abstract class LiveView : ITrainingObserver, IHtmlDisplay
{
    readonly DisplayThrottle throttle;

    /// <summary>A view titled <paramref name="title"/>; <paramref name="update"/> receives the view when it changes, at most
    /// once per <paramref name="minimumInterval"/> (default 1 s) unless forced.</summary>
    protected LiveView(string title, Action<object?> update, TimeSpan? minimumInterval)
    {
        Title = title;
        throttle = new DisplayThrottle(this, update, minimumInterval);
    }

    /// <summary>The title shown in bold.</summary>
    protected string Title { get; }

    /// <summary>Where the run is, in words.</summary>
    protected string Status { get; set; } = "starting";

    /// <inheritdoc />
    public void OnStart(int fromStep, int totalSteps)
    {
        Status = fromStep > 0 ? $"resumed at step {fromStep} of {totalSteps}" : $"0 of {totalSteps} steps";
        Publish(force: true);
    }

    /// <inheritdoc />
    public virtual void OnStep(TrainingStep step)
    {
        Status = $"step {step.Step} of {step.TotalSteps}";
        Publish(force: false);
    }

    /// <inheritdoc />
    public virtual void OnEvaluation(int step, IReadOnlyDictionary<string, double> metrics) { }

    /// <inheritdoc />
    public void OnEnd(TrainingResult result)
    {
        Status = $"done: {result.Steps} steps";
        Publish(force: true);
    }

    /// <summary>Sends the view to the display: always when <paramref name="force"/>, otherwise at most once per interval.</summary>
    protected void Publish(bool force) => throttle.Publish(force);

    /// <summary>The opening of the view's HTML: a sans-serif block with the encoded title and status.</summary>
    protected string Header() =>
        $"<div style=\"font-family:sans-serif\"><b>{WebUtility.HtmlEncode(Title)}</b> — {WebUtility.HtmlEncode(Status)}";

    /// <inheritdoc />
    public abstract string ToHtml();

    /// <summary>The title and status as text (the notebook's <c>text/plain</c> output); subclasses add their numbers.</summary>
    public override string ToString() => $"{Title}: {Status}";

    /// <summary>An SVG polyline of <paramref name="points"/> (step, value), scaled to the box, with the extreme values
    /// written at the right; empty when there are fewer than two points.</summary>
    internal static string Sparkline(IReadOnlyList<(int Step, double Value)> points, int width, int height)
    {
        if (points.Count < 2) return "";
        double minX = points[0].Step, maxX = points[^1].Step;
        double minY = points.Min(p => p.Value), maxY = points.Max(p => p.Value);
        if (maxY - minY < 1e-12) maxY = minY + 1;
        var coordinates = points.Select(p => string.Create(CultureInfo.InvariantCulture,
            $"{(p.Step - minX) / Math.Max(maxX - minX, 1) * (width - 4) + 2:F1},{(maxY - p.Value) / (maxY - minY) * (height - 4) + 2:F1}"));
        return string.Create(CultureInfo.InvariantCulture,
            $"<svg width=\"{width}\" height=\"{height}\" role=\"img\" aria-label=\"training curve\"><polyline fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"1.5\" points=\"{string.Join(' ', coordinates)}\"/>" +
            $"<text x=\"{width - 2}\" y=\"12\" text-anchor=\"end\" font-size=\"10\">{maxY:G4}</text><text x=\"{width - 2}\" y=\"{height - 2}\" text-anchor=\"end\" font-size=\"10\">{minY:G4}</text></svg>");
    }
}
