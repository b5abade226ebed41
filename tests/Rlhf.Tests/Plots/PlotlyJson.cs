using System.Text.Json;
using System.Text.RegularExpressions;
using Rlhf.Plots;

namespace Rlhf.Tests.Plots;

/// <summary>Reads back the traces and layout a chart's HTML hands to <c>Plotly.newPlot</c>, so tests check what will be drawn.</summary>
static class PlotlyJson
{
    static readonly Regex FigureLiteral = new(@"^\s*var figure = (?<json>.*);\s*$", RegexOptions.Multiline | RegexOptions.CultureInvariant);

    public static (JsonElement[] Traces, JsonElement Layout) Read(Figure chart)
    {
        var match = FigureLiteral.Match(ChartHtml.Drawing(chart));
        Assert.True(match.Success, "the chart HTML has no 'var figure = {...};' drawing script");
        Assert.Equal(chart.ToJson(), match.Groups["json"].Value);
        var figure = JsonDocument.Parse(match.Groups["json"].Value).RootElement;
        var traces = figure.GetProperty("data").EnumerateArray().Select(t => t.Clone()).ToArray();
        return (traces, figure.GetProperty("layout").Clone());
    }

    public static string[] Names(this JsonElement[] traces) => traces.Select(t => t.GetProperty("name").GetString()!).ToArray();

    public static double[] Numbers(this JsonElement trace, string property) =>
        trace.GetProperty(property).EnumerateArray().Select(v => v.GetDouble()).ToArray();

    public static string[] Strings(this JsonElement trace, string property) =>
        trace.GetProperty(property).EnumerateArray().Select(v => v.GetString()!).ToArray();

    public static string Title(this JsonElement layout, string? axis = null) =>
        (axis is null ? layout : layout.GetProperty(axis)).GetProperty("title").GetProperty("text").GetString()!;
}
