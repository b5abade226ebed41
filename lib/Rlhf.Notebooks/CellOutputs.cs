using System.Text;
using System.Text.Json.Nodes;

namespace Rlhf.Notebooks;

/// <summary>
/// The outputs of one cell, in the order they happened: console text (merged into one <c>stream</c> output
/// while consecutive writes go to the same stream), displays, the cell's result and its error.
/// Thread-safe: cells may print or update displays from other threads (progress callbacks, tasks).
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

    /// <summary>A display's current content; replaced in place by <see cref="DisplayedValue.Update"/>.</summary>
    internal sealed class Display(IReadOnlyDictionary<string, string> data, int? executionCount)
    {
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

    public Display AddDisplay(IReadOnlyDictionary<string, string> data)
    {
        var display = new Display(data, null);
        lock (gate) items.Add(display);
        return display;
    }

    public void Replace(Display display, IReadOnlyDictionary<string, string> data)
    {
        lock (gate) display.Data = data;
    }

    public void AddResult(IReadOnlyDictionary<string, string> data, int executionCount)
    {
        lock (gate) items.Add(new Display(data, executionCount));
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

    static JsonObject MimeBundle(IReadOnlyDictionary<string, string> data)
    {
        var bundle = new JsonObject();
        foreach (var (mime, text) in data) bundle[mime] = NotebookDocument.WriteMultiline(text);
        return bundle;
    }
}
