using System.Text.Json;
using System.Text.Json.Nodes;

namespace Rlhf.Plots;

/// <summary>
/// A plotly.js figure: its traces (one JSON object per line, bar group, histogram...) and its layout (titles, axes,
/// size), exactly as <c>Plotly.newPlot(div, data, layout)</c> takes them. The <see cref="Charts"/> functions build
/// figures; <see cref="ToHtml"/> draws one offline through <see cref="ChartHtml"/>.
/// </summary>
/// <remarks>
/// The figure is fixed when it is built: the constructor copies the JSON, so changing the objects passed in
/// afterwards changes nothing, and the accessors hand out read-only <see cref="JsonElement"/>s.
/// JSON has no NaN or infinity, so a non-finite number (a diverged loss, say) is written as <c>null</c>, which
/// plotly.js draws as a gap in the line.
/// </remarks>
[TypeFormatterSource(typeof(NotebookFormatterSource), PreferredMimeTypes = new[] { "text/html", NotebookFormatterSource.PlotlyMimeType })]
public sealed class Figure : IHtmlDisplay
{
    readonly string json;
    readonly JsonElement root;

    /// <summary>A figure of <paramref name="traces"/> (the plotly.js <c>data</c> array) laid out by <paramref name="layout"/>.</summary>
    public Figure(IEnumerable<JsonObject> traces, JsonObject layout)
    {
        ArgumentNullException.ThrowIfNull(traces);
        ArgumentNullException.ThrowIfNull(layout);
        var data = new JsonArray(traces.Select(t => FiniteCopy(t ?? throw new ArgumentException("a trace is null", nameof(traces)))).ToArray());
        // The default encoder escapes <, >, & and quotes as \uXXXX, so the JSON can sit inside a <script> element as is.
        json = new JsonObject { ["data"] = data, ["layout"] = FiniteCopy(layout) }.ToJsonString();
        root = JsonSerializer.Deserialize<JsonElement>(json);
    }

    /// <summary>The traces, in drawing order (the plotly.js <c>data</c> array).</summary>
    public IReadOnlyList<JsonElement> Traces => root.GetProperty("data").EnumerateArray().ToArray();

    /// <summary>The layout: title, axis titles, size, bar mode.</summary>
    public JsonElement Layout => root.GetProperty("layout");

    /// <summary>The figure's title (<c>layout.title.text</c>), or an empty string when it has none.</summary>
    public string Title =>
        Layout.TryGetProperty("title", out var title) && title.ValueKind == JsonValueKind.Object &&
        title.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String ? text.GetString()! : "";

    /// <summary>The figure as plotly.js JSON, <c>{"data":[...],"layout":{...}}</c>: culture-independent, non-finite numbers as <c>null</c>.</summary>
    public string ToJson() => json;

    /// <inheritdoc />
    public string ToHtml() => ChartHtml.ToHtml(this);

    /// <summary>A one-line description for text output, e.g. <c>chart "SFT loss" (2 traces)</c>.</summary>
    public override string ToString()
    {
        int traces = root.GetProperty("data").GetArrayLength();
        return $"chart \"{Title}\" ({traces} trace{(traces == 1 ? "" : "s")})";
    }

    /// <summary>A deep copy of <paramref name="node"/> in which every NaN or infinite number is JSON <c>null</c>.</summary>
    static JsonNode? FiniteCopy(JsonNode? node) => node switch
    {
        null => null,
        JsonObject o => new JsonObject(o.Select(p => KeyValuePair.Create(p.Key, FiniteCopy(p.Value)))),
        JsonArray a => new JsonArray(a.Select(FiniteCopy).ToArray()),
        JsonValue v when v.TryGetValue(out double d) && !double.IsFinite(d) => null,
        JsonValue v when v.TryGetValue(out float f) && !float.IsFinite(f) => null,
        _ => node.DeepClone(),
    };
}
