namespace Rlhf.Plots;

/// <summary>
/// The formatters a .NET Interactive kernel uses for every <see cref="IHtmlDisplay"/>, found through
/// <see cref="TypeFormatterSourceAttribute"/>: <c>text/html</c> writes <see cref="IHtmlDisplay.ToHtml"/> (a chart
/// drawn with the plotly.js on the page, a table), <c>text/plain</c> writes <see cref="object.ToString"/>, and for a
/// <see cref="Figure"/> <c>application/vnd.plotly.v1+json</c> writes the figure itself, which front ends with a plotly
/// renderer (VS Code's Jupyter renderers, JupyterLab's plotly extension) draw natively, plotly.js or not.
/// </summary>
/// <remarks>
/// The kernel's side of the convention: it creates this class with its parameterless constructor, calls
/// <see cref="CreateTypeFormatters"/>, and for each formatter reads <see cref="HtmlDisplayFormatter.MimeType"/> and
/// <see cref="HtmlDisplayFormatter.Type"/> and calls <see cref="HtmlDisplayFormatter.Format"/>, all by reflection.
/// </remarks>
public sealed class NotebookFormatterSource
{
    /// <summary>The MIME type of a plotly figure's JSON.</summary>
    public const string PlotlyMimeType = "application/vnd.plotly.v1+json";

    /// <summary>The <c>text/html</c> and the <c>text/plain</c> formatter for <see cref="IHtmlDisplay"/>, the plotly one for <see cref="Figure"/>.</summary>
    public IEnumerable<HtmlDisplayFormatter> CreateTypeFormatters() =>
    [
        new("text/html", display => display.ToHtml()),
        new("text/plain", display => display.ToString() ?? ""),
        new(PlotlyMimeType, display => ((Figure)display).ToJson(), typeof(Figure)),
    ];
}
