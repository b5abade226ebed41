using System.Text.RegularExpressions;
using Rlhf.Plots;

namespace Rlhf.Tests.Plots;

public class ChartHtmlTests
{
    static readonly Figure AnyChart = Charts.History("loss", "loss", [3.0, 2.0, 1.5]);

    /// <summary>The banner the vendored bundle starts with.</summary>
    static string Banner => $"plotly.js (basic - minified) v{ChartHtml.PlotlyJsVersion}";

    [Fact]
    public void A_page_embeds_plotly_js_and_loads_nothing_from_the_network()
    {
        var html = ChartHtml.ToSharedHtml([AnyChart]);

        Assert.Contains(Banner, html); // the library's own banner, inline
        Assert.True(html.Length > 900_000, $"expected plotly.js (a megabyte) inline, got {html.Length} characters");
        Assert.DoesNotMatch(new Regex(@"<script[^>]*\ssrc\s*=", RegexOptions.IgnoreCase), html);
        Assert.DoesNotContain("cdn.plot.ly/plotly", html);
        // After the inline library, the chart's own div and drawing script mention no URL at all.
        var drawing = html[(html.IndexOf("</script>", StringComparison.Ordinal) + "</script>".Length)..];
        Assert.Contains("Plotly.newPlot(", drawing);
        Assert.DoesNotContain("http", drawing);
        Assert.DoesNotContain("require.js", html);
        Assert.DoesNotContain("requirejs.config", html);
    }

    [Fact]
    public void Plotly_js_version_is_read_from_the_embedded_resource()
    {
        Assert.Matches(@"^\d+\.\d+\.\d+$", ChartHtml.PlotlyJsVersion);
        Assert.Equal("2.28.0", ChartHtml.PlotlyJsVersion);
        var vendored = Assert.Single(Directory.GetFiles(Repo.Path("lib", "Rlhf", "Plots", "plotly"), "plotly-*.min.js"));
        Assert.Equal($"plotly-basic-{ChartHtml.PlotlyJsVersion}.min.js", Path.GetFileName(vendored));
        Assert.Contains(File.ReadAllText(vendored), ChartHtml.PlotlyScriptElement); // the vendored file itself, unchanged
        Assert.InRange(new FileInfo(vendored).Length, 900_000, 1_100_000); // the basic bundle, not the 3.6 MB full one
    }

    [Fact]
    public void Each_drawing_targets_its_own_div_with_the_figures_json_and_carries_no_library()
    {
        var first = ChartHtml.Drawing(AnyChart);
        var second = ChartHtml.Drawing(AnyChart); // the same figure twice on one page must draw twice
        var ids = new[] { first, second }.Select(html => Regex.Match(html, "<div id=\"(?<id>rlhf-chart-[0-9a-f]{32})\" class=\"rlhf-chart\"></div>").Groups["id"].Value).ToArray();

        Assert.All(ids, id => Assert.NotEqual("", id));
        Assert.NotEqual(ids[0], ids[1]);
        Assert.Contains($"document.getElementById('{ids[0]}')", first);
        Assert.Contains("Plotly.newPlot(div, figure.data, figure.layout, {responsive: true});", first);
        Assert.Contains($"var figure = {AnyChart.ToJson()};", first);
        Assert.DoesNotContain(Banner, first);
        Assert.True(first.Length < AnyChart.ToJson().Length + 2_000, $"a drawing is its figure and a few lines of script, not {first.Length} characters");
        // Without plotly.js on the page it waits for it, and says so if it never comes.
        Assert.Contains("window.rlhfWaitingCharts", first);
        Assert.Contains("This chart needs plotly.js", first);
    }

    [Fact]
    public void Plotly_js_is_guarded_and_draws_the_charts_that_waited_for_it()
    {
        var script = ChartHtml.PlotlyScriptElement;
        Assert.StartsWith($"<script type=\"text/javascript\" id=\"{ChartHtml.PlotlyScriptId}\">\nif (typeof window.Plotly === 'undefined')", script);
        Assert.EndsWith("(window.rlhfWaitingCharts || []).splice(0).forEach(function (draw) { draw(); });\n</script>", script);
    }

    [Fact]
    public void After_the_notebook_loaded_plotly_js_a_chart_carries_only_its_figure()
    {
        var loader = PlotlyJs.Load();
        Assert.StartsWith(ChartHtml.PlotlyScriptElement, loader.ToHtml());
        Assert.Contains($"plotly.js {ChartHtml.PlotlyJsVersion}", loader.ToString());
        var html = ChartHtml.ToHtml(AnyChart);
        Assert.DoesNotContain(Banner, html);
        Assert.Contains($"var figure = {AnyChart.ToJson()};", html);
    }

    [Fact]
    public void A_list_of_charts_shares_one_copy_of_plotly_js()
    {
        var html = ChartHtml.ToSharedHtml([AnyChart, Charts.History("reward", "reward", [1.0, 2.0])]);
        Assert.Equal(html.IndexOf(Banner, StringComparison.Ordinal), html.LastIndexOf(Banner, StringComparison.Ordinal)); // embedded once
        Assert.NotEqual(-1, html.IndexOf(Banner, StringComparison.Ordinal));
        Assert.Equal(2, Regex.Matches(html, "class=\"rlhf-chart\"").Count);
        Assert.Throws<ArgumentException>(() => ChartHtml.ToSharedHtml(Array.Empty<Figure>()));
    }

    [Fact]
    public void Document_wraps_the_fragment_with_an_escaped_title()
    {
        var page = ChartHtml.ToDocument(AnyChart, "loss <SFT>");
        Assert.StartsWith("<!DOCTYPE html>", page);
        Assert.Contains("<title>loss &lt;SFT&gt;</title>", page);
        Assert.Contains("Plotly.newPlot(", page);
        Assert.Contains(Banner, page);
    }
}
