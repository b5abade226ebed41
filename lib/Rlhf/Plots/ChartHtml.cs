using Microsoft.FSharp.Core;
using Plotly.NET;

namespace Rlhf.Plots;

/// <summary>Renders Plotly.NET charts as HTML that works offline (plotly.js embedded, not fetched from a CDN).</summary>
public static class ChartHtml
{
    /// <summary>An HTML fragment (a div and its script, with plotly.js inline) that draws <paramref name="chart"/>.</summary>
    public static string ToHtml(GenericChart chart)
    {
        var embedded = DisplayOptions.init(
            FSharpOption<string>.None, FSharpOption<string>.None, FSharpOption<string>.None, FSharpOption<Giraffe.ViewEngine.HtmlElements.XmlNode>.None,
            null, null, FSharpOption<PlotlyJSReference>.Some(PlotlyJSReference.Full));
        return GenericChart.toChartHTML(Chart.withDisplayOptions(embedded).Invoke(chart));
    }
}
