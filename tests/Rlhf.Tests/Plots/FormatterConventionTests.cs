using System.Collections;
using System.Reflection;
using Rlhf.Plots;
using Rlhf.Training;

namespace Rlhf.Tests.Plots;

/// <summary>
/// The library's displays reach a .NET Interactive kernel through the kernel's convention alone (Rlhf.dll does not
/// reference the kernel). <see cref="KernelFormat"/> follows it the way the kernel's formatter does, by names only.
/// </summary>
public class FormatterConventionTests
{
    static readonly HtmlTable Table = HtmlTable.FromPairs("SFT", [KeyValuePair.Create("loss", 1.25), KeyValuePair.Create("accuracy", 0.5)]);
    static readonly Figure Chart = Charts.History("SFT loss", "loss", [3.0, 2.0, 1.5]);

    /// <summary>What the kernel finds for <paramref name="value"/> and <paramref name="mimeType"/>: the first attribute
    /// <em>named</em> TypeFormatterSourceAttribute on the type (inherited ones too), its source created with
    /// Activator.CreateInstance, CreateTypeFormatters() called, and the formatter whose MimeType and Type match asked to
    /// Format(object, TextWriter). Returns the preferred MIME types and the text written (null when nothing handled it).</summary>
    static (string[]? Preferred, string? Text) KernelFormat(object value, string mimeType)
    {
        var attribute = value.GetType().GetCustomAttributes(true).FirstOrDefault(a => a.GetType().Name == "TypeFormatterSourceAttribute");
        Assert.NotNull(attribute);
        var sourceType = (Type)attribute.GetType().GetProperty("FormatterSourceType")!.GetValue(attribute)!;
        var preferred = (string[]?)attribute.GetType().GetProperty("PreferredMimeTypes")?.GetValue(attribute);

        var source = Activator.CreateInstance(sourceType)!;
        var formatters = (IEnumerable)sourceType.GetMethod("CreateTypeFormatters")!.Invoke(source, [])!;
        foreach (var formatter in formatters)
        {
            var type = formatter.GetType();
            if ((string?)type.GetProperty("MimeType")!.GetValue(formatter) != mimeType) continue;
            if (!((Type)type.GetProperty("Type")!.GetValue(formatter)!).IsAssignableFrom(value.GetType())) continue;
            using var writer = new StringWriter();
            var handled = (bool)type.GetMethod("Format", [typeof(object), typeof(TextWriter)])!.Invoke(formatter, [value, writer])!;
            if (handled) return (preferred, writer.ToString());
        }
        return (preferred, null);
    }

    [Fact]
    public void Every_html_display_of_the_library_carries_the_kernels_attribute()
    {
        var displays = typeof(IHtmlDisplay).Assembly.GetTypes()
            .Where(t => t.IsClass && !t.IsAbstract && typeof(IHtmlDisplay).IsAssignableFrom(t))
            .ToList();

        Assert.Contains(typeof(Figure), displays);
        Assert.Contains(typeof(HtmlTable), displays);
        Assert.Contains(typeof(LiveTrainingView), displays);
        var missing = displays.Where(t => !t.GetCustomAttributes(true).Any(a => a.GetType().Name == "TypeFormatterSourceAttribute"));
        Assert.Empty(missing.Select(t => t.FullName));
    }

    [Fact]
    public void The_kernel_convention_gives_a_tables_html_and_text()
    {
        var (preferred, html) = KernelFormat(Table, "text/html");
        Assert.Equal(["text/html"], preferred!);
        Assert.Equal(Table.ToHtml(), html);
        Assert.Equal(Table.ToString(), KernelFormat(Table, "text/plain").Text);
        Assert.Contains("accuracy", Table.ToString());
    }

    [Fact]
    public void The_kernel_convention_gives_a_charts_html_drawing_and_its_plotly_json()
    {
        var (preferred, html) = KernelFormat(Chart, "text/html");
        Assert.Equal(["text/html", NotebookFormatterSource.PlotlyMimeType], preferred!);
        // Each rendering draws into a fresh div id, so compare with the id taken out; plotly.js may come first (the first
        // chart of a process whose notebook did not load it).
        static string WithoutIds(string text) => System.Text.RegularExpressions.Regex.Replace(text, "rlhf-chart-[0-9a-f]{32}", "rlhf-chart-ID");
        Assert.EndsWith(WithoutIds(ChartHtml.Drawing(Chart)), WithoutIds(html!));
        Assert.Equal(Chart.ToJson(), KernelFormat(Chart, NotebookFormatterSource.PlotlyMimeType).Text);
        Assert.Equal("chart \"SFT loss\" (1 trace)", KernelFormat(Chart, "text/plain").Text);
        Assert.Null(KernelFormat(Table, NotebookFormatterSource.PlotlyMimeType).Text); // the plotly formatter is for figures only
    }

    [Fact]
    public void A_live_view_inherits_the_attribute_and_shows_its_status_as_text()
    {
        var view = new LiveTrainingView("SFT", _ => { });
        view.OnStart(0, 40);

        Assert.Equal(view.ToHtml(), KernelFormat(view, "text/html").Text);
        Assert.Equal("SFT: 0 of 40 steps", KernelFormat(view, "text/plain").Text);
    }

    [Fact]
    public void Other_values_and_mime_types_are_left_to_the_kernel()
    {
        Assert.Null(KernelFormat(Table, "application/json").Text);
        var formatter = new NotebookFormatterSource().CreateTypeFormatters().First();
        using var writer = new StringWriter();
        Assert.False(formatter.Format("not a display", writer));
        Assert.Equal("", writer.ToString());
    }
}
