using System.Text.RegularExpressions;
using Rlhf.Plots;

namespace Rlhf.Tests.Plots;

/// <summary>Charts really draw in a browser from the HTML the notebooks get, with no network access.</summary>
public class ChartRenderingTests
{
    /// <summary>
    /// The page forbids every network fetch (Content-Security-Policy: nothing but inline scripts and styles,
    /// and data: images and fonts), and writes any policy violation or script error into the DOM, where the
    /// test looks for it. So a chart that draws here drew from the HTML alone.
    /// </summary>
    const string PageHead = """
        <!DOCTYPE html>
        <html><head><meta charset="utf-8">
        <meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; img-src data:; font-src data:">
        <script>
          function report(kind, text) {
            var p = document.createElement('pre'); p.className = 'page-problem'; p.textContent = kind + ': ' + text;
            (document.body || document.documentElement).appendChild(p);
          }
          document.addEventListener('securitypolicyviolation', function (e) { report('blocked', e.violatedDirective + ' ' + e.blockedURI); });
          window.addEventListener('error', function (e) { report('error', e.message); });
        </script>
        </head><body>
        """;

    [ChromiumFact]
    public void Charts_draw_in_headless_chromium_without_network()
    {
        if (HeadlessChromium.Path is null) Assert.Fail($"{HeadlessChromium.RequireVariable}=1 but: {HeadlessChromium.MissingReason}");

        var history = Charts.History("SFT loss curve", "loss",
            [Series.FromValues("train loss", [3.2, 2.9, 2.5, 2.4, 2.1, 2.0]), Series.FromValues("eval loss", [3.3, 3.0, 2.7, 2.6, 2.5, 2.45])],
            smoothing: 0.6);
        var scores = Charts.Distribution("Reward scores", "score", [("chosen", [1.0, 1.5, 2.0, 2.2]), ("rejected", [-0.5, 0.1, 0.4])]);
        var historyHtml = ChartHtml.ToHtml(history);
        var scoresHtml = ChartHtml.ToHtml(scores);
        Assert.DoesNotMatch(new Regex(@"<script[^>]*\ssrc\s*=\s*[""']?https?:", RegexOptions.IgnoreCase), historyHtml + scoresHtml);

        var folder = Directory.CreateTempSubdirectory("rlhf-chart-render-");
        try
        {
            var page = Path.Combine(folder.FullName, "charts.html");
            // Two charts on one page: the second fragment must reuse the plotly.js the first one loaded.
            File.WriteAllText(page, PageHead + historyHtml + "\n" + scoresHtml + "\n</body></html>");

            var dom = HeadlessChromium.DumpDom(page);

            var problems = Regex.Matches(dom, "<pre class=\"page-problem\">(.*?)</pre>").Select(m => m.Groups[1].Value).ToList();
            Assert.True(problems.Count == 0, "the page reported: " + string.Join("; ", problems));
            // plotly.js replaces each chart div's comment with its SVG plot (three main-svg layers per plot).
            Assert.Equal(2, Regex.Matches(dom, "class=\"plot-container plotly\"").Count);
            Assert.True(Regex.Matches(dom, "class=\"main-svg\"").Count >= 2, "no SVG plot was drawn");
            // History: 2 series x (raw + smoothed) = 4 line traces, each with a drawn path.
            Assert.Equal(4, Regex.Matches(dom, "class=\"trace scatter[ \"]").Count);
            Assert.True(Regex.Matches(dom, "class=\"js-line\"[^>]*\\sd=\"M").Count >= 4, "the line traces have no drawn path");
            // Distribution: 2 histogram traces drawn as bars, each with at least one bar path.
            Assert.Equal(2, Regex.Matches(dom, "class=\"trace bars\"").Count);
            Assert.True(Regex.Matches(dom, "<g class=\"point\"><path d=\"M").Count >= 2, "the histograms have no drawn bars");
            // Titles and legend entries are drawn as SVG text.
            Assert.Contains(">SFT loss curve</text>", dom);
            Assert.Contains(">Reward scores</text>", dom);
            foreach (var name in new[] { "train loss", "eval loss (raw)", "chosen", "rejected" })
                Assert.Contains($">{name}</text>", dom);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void Ci_installs_chromium_and_makes_the_rendering_test_mandatory()
    {
        var ci = File.ReadAllLines(Repo.Path(".ci", "run")).Select(l => l.Trim()).ToList();
        int install = ci.FindIndex(l => l.Contains("apt-get install") && l.Contains("chromium"));
        int require = ci.IndexOf($"export {HeadlessChromium.RequireVariable}=1");
        int test = ci.IndexOf("dotnet test RlhfNotebooks.sln");
        Assert.True(install >= 0, ".ci/run does not install chromium");
        Assert.True(require > install, $".ci/run must export {HeadlessChromium.RequireVariable}=1 after installing chromium");
        Assert.True(test > require, $".ci/run must run the tests after exporting {HeadlessChromium.RequireVariable}=1");
    }
}
