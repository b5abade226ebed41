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
        // As in a notebook: these two charts come before plotly.js is on the page and wait for it.
        var historyHtml = ChartHtml.Drawing(history);
        var scoresHtml = ChartHtml.Drawing(scores);
        Assert.DoesNotMatch(new Regex(@"<script[^>]*\ssrc\s*=\s*[""']?https?:", RegexOptions.IgnoreCase), historyHtml + scoresHtml);
        // The other kinds of trace, on one page sharing one copy of plotly.js.
        var others = ChartHtml.ToSharedHtml([
            Charts.GroupedBars("Gold judge", "policy", "rate", ["SFT", "PPO", "DPO"], [("helpfulness", [0.5, 0.6, 0.7]), ("honesty", [0.4, 0.5, 0.45])]),
            Charts.Scatter("Reward-KL frontier", "KL", "gold score", [new(0.1, 0.4, "β=0.3", "PPO"), new(0.4, 0.6, "β=0.1", "PPO"), new(0.2, 0.5, "β=0.1", "DPO")], connect: true),
            Charts.Line("Bradley–Terry", "reward margin", "P(A preferred)", [-2.0, 0.0, double.NaN, 2.0], [0.12, 0.5, double.NaN, 0.88], "σ(margin)"),
        ]);

        var folder = Directory.CreateTempSubdirectory("rlhf-chart-render-");
        try
        {
            var page = Path.Combine(folder.FullName, "charts.html");
            // Two drawings, then the fragment with plotly.js: it draws its own charts and the two that waited.
            File.WriteAllText(page, PageHead + historyHtml + "\n" + scoresHtml + "\n" + others + "\n</body></html>");

            var dom = HeadlessChromium.DumpDom(page);

            var problems = Regex.Matches(dom, "<pre class=\"page-problem\">(.*?)</pre>").Select(m => m.Groups[1].Value).ToList();
            Assert.True(problems.Count == 0, "the page reported: " + string.Join("; ", problems));
            // plotly.js replaces each chart div's comment with its SVG plot (three main-svg layers per plot).
            Assert.Equal(5, Regex.Matches(dom, "class=\"plot-container plotly\"").Count);
            Assert.True(Regex.Matches(dom, "class=\"main-svg\"").Count >= 5, "no SVG plot was drawn");
            // Line traces: history 2 series x (raw + smoothed), 2 scatter groups, 1 line.
            Assert.Equal(7, Regex.Matches(dom, "class=\"trace scatter[ \"]").Count);
            Assert.True(Regex.Matches(dom, "class=\"js-line\"[^>]*\\sd=\"M").Count >= 7, "the line traces have no drawn path");
            // Bars: 2 histograms (counted into bars) and 2 bar groups, each with at least one bar path.
            Assert.Equal(4, Regex.Matches(dom, "class=\"trace bars\"").Count);
            Assert.True(Regex.Matches(dom, "<g class=\"point\"><path d=\"M").Count >= 4, "the bars were not drawn");
            // The scatter's three points carry their labels.
            Assert.Equal(3, Regex.Matches(dom, "<g class=\"textpoint\"").Count);
            // Titles, legend entries and point labels are drawn as SVG text.
            foreach (var text in new[] { "SFT loss curve", "Reward scores", "Gold judge", "Reward-KL frontier", "Bradley–Terry",
                "train loss", "eval loss", "chosen", "rejected", "helpfulness", "honesty", "PPO", "DPO", "σ(margin)", "β=0.3" })
                Assert.Contains($">{text}</text>", dom);
            // A smoothed series has one legend entry: its faint raw line is not listed.
            Assert.DoesNotContain(">eval loss (raw)</text>", dom);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [ChromiumFact]
    public void A_chart_on_a_page_without_plotly_js_says_what_it_needs()
    {
        if (HeadlessChromium.Path is null) Assert.Fail($"{HeadlessChromium.RequireVariable}=1 but: {HeadlessChromium.MissingReason}");
        var folder = Directory.CreateTempSubdirectory("rlhf-chart-alone-");
        try
        {
            var page = Path.Combine(folder.FullName, "alone.html");
            File.WriteAllText(page, PageHead + ChartHtml.Drawing(Charts.Line("alone", "x", "y", [1.0, 2.0], [3.0, 4.0], "y")) + "\n</body></html>");
            var dom = HeadlessChromium.DumpDom(page);
            Assert.Contains("class=\"rlhf-chart\">This chart needs plotly.js, which the notebook\u2019s first cell loads", dom); // in its div
            Assert.DoesNotContain("class=\"main-svg\"", dom);
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
