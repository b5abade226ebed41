namespace Rlhf.Plots;

/// <summary>
/// Something that shows itself as HTML in a notebook: a chart, a metrics table, a samples table.
/// The project's notebook runner writes <see cref="ToHtml"/> as a <c>text/html</c> output; a .NET Interactive
/// kernel (VS Code, Jupyter) does the same through <see cref="TypeFormatterSourceAttribute"/>, which every
/// implementation carries (a test checks), and shows <see cref="object.ToString"/> as the <c>text/plain</c> output.
/// </summary>
public interface IHtmlDisplay
{
    /// <summary>A self-contained HTML fragment (no network access needed to render it).</summary>
    string ToHtml();
}
