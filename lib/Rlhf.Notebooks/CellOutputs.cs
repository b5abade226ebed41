using System.Text;
using System.Text.Json.Nodes;

namespace Rlhf.Notebooks;

/// <summary>
/// The outputs of one cell, in the order the kernel reported them: console text (merged into one <c>stream</c> output
/// while consecutive writes go to the same stream), displays (replaced in place when the kernel updates them), the
/// cell's result and its error.
/// </summary>
sealed class CellOutputs
{
    readonly Lock gate = new();
    readonly List<object> items = [];

    sealed class Stream(string name)
    {
        public string Name { get; } = name;
        public StringBuilder Text { get; } = new();
    }

    /// <summary>A display's current content; replaced in place when the kernel updates the display with its id.</summary>
    sealed class Display(string? id, IReadOnlyDictionary<string, string> data, int? executionCount)
    {
        public string? Id { get; } = id;

        public IReadOnlyDictionary<string, string> Data { get; set; } = data;

        /// <summary>Set for the cell's result (an <c>execute_result</c>), null for <c>display_data</c>.</summary>
        public int? ExecutionCount { get; } = executionCount;
    }

    sealed record Error(string Name, string Value, IReadOnlyList<string> Traceback);

    /// <summary>Appends console text to <c>stdout</c> or <c>stderr</c>.</summary>
    public void Write(string stream, string text)
    {
        if (text.Length == 0) return;
        lock (gate)
        {
            if (items.Count == 0 || items[^1] is not Stream last || last.Name != stream)
            {
                last = new Stream(stream);
                items.Add(last);
            }
            last.Text.Append(text);
        }
    }

    /// <summary>A new display (<c>display_data</c>) with the kernel's id for it.</summary>
    public void AddDisplay(string? id, IReadOnlyDictionary<string, string> data)
    {
        lock (gate) items.Add(new Display(id, data, null));
    }

    /// <summary>Replaces the content of the display with <paramref name="id"/>; an update for an id not shown yet
    /// appears as a new display, as in VS Code.</summary>
    public void UpdateDisplay(string? id, IReadOnlyDictionary<string, string> data)
    {
        lock (gate)
        {
            if (id is not null && items.OfType<Display>().LastOrDefault(d => d.Id == id) is { } shown) shown.Data = data;
            else items.Add(new Display(id, data, null));
        }
    }

    /// <summary>The cell's value (<c>execute_result</c>).</summary>
    public void AddResult(IReadOnlyDictionary<string, string> data, int executionCount)
    {
        lock (gate) items.Add(new Display(null, data, executionCount));
    }

    /// <summary>True when an error output was recorded.</summary>
    public bool HasError
    {
        get { lock (gate) return items.OfType<Error>().Any(); }
    }

    public void AddError(string name, string value, IReadOnlyList<string> traceback)
    {
        lock (gate) items.Add(new Error(name, value, traceback));
    }

    /// <summary>The outputs as nbformat 4 output objects.</summary>
    public JsonArray ToJson()
    {
        lock (gate)
        {
            var outputs = new JsonArray();
            foreach (var item in items)
            {
                outputs.Add(item switch
                {
                    Stream s => new JsonObject
                    {
                        ["output_type"] = "stream",
                        ["name"] = s.Name,
                        ["text"] = NotebookDocument.WriteMultiline(s.Text.ToString()),
                    },
                    Display { ExecutionCount: { } count } d => new JsonObject
                    {
                        ["output_type"] = "execute_result",
                        ["execution_count"] = count,
                        ["data"] = MimeBundle(d.Data),
                        ["metadata"] = new JsonObject(),
                    },
                    Display d => new JsonObject
                    {
                        ["output_type"] = "display_data",
                        ["data"] = MimeBundle(d.Data),
                        ["metadata"] = new JsonObject(),
                    },
                    Error e => new JsonObject
                    {
                        ["output_type"] = "error",
                        ["ename"] = e.Name,
                        ["evalue"] = e.Value,
                        ["traceback"] = new JsonArray(e.Traceback.Select(line => (JsonNode)JsonValue.Create(line)!).ToArray()),
                    },
                    _ => throw new InvalidOperationException($"unknown output {item.GetType().Name}"),
                });
            }
            return outputs;
        }
    }

    static bool IsJson(string mime) => mime == "application/json" || (mime.StartsWith("application/", StringComparison.Ordinal) && mime.EndsWith("+json", StringComparison.Ordinal));

    static JsonNode? TryParse(string text)
    {
        try { return JsonNode.Parse(text); }
        catch (System.Text.Json.JsonException) { return null; }
    }

    static JsonObject MimeBundle(IReadOnlyDictionary<string, string> data)
    {
        var bundle = new JsonObject();
        // nbformat stores a JSON MIME type (application/json, application/vnd.plotly.v1+json) as the JSON itself, which is what
        // Jupyter's and VS Code's renderers read; other types as text.
        foreach (var (mime, text) in data)
            bundle[mime] = IsJson(mime) && TryParse(text) is { } json ? json : NotebookDocument.WriteMultiline(text);

        return bundle;
    }
}
