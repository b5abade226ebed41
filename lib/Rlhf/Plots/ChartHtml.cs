using System.Net;
using Plotly.NET;

namespace Rlhf.Plots;

/// <summary>
/// Renders Plotly.NET charts as HTML that works offline: plotly.js itself is embedded in the HTML
/// (Plotly.NET ships it as a resource), never fetched from a CDN.
/// </summary>
/// <remarks>
/// Plotly.NET's own <c>GenericChart.toChartHTML</c> writes only the chart's div and drawing script and
/// leaves loading plotly.js to the page, so a notebook viewer without network access draws nothing.
/// Every fragment from <see cref="ToHtml(GenericChart)"/> therefore carries the library (about 3.5 MB).
/// </remarks>
public static class ChartHtml
{
    static readonly Lazy<(string Version, string Source)> PlotlyJs = new(LoadPlotlyJs);

    /// <summary>The plotly.js version embedded in every chart (the one Plotly.NET was built against, e.g. <c>2.28.0</c>).</summary>
    public static string PlotlyJsVersion => PlotlyJs.Value.Version;

    /// <summary>
    /// A self-contained HTML fragment that draws <paramref name="chart"/>: a script element with plotly.js
    /// inline, then the chart's div and its drawing script. Safe to place several on one page.
    /// </summary>
    public static string ToHtml(GenericChart chart)
    {
        ArgumentNullException.ThrowIfNull(chart);
        return PlotlyScriptElement + "\n" + GenericChart.toChartHTML(chart);
    }

    /// <summary>
    /// Several charts in one HTML fragment sharing a single copy of plotly.js (about 3.5 MB once instead of once per chart),
    /// for a page such as the course report.
    /// </summary>
    public static string ToSharedHtml(IReadOnlyList<GenericChart> charts)
    {
        ArgumentNullException.ThrowIfNull(charts);
        if (charts.Count == 0) throw new ArgumentException("no charts to render", nameof(charts));
        return PlotlyScriptElement + "\n" + string.Join("\n", charts.Select(GenericChart.toChartHTML));
    }

    /// <summary>A complete HTML document (with <paramref name="title"/>) that draws <paramref name="chart"/> offline, for saving to a file.</summary>
    public static string ToDocument(GenericChart chart, string title)
    {
        ArgumentNullException.ThrowIfNull(title);
        return $"""
            <!DOCTYPE html>
            <html>
            <head><meta charset="utf-8"><title>{WebUtility.HtmlEncode(title)}</title></head>
            <body>
            {ToHtml(chart)}
            </body>
            </html>
            """;
    }

    /// <summary>
    /// plotly.js inline, loaded once per page: if an earlier fragment already defined <c>window.Plotly</c>
    /// the library is not evaluated again. <c>define</c>, <c>module</c> and <c>exports</c> are hidden from
    /// plotly.js's loader so it always sets <c>window.Plotly</c>, also in viewers that load RequireJS
    /// (Jupyter), where it would otherwise register an AMD module the drawing script never sees.
    /// </summary>
    /// <remarks>The exact script element every chart fragment of this library starts with: a page that holds several
    /// fragments needs only the first copy (the notebook HTML export leaves the others out).</remarks>
    public static string PlotlyScriptElement => PlotlyScript.Value;

    static readonly Lazy<string> PlotlyScript = new(() =>
    {
        var source = PlotlyJs.Value.Source.Replace("</script", "<\\/script", StringComparison.OrdinalIgnoreCase);
        return "<script type=\"text/javascript\">\n" +
               "if (typeof window.Plotly === 'undefined') { (function (define, module, exports) {\n" +
               source +
               "\n}).call(window); }\n</script>";
    });

    static (string Version, string Source) LoadPlotlyJs()
    {
        var assembly = typeof(GenericChart).Assembly;
        // Named like "Plotly.NET.plotly-2.28.0.min.js"; the version is read from the name, not hard-coded here.
        var names = assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith("Plotly.NET.plotly-", StringComparison.Ordinal) && n.EndsWith(".min.js", StringComparison.Ordinal))
            .ToList();
        if (names.Count != 1)
            throw new InvalidOperationException(
                $"expected exactly one embedded plotly.js resource in {assembly.GetName().Name} {assembly.GetName().Version}, found {names.Count}: [{string.Join(", ", names)}]");
        using var stream = assembly.GetManifestResourceStream(names[0])!;
        using var reader = new StreamReader(stream);
        var version = names[0]["Plotly.NET.plotly-".Length..^".min.js".Length];
        return (version, reader.ReadToEnd());
    }
}
