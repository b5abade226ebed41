namespace Rlhf.Plots;

/// <summary>
/// The formatters a .NET Interactive kernel uses for every <see cref="IHtmlDisplay"/>, found through
/// <see cref="TypeFormatterSourceAttribute"/>: <c>text/html</c> writes <see cref="IHtmlDisplay.ToHtml"/> (a chart
/// with plotly.js inline, a table), <c>text/plain</c> writes <see cref="object.ToString"/>.
/// </summary>
/// <remarks>
/// The kernel's side of the convention: it creates this class with its parameterless constructor, calls
/// <see cref="CreateTypeFormatters"/>, and for each formatter reads <see cref="HtmlDisplayFormatter.MimeType"/> and
/// <see cref="HtmlDisplayFormatter.Type"/> and calls <see cref="HtmlDisplayFormatter.Format"/>, all by reflection.
/// </remarks>
public sealed class NotebookFormatterSource
{
    /// <summary>The <c>text/html</c> and the <c>text/plain</c> formatter for <see cref="IHtmlDisplay"/>.</summary>
    public IEnumerable<HtmlDisplayFormatter> CreateTypeFormatters() =>
    [
        new("text/html", display => display.ToHtml()),
        new("text/plain", display => display.ToString() ?? ""),
    ];
}
