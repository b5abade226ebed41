using System.Net;

namespace Rlhf.Plots;

/// <summary>
/// Renders <see cref="Figure"/>s as HTML that works offline: plotly.js itself travels in the HTML (Rlhf.dll carries it as
/// a resource), never fetched from a CDN, and only once per page or notebook.
/// </summary>
/// <remarks>
/// plotly.js is the basic bundle (plotly.js-basic-dist-min: scatter and bar traces, 1.0 MB; the full bundle is 3.6 MB and
/// the course draws nothing else). A chart's own HTML (<see cref="Drawing"/>) is its figure's JSON and a few lines of script: it draws
/// at once when <c>window.Plotly</c> is on the page, else it waits in a queue that <see cref="PlotlyScriptElement"/> drains
/// when it runs. In a notebook the first cell shows <see cref="PlotlyJs"/> (plotly.js, once); if it did not, the first
/// chart of the kernel session carries plotly.js itself (<see cref="ToHtml(Figure)"/>). A chart whose page never gets
/// plotly.js (that output cleared, the notebook opened without it) says so in the chart's place instead of staying blank.
/// Pages made in one piece (<see cref="ToSharedHtml"/>, <see cref="ToDocument"/>) carry their own copy.
/// </remarks>
public static class ChartHtml
{
    /// <summary>Prefix of the embedded plotly.js resource's name (see <c>lib/Rlhf/Rlhf.csproj</c>).</summary>
    const string ResourcePrefix = "Rlhf.Plots.plotly-basic-";

    /// <summary>The id of the script element that carries plotly.js.</summary>
    public const string PlotlyScriptId = "rlhf-plotlyjs";

    static readonly Lazy<(string Version, string Source)> PlotlyJs = new(LoadPlotlyJs);

    static int plotlyShown;

    /// <summary>The plotly.js version of the embedded bundle (the copy vendored in <c>lib/Rlhf/Plots/plotly</c>, e.g. <c>2.28.0</c>).</summary>
    public static string PlotlyJsVersion => PlotlyJs.Value.Version;

    /// <summary>Marks plotly.js as handed out; true the first time in this process.</summary>
    internal static bool MarkPlotlyShown() => Interlocked.Exchange(ref plotlyShown, 1) == 0;

    /// <summary>
    /// The HTML a notebook shows for <paramref name="figure"/>: its <see cref="Drawing"/>, preceded by plotly.js when this
    /// process has not handed it out yet (the first chart of a kernel session whose first cell did not show <see cref="Rlhf.Plots.PlotlyJs"/>).
    /// </summary>
    public static string ToHtml(Figure figure)
    {
        ArgumentNullException.ThrowIfNull(figure);
        return (MarkPlotlyShown() ? PlotlyScriptElement + "\n" : "") + Drawing(figure);
    }

    /// <summary>
    /// Several charts in one HTML fragment with one copy of plotly.js, for a page made in one piece such as the course report.
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
            {ToSharedHtml([figure])}
            </body>
            </html>
            """;
    }

    /// <summary>
    /// plotly.js inline, evaluated once per page (not again if an earlier copy defined <c>window.Plotly</c>), then every chart
    /// that was waiting for it drawn. <c>define</c>, <c>module</c> and <c>exports</c> are hidden from plotly.js's loader so it
    /// always sets <c>window.Plotly</c>, also in viewers that load RequireJS (Jupyter), where it would otherwise register an
    /// AMD module the drawing script never sees.
    /// </summary>
    /// <remarks>The exact element every copy is: a page that holds several needs only the first (the notebook HTML export
    /// leaves the others out).</remarks>
    public static string PlotlyScriptElement => PlotlyScript.Value;

    static readonly Lazy<string> PlotlyScript = new(() =>
    {
        var source = PlotlyJs.Value.Source.Replace("</script", "<\\/script", StringComparison.OrdinalIgnoreCase);
        return $"<script type=\"text/javascript\" id=\"{PlotlyScriptId}\">\n" +
               "if (typeof window.Plotly === 'undefined') { (function (define, module, exports) {\n" +
               source +
               "\n}).call(window); }\n" +
               "(window.rlhfWaitingCharts || []).splice(0).forEach(function (draw) { draw(); });\n</script>";
    });

    /// <summary>
    /// The figure's own div, under a fresh id (the same figure may be shown twice on a page), and the script that draws into
    /// it: at once when plotly.js is on the page, else when <see cref="PlotlyScriptElement"/> runs. A page that never loads
    /// plotly.js shows a note in the chart's place.
    /// </summary>
    public static string Drawing(Figure figure)
    {
        ArgumentNullException.ThrowIfNull(figure);
        var id = "rlhf-chart-" + Guid.NewGuid().ToString("N");
        // ToJson escapes '<' and '>', so no string in the figure can close the script element.
        return $$"""
            <div id="{{id}}" class="rlhf-chart"></div>
            <script type="text/javascript">
            (function () {
              var figure = {{figure.ToJson()}};
              function draw() {
                var div = document.getElementById('{{id}}');
                if (!div) return;
                div.textContent = '';
                Plotly.newPlot(div, figure.data, figure.layout, {responsive: true});
              }
              if (typeof window.Plotly !== 'undefined') { draw(); return; }
              (window.rlhfWaitingCharts = window.rlhfWaitingCharts || []).push(draw);
              function missing() {
                var div = document.getElementById('{{id}}');
                if (typeof window.Plotly === 'undefined' && div && !div.hasChildNodes())
                  div.textContent = 'This chart needs plotly.js, which the notebook\u2019s first cell loads: run that cell, then this one.';
              }
              if (document.readyState === 'complete') setTimeout(missing, 3000);
              else window.addEventListener('load', missing);
            })();
            </script>
            """;
    }

    static (string Version, string Source) LoadPlotlyJs()
    {
        var assembly = typeof(ChartHtml).Assembly;
        // Named like "Rlhf.Plots.plotly-basic-2.28.0.min.js"; the version is read from the name, not hard-coded here.
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
