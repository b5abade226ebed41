namespace Rlhf.Plots;

/// <summary>
/// plotly.js for a notebook's charts, shown once by its first cell (<c>PlotlyJs.Load()</c>): every chart after it carries only
/// its figure, a few kilobytes, instead of its own copy of the library (1.0 MB). Showing it again (the first cell run again)
/// puts it on the page again; the browser evaluates it only once.
/// </summary>
[TypeFormatterSource(typeof(NotebookFormatterSource), PreferredMimeTypes = new[] { "text/html" })]
public sealed class PlotlyJs : IHtmlDisplay
{
    PlotlyJs() { }

    /// <summary>The display that puts plotly.js on the notebook's page (the last line of a notebook's first cell).</summary>
    public static PlotlyJs Load()
    {
        ChartHtml.MarkPlotlyShown();
        return new PlotlyJs();
    }

    /// <inheritdoc />
    public string ToHtml() => ChartHtml.PlotlyScriptElement + $"\n<div class=\"rlhf-plotly-note\" style=\"color:#888;font-size:.8em\">{this}</div>";

    /// <summary>One line saying what was loaded.</summary>
    public override string ToString() => $"plotly.js {ChartHtml.PlotlyJsVersion}, offline, once for this notebook's charts";
}
