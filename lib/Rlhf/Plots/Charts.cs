using Microsoft.FSharp.Core;
using Plotly.NET;
using Plotly.NET.CSharp;
using Chart = Plotly.NET.Chart;

namespace Rlhf.Plots;

/// <summary>
/// The charts a learner needs through the course, each a small function from plain C# data to a
/// Plotly.NET <see cref="GenericChart"/> with a title and axis labels. Display one in a notebook with
/// <c>display(chart)</c>, or turn it into offline HTML with <see cref="ChartHtml.ToHtml"/>.
/// </summary>
public static partial class Charts
{
    /// <summary>Chart width in pixels: wide enough for a training curve, narrow enough for a notebook column.</summary>
    public const int Width = 760;

    /// <summary>Chart height in pixels.</summary>
    public const int Height = 420;

    /// <summary>Sets the chart's title and both axis titles.</summary>
    static GenericChart Titled(GenericChart chart, string title, string xLabel, string yLabel)
    {
        RequireText(title, nameof(title));
        RequireText(xLabel, nameof(xLabel));
        RequireText(yLabel, nameof(yLabel));
        chart = Chart.withTitle(title, FSharpOption<Font>.None).Invoke(chart);
        return chart
            .WithXAxisStyle<double, double, string>(TitleText: xLabel)
            .WithYAxisStyle<double, double, string>(TitleText: yLabel)
            .WithSize(Width: Width, Height: Height);
    }

    static void RequireText(string text, string parameter)
    {
        if (string.IsNullOrWhiteSpace(text))
            throw new ArgumentException($"{parameter} is empty: a chart needs its title, axis labels and series names to be read", parameter);
    }

    static void RequireUniqueNames(IEnumerable<string> names, string parameter)
    {
        var duplicate = names.GroupBy(n => n).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new ArgumentException($"two series are both named '{duplicate.Key}'; each needs its own legend entry", parameter);
    }
}
