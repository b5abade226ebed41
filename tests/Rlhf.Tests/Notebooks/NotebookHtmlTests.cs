using System.Text.Json.Nodes;
using Rlhf.Notebooks;
using Rlhf.Plots;
using Rlhf.Tests.Plots;

namespace Rlhf.Tests.Notebooks;

public class NotebookHtmlTests
{
    static JsonObject ChartCell(string html) => new()
    {
        ["cell_type"] = "code", ["metadata"] = new JsonObject(), ["execution_count"] = 1, ["source"] = "display(chart);",
        ["outputs"] = new JsonArray(new JsonObject
        {
            ["output_type"] = "display_data", ["metadata"] = new JsonObject(), ["data"] = new JsonObject { ["text/html"] = html },
        }),
    };

    static int Count(string text, string part)
    {
        int count = 0;
        for (int at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + part.Length, StringComparison.Ordinal)) count++;
        return count;
    }

    /// <summary>An executed notebook as the course leaves one: plotly.js in the first cell's output, then charts that carry only
    /// their figures, then a chart with its own copy (a notebook whose first cell did not load it).</summary>
    static (string Notebook, string[] Outputs) Executed()
    {
        string[] outputs =
        [
            PlotlyJs.Load().ToHtml(),
            ChartHtml.Drawing(Charts.History("loss", "loss", [3.0, 2.0, 1.0])),
            ChartHtml.Drawing(Charts.History("gold", "gold", [0.1, 0.4])),
            ChartHtml.PlotlyScriptElement + "\n" + ChartHtml.Drawing(Charts.Line("line", "x", "y", [1.0, 2.0], [2.0, 1.0], "y")),
        ];
        var notebook = new JsonObject
        {
            ["nbformat"] = 4, ["nbformat_minor"] = 5, ["metadata"] = new JsonObject(),
            ["cells"] = new JsonArray([.. outputs.Select(ChartCell), ChartCell("<b>no chart here</b>")]),
        };
        return (notebook.ToJsonString(), outputs);
    }

    [Fact]
    public void A_page_keeps_one_copy_of_plotly_js_for_all_its_charts()
    {
        var (notebook, outputs) = Executed();

        var page = NotebookHtml.Render(notebook, "charts");

        string script = ChartHtml.PlotlyScriptElement;
        Assert.Equal(2, outputs.Sum(o => Count(o, script)));
        Assert.Equal(1, Count(page, script));                                  // three charts, one plotly.js
        Assert.True(page.IndexOf(script, StringComparison.Ordinal) < page.IndexOf("class=\"rlhf-chart\"", StringComparison.Ordinal),
            "plotly.js must come before the first chart's div and drawing script");
        Assert.Equal(3, Count(page, "class=\"rlhf-chart\""));                  // every drawing kept
        Assert.Contains("<b>no chart here</b>", page);
        Assert.True(page.Length < script.Length + 30_000, $"page of {page.Length} characters holds more than one plotly.js");
    }

    [ChromiumFact]
    public void A_course_page_draws_every_chart_offline()
    {
        if (HeadlessChromium.Path is null) Assert.Fail($"{HeadlessChromium.RequireVariable}=1 but: {HeadlessChromium.MissingReason}");
        var folder = Directory.CreateTempSubdirectory("rlhf-course-page-");
        try
        {
            var page = Path.Combine(folder.FullName, "01-base-model.html");
            File.WriteAllText(page, NotebookHtml.Render(Executed().Notebook, "01 · base model"));
            var dom = HeadlessChromium.DumpDom(page);
            Assert.Equal(3, System.Text.RegularExpressions.Regex.Matches(dom, "class=\"plot-container plotly\"").Count);
            Assert.True(System.Text.RegularExpressions.Regex.Matches(dom, "class=\"js-line\"[^>]*\\sd=\"M").Count >= 3, "no line was drawn");
            Assert.DoesNotContain("class=\"rlhf-chart\">This chart needs plotly.js", dom); // the note a chart shows in its div
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
