using System.Text.Json.Nodes;
using Rlhf.Notebooks;
using Rlhf.Plots;

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

    [Fact]
    public void A_page_keeps_one_copy_of_plotly_js_for_all_its_charts()
    {
        var first = ChartHtml.ToHtml(Charts.History("loss", "loss", [3.0, 2.0, 1.0]));
        var second = ChartHtml.ToHtml(Charts.History("gold", "gold", [0.1, 0.4]));
        var notebook = new JsonObject
        {
            ["nbformat"] = 4, ["nbformat_minor"] = 5, ["metadata"] = new JsonObject(),
            ["cells"] = new JsonArray(ChartCell(first), ChartCell(second), ChartCell("<b>no chart here</b>")),
        };

        var page = NotebookHtml.Render(notebook.ToJsonString(), "charts");

        string script = ChartHtml.PlotlyScriptElement;
        Assert.Equal(1, Count(first, script));
        Assert.Equal(1, Count(page, script));                                  // two charts, one plotly.js
        Assert.True(page.IndexOf(script, StringComparison.Ordinal) < page.IndexOf("id=\"", StringComparison.Ordinal),
            "plotly.js must come before the first chart's div and drawing script");
        string drawing = "Plotly.newPlot(";
        Assert.Equal(Count(first, drawing) + Count(second, drawing) - Count(script, drawing), Count(page, drawing)); // both drawings kept
        Assert.Contains("<b>no chart here</b>", page);
        Assert.True(page.Length < first.Length + second.Length - script.Length / 2, $"page of {page.Length} characters still holds two copies");
    }
}
