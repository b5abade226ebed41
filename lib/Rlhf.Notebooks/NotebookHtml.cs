using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Markdig;

namespace Rlhf.Notebooks;

/// <summary>Renders an executed notebook as one HTML page a learner can open without Jupyter or VS Code: markdown cells
/// as HTML, code cells as code followed by their outputs (HTML outputs as they are, text in &lt;pre&gt;, errors in red).
/// plotly.js comes once, with the notebook's first cell (<c>PlotlyJs.Load()</c>), or with its first chart when that cell
/// did not load it; should a notebook hold another copy, the first serves all charts on the page and the later ones are left out.</summary>
public static class NotebookHtml
{
    static readonly MarkdownPipeline markdown = new MarkdownPipelineBuilder().UseAdvancedExtensions().Build();

    const string Style = """
        <style>
        body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5; }
        pre { background: #f6f8fa; padding: .6rem; overflow-x: auto; font-size: .85rem; }
        pre.code { border-left: 3px solid #1f77b4; }
        pre.error { background: #fdecea; border-left: 3px solid #c0392b; }
        .cell-meta { color: #888; font-size: .75rem; }
        table { border-collapse: collapse; } td, th { border: 1px solid #ddd; padding: .2rem .5rem; }
        </style>
        """;

    /// <summary>The page for the nbformat 4 JSON in <paramref name="executedNotebook"/>, titled <paramref name="title"/>.</summary>
    public static string Render(string executedNotebook, string title)
    {
        var document = NotebookDocument.Parse(executedNotebook, title);
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>").Append(WebUtility.HtmlEncode(title)).Append("</title>")
            .Append(Style).Append("</head><body>\n");
        var plotly = new PlotlyOnce();
        foreach (var cell in document.Cells)
        {
            var source = CellText(cell.Json["source"]);
            if (!cell.IsCode)
            {
                html.Append(Markdown.ToHtml(source, markdown)).Append('\n');
                continue;
            }
            html.Append("<div class=\"cell-meta\">cell ").Append(cell.Number).Append(ExecutionNote(cell.Json)).Append("</div>");
            html.Append("<pre class=\"code\">").Append(WebUtility.HtmlEncode(source)).Append("</pre>\n");
            foreach (var output in cell.Json["outputs"]?.AsArray() ?? [])
                if (output is JsonObject o) AppendOutput(html, o, plotly);
        }
        return html.Append("</body></html>\n").ToString();
    }

    static void AppendOutput(StringBuilder html, JsonObject output, PlotlyOnce plotly)
    {
        switch (output["output_type"]?.GetValue<string>())
        {
            case "stream":
                html.Append("<pre>").Append(WebUtility.HtmlEncode(CellText(output["text"]))).Append("</pre>\n");
                break;
            case "error":
                var traceback = output["traceback"]?.AsArray().Select(t => t?.GetValue<string>() ?? "") ?? [];
                html.Append("<pre class=\"error\">").Append(WebUtility.HtmlEncode($"{output["ename"]}: {output["evalue"]}\n{string.Join('\n', traceback)}")).Append("</pre>\n");
                break;
            default: // display_data, execute_result
                var data = output["data"] as JsonObject;
                if (data?["text/html"] is { } htmlData) html.Append("<div>").Append(plotly.Keep(CellText(htmlData))).Append("</div>\n");
                else if (data?["text/plain"] is { } text) html.Append("<pre>").Append(WebUtility.HtmlEncode(CellText(text))).Append("</pre>\n");
                break;
        }
    }

    /// <summary>Keeps the first copy of plotly.js's script element on the page and removes the later ones.</summary>
    sealed class PlotlyOnce
    {
        readonly string script = Rlhf.Plots.ChartHtml.PlotlyScriptElement;
        bool seen;

        public string Keep(string fragment)
        {
            int kept = seen ? 0 : fragment.IndexOf(script, StringComparison.Ordinal) + script.Length; // end of the first copy
            if (kept < script.Length) return fragment.Replace(script, "", StringComparison.Ordinal);  // seen already, or no copy here
            seen = true;
            return fragment[..kept] + fragment[kept..].Replace(script, "", StringComparison.Ordinal);
        }
    }

    static string ExecutionNote(JsonObject cell)
    {
        var execution = cell["metadata"]?["execution"];
        if (execution?["iopub.execute_input"]?.GetValue<string>() is not { } start ||
            execution["shell.execute_reply"]?.GetValue<string>() is not { } end ||
            !DateTimeOffset.TryParse(start, out var started) || !DateTimeOffset.TryParse(end, out var finished))
            return "";
        return $" · {(finished - started).TotalSeconds:F1} s";
    }

    /// <summary>nbformat stores multi-line text either as one string or as a list of lines.</summary>
    static string CellText(JsonNode? node) => node switch
    {
        JsonArray lines => string.Concat(lines.Select(l => l?.GetValue<string>() ?? "")),
        JsonValue value => value.GetValue<string>(),
        _ => "",
    };
}
