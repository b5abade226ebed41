using System.Net;

namespace Rlhf.Plots;

/// <summary>
/// Renders <see cref="Figure"/>s as HTML that works offline: plotly.js itself is embedded in the HTML
/// (Rlhf.dll carries it as a resource), never fetched from a CDN.
/// </summary>
/// <remarks>
/// A notebook viewer without network access, or one that never loaded plotly.js, draws nothing from a page that
/// expects the library to be there. Every fragment from <see cref="ToHtml(Figure)"/> therefore carries the
/// library (about 3.5 MB); <see cref="ToSharedHtml"/> carries it once for several charts.
/// </remarks>
public static class ChartHtml
{
    /// <summary>Prefix of the embedded plotly.js resource's name (see <c>lib/Rlhf/Rlhf.csproj</c>).</summary>
    const string ResourcePrefix = "Rlhf.Plots.plotly-";

    static readonly Lazy<(string Version, string Source)> PlotlyJs = new(LoadPlotlyJs);

    /// <summary>The plotly.js version embedded in every chart (the copy vendored in <c>lib/Rlhf/Plots/plotly</c>, e.g. <c>2.28.0</c>).</summary>
    public static string PlotlyJsVersion => PlotlyJs.Value.Version;

    /// <summary>
    /// A self-contained HTML fragment that draws <paramref name="figure"/>: a script element with plotly.js
    /// inline, then the chart's div and its drawing script. Safe to place several on one page.
    /// </summary>
    public static string ToHtml(Figure figure)
    {
        ArgumentNullException.ThrowIfNull(figure);
        return PlotlyScriptElement + "\n" + Drawing(figure);
    }

    /// <summary>
    /// Several charts in one HTML fragment sharing a single copy of plotly.js (about 3.5 MB once instead of once per chart),
    /// for a page such as the course report.
    /// </summary>
    public static string ToSharedHtml(IReadOnlyList<Figure> figures)
    {
        ArgumentNullException.ThrowIfNull(figures);
        if (figures.Count == 0) throw new ArgumentException("no charts to render", nameof(figures));
        return PlotlyScriptElement + "\n" + string.Join("\n", figures.Select(Drawing));
    }

    /// <summary>A complete HTML document (with <paramref name="title"/>) that draws <paramref name="figure"/> offline, for saving to a file.</summary>
    public static string ToDocument(Figure figure, string title)
    {
        ArgumentNullException.ThrowIfNull(title);
        return $"""
            <!DOCTYPE html>
            <html>
            <head><meta charset="utf-8"><title>{WebUtility.HtmlEncode(title)}</title></head>
            <body>
            {ToHtml(figure)}
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

    /// <summary>The figure's own div, under a fresh id (the same figure may be shown twice on a page), and the script that draws into it.</summary>
    static string Drawing(Figure figure)
    {
        var id = "rlhf-chart-" + Guid.NewGuid().ToString("N");
        // ToJson escapes '<' and '>', so no string in the figure can close the script element.
        return $$"""
            <div id="{{id}}"></div>
            <script type="text/javascript">
            (function () {
              var figure = {{figure.ToJson()}};
              Plotly.newPlot('{{id}}', figure.data, figure.layout, {responsive: true});
            })();
            </script>
            """;
    }

    static (string Version, string Source) LoadPlotlyJs()
    {
        var assembly = typeof(ChartHtml).Assembly;
        // Named like "Rlhf.Plots.plotly-2.28.0.min.js"; the version is read from the name, not hard-coded here.
        var names = assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal) && n.EndsWith(".min.js", StringComparison.Ordinal))
            .ToList();
        if (names.Count != 1)
            throw new InvalidOperationException(
                $"expected exactly one embedded plotly.js resource in {assembly.GetName().Name}, found {names.Count}: [{string.Join(", ", names)}]");
        using var stream = assembly.GetManifestResourceStream(names[0])!;
        using var reader = new StreamReader(stream);
        var version = names[0][ResourcePrefix.Length..^".min.js".Length];
        return (version, reader.ReadToEnd());
    }
}
