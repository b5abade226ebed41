using System.Text.RegularExpressions;
using Rlhf.Plots;

namespace Rlhf.Tests.Plots;

public class ChartHtmlTests
{
    static readonly Figure AnyChart = Charts.History("loss", "loss", [3.0, 2.0, 1.5]);

    [Fact]
    public void Html_embeds_plotly_js_and_loads_nothing_from_the_network()
    {
        var html = ChartHtml.ToHtml(AnyChart);

        Assert.Contains($"plotly.js v{ChartHtml.PlotlyJsVersion}", html); // the library's own banner, inline
        Assert.True(html.Length > 1_000_000, $"expected plotly.js (megabytes) inline, got {html.Length} characters");
        Assert.DoesNotMatch(new Regex(@"<script[^>]*\ssrc\s*=", RegexOptions.IgnoreCase), html);
        Assert.DoesNotContain("cdn.plot.ly/plotly", html);
        // After the inline library, the chart's own div and drawing script mention no URL at all.
        var drawing = html[(html.IndexOf("</script>", StringComparison.Ordinal) + "</script>".Length)..];
        Assert.Contains("Plotly.newPlot(", drawing);
        Assert.DoesNotContain("http", drawing);
        Assert.DoesNotContain("require.js", html);
        Assert.DoesNotContain("requirejs.config", html);
        Assert.Contains("Plotly.newPlot(", html);
    }

    [Fact]
    public void Plotly_js_version_is_read_from_the_embedded_resource()
    {
        Assert.Matches(@"^\d+\.\d+\.\d+$", ChartHtml.PlotlyJsVersion);
        Assert.Equal("2.28.0", ChartHtml.PlotlyJsVersion);
        var vendored = Assert.Single(Directory.GetFiles(Repo.Path("lib", "Rlhf", "Plots", "plotly"), "plotly-*.min.js"));
        Assert.Equal($"plotly-{ChartHtml.PlotlyJsVersion}.min.js", Path.GetFileName(vendored));
        Assert.Contains(File.ReadAllText(vendored), ChartHtml.PlotlyScriptElement); // the vendored file itself, unchanged
    }

    [Fact]
    public void Each_drawing_targets_its_own_div_with_the_figures_json()
    {
        var first = ChartHtml.ToHtml(AnyChart);
        var second = ChartHtml.ToHtml(AnyChart); // the same figure twice on one page must draw twice
        var ids = new[] { first, second }.Select(html => Regex.Match(html, "<div id=\"(?<id>rlhf-chart-[0-9a-f]{32})\"></div>").Groups["id"].Value).ToArray();

        Assert.All(ids, id => Assert.NotEqual("", id));
        Assert.NotEqual(ids[0], ids[1]);
        Assert.Contains($"Plotly.newPlot('{ids[0]}', figure.data, figure.layout, {{responsive: true}});", first);
        Assert.Contains($"var figure = {AnyChart.ToJson()};", first);
    }

    [Fact]
    public void Several_charts_on_one_page_evaluate_plotly_js_once()
    {
        var html = ChartHtml.ToHtml(AnyChart);
        // Each fragment is self-contained, and guarded so a second one does not redefine window.Plotly.
        Assert.StartsWith("<script type=\"text/javascript\">\nif (typeof window.Plotly === 'undefined')", html);
    }

    [Fact]
    public void A_list_of_charts_shares_one_copy_of_plotly_js()
    {
        var html = ChartHtml.ToSharedHtml([AnyChart, Charts.History("reward", "reward", [1.0, 2.0])]);
        var banner = $"plotly.js v{ChartHtml.PlotlyJsVersion}";
        Assert.Equal(html.IndexOf(banner, StringComparison.Ordinal), html.LastIndexOf(banner, StringComparison.Ordinal)); // embedded once
        static int Drawings(string page) => Regex.Matches(page, @"Plotly\.newPlot\(").Count; // plotly.js itself mentions it too
        Assert.Equal(Drawings(ChartHtml.ToHtml(AnyChart)) + 1, Drawings(html));
        Assert.Throws<ArgumentException>(() => ChartHtml.ToSharedHtml(Array.Empty<Figure>()));
    }

    [Fact]
    public void Document_wraps_the_fragment_with_an_escaped_title()
    {
        var page = ChartHtml.ToDocument(AnyChart, "loss <SFT>");
        Assert.StartsWith("<!DOCTYPE html>", page);
        Assert.Contains("<title>loss &lt;SFT&gt;</title>", page);
        Assert.Contains("Plotly.newPlot(", page);
    }
}
