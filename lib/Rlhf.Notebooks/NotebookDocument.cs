using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Rlhf.Notebooks;

/// <summary>
/// A Jupyter notebook (nbformat 4) held as its JSON tree, so everything the runner does not change
/// (markdown cells, metadata it does not know) is written back exactly as it was read.
/// </summary>
sealed class NotebookDocument
{
    static readonly JsonSerializerOptions writeOptions = new()
    {
        WriteIndented = true,
        IndentSize = 1, // as Jupyter writes notebooks
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // keep HTML readable: no \u003C for '<'
    };

    NotebookDocument(string path, JsonObject root, IReadOnlyList<NotebookCell> cells)
    {
        Path = path;
        Root = root;
        Cells = cells;
    }

    /// <summary>Where the notebook was read from.</summary>
    public string Path { get; }

    /// <summary>The whole notebook.</summary>
    public JsonObject Root { get; }

    /// <summary>Every cell, markdown and code, in order.</summary>
    public IReadOnlyList<NotebookCell> Cells { get; }

    /// <summary>The notebook-level <c>metadata</c> object (created if missing).</summary>
    public JsonObject Metadata => ObjectAt(Root, "metadata");

    public static NotebookDocument Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new NotebookFormatException($"{path}: cannot read the notebook: {e.Message}", e);
        }
        return Parse(text, path);
    }

    public static NotebookDocument Parse(string json, string path)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(json);
        }
        catch (JsonException e)
        {
            throw new NotebookFormatException($"{path}:{(e.LineNumber ?? 0) + 1}: not valid JSON: {e.Message}", e);
        }
        if (node is not JsonObject root) throw new NotebookFormatException($"{path}: the top level is not a JSON object, so this is not a notebook");
        if (root["nbformat"] is not JsonValue format || !format.TryGetValue(out int major) || major != 4)
            throw new NotebookFormatException($"{path}: field 'nbformat' must be 4 (got {root["nbformat"]?.ToJsonString() ?? "nothing"}); only nbformat 4 notebooks are supported");
        if (root["cells"] is not JsonArray cellArray) throw new NotebookFormatException($"{path}: field 'cells' must be an array");

        var cells = new List<NotebookCell>();
        for (int i = 0; i < cellArray.Count; i++)
        {
            if (cellArray[i] is not JsonObject cell) throw new NotebookFormatException($"{path}: cell {i + 1} is not a JSON object");
            if (cell["cell_type"] is not JsonValue type || !type.TryGetValue(out string? cellType))
                throw new NotebookFormatException($"{path}: cell {i + 1} has no string field 'cell_type'");
            cells.Add(new NotebookCell(i + 1, cellType, ReadMultiline(cell["source"], $"{path}: cell {i + 1}, field 'source'"), cell));
        }
        return new NotebookDocument(path, root, cells);
    }

    /// <summary>The notebook as JSON text, indented like Jupyter writes it.</summary>
    public string ToJson() => Root.ToJsonString(writeOptions) + "\n";

    /// <summary>nbformat's "multiline string": a string, or an array of strings to concatenate.</summary>
    public static string ReadMultiline(JsonNode? node, string where) => node switch
    {
        null => "",
        JsonValue value when value.TryGetValue(out string? text) => text,
        JsonArray parts => string.Concat(parts.Select((p, i) => p is JsonValue v && v.TryGetValue(out string? s)
            ? s
            : throw new NotebookFormatException($"{where}: element {i} is not a string"))),
        _ => throw new NotebookFormatException($"{where}: must be a string or an array of strings"),
    };

    /// <summary>Writes text as nbformat writes multiline strings: one array element per line, each keeping its '\n'.</summary>
    public static JsonArray WriteMultiline(string text)
    {
        var lines = new JsonArray();
        int start = 0;
        while (start < text.Length)
        {
            int end = text.IndexOf('\n', start);
            end = end < 0 ? text.Length : end + 1;
            lines.Add(text[start..end]);
            start = end;
        }
        return lines;
    }

    /// <summary>The string in <paramref name="node"/>, or null when it is missing or not a string.</summary>
    public static string? StringAt(JsonNode? node) => node is JsonValue value && value.TryGetValue(out string? text) ? text : null;

    /// <summary>The object at <paramref name="name"/> in <paramref name="parent"/>, created when missing.</summary>
    public static JsonObject ObjectAt(JsonObject parent, string name)
    {
        if (parent[name] is JsonObject existing) return existing;
        var created = new JsonObject();
        parent[name] = created;
        return created;
    }
}

/// <summary>One cell of a notebook.</summary>
/// <param name="Number">1-based position in the notebook, counting markdown cells too (as an editor shows it).</param>
/// <param name="CellType"><c>code</c>, <c>markdown</c> or <c>raw</c>.</param>
/// <param name="Source">The cell's text.</param>
/// <param name="Json">The cell's JSON object in the notebook (outputs are written into it).</param>
sealed record NotebookCell(int Number, string CellType, string Source, JsonObject Json)
{
    public bool IsCode => CellType == "code";

    /// <summary>The Polyglot kernel the cell is for (<c>metadata.polyglot_notebook.kernelName</c>, else
    /// <c>metadata.dotnet_interactive.language</c>), or null when the cell does not say.</summary>
    public string? KernelName =>
        NotebookDocument.StringAt(Json["metadata"]?["polyglot_notebook"]?["kernelName"])
        ?? NotebookDocument.StringAt(Json["metadata"]?["dotnet_interactive"]?["language"]);

    /// <summary>The first non-blank line of the cell, after a <c>#!csharp</c> line (what an error report quotes to identify it).</summary>
    public string FirstLine => Source.Split('\n').Select(l => l.Trim())
        .FirstOrDefault(l => l.Length > 0 && !l.Equals("#!csharp", StringComparison.OrdinalIgnoreCase) && !l.Equals("#!c#", StringComparison.OrdinalIgnoreCase))
        ?? "(empty cell)";
}
