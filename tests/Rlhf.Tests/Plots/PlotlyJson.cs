using System.Text.Json;
using System.Text.RegularExpressions;
using Plotly.NET;
using Rlhf.Plots;

namespace Rlhf.Tests.Plots;

/// <summary>Reads back the traces and layout a chart's HTML hands to <c>Plotly.newPlot</c>, so tests check what will be drawn.</summary>
static class PlotlyJson
{
    static readonly Regex DataAndLayout = new(@"var data = (?<data>.*?);\s*\n\s*var layout = (?<layout>.*?);\s*\n\s*var config",
        RegexOptions.Singleline | RegexOptions.CultureInvariant);

    public static (JsonElement[] Traces, JsonElement Layout) Read(GenericChart chart)
    {
        var html = ChartHtml.ToHtml(chart);
        var match = DataAndLayout.Match(html, html.LastIndexOf("var data = ", StringComparison.Ordinal));
        Assert.True(match.Success, "the chart HTML has no 'var data = ...; var layout = ...;' drawing script");
        var traces = JsonDocument.Parse(match.Groups["data"].Value).RootElement.EnumerateArray().Select(t => t.Clone()).ToArray();
        var layout = JsonDocument.Parse(match.Groups["layout"].Value).RootElement.Clone();
        return (traces, layout);
    }

    public static string[] Names(this JsonElement[] traces) => traces.Select(t => t.GetProperty("name").GetString()!).ToArray();

    public static double[] Numbers(this JsonElement trace, string property) =>
        trace.GetProperty(property).EnumerateArray().Select(v => v.GetDouble()).ToArray();

    public static string[] Strings(this JsonElement trace, string property) =>
        trace.GetProperty(property).EnumerateArray().Select(v => v.GetString()!).ToArray();

    public static string Title(this JsonElement layout, string? axis = null) =>
        (axis is null ? layout : layout.GetProperty(axis)).GetProperty("title").GetProperty("text").GetString()!;
}
