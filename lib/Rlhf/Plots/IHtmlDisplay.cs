namespace Rlhf.Plots;

/// <summary>
/// Something that shows itself as HTML in a notebook: a chart, a metrics table, a samples table.
/// The project's notebook runner writes <see cref="ToHtml"/> as a <c>text/html</c> output; in VS Code
/// the same objects display through their HTML too.
/// </summary>
public interface IHtmlDisplay
{
    /// <summary>A self-contained HTML fragment (no network access needed to render it).</summary>
    string ToHtml();
}
