using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Rlhf.Data;

/// <summary>Line-by-line JSON reading with errors that name file, line and field, and deterministic writing.</summary>
public static class JsonlRecords
{
    static readonly JsonSerializerOptions WriteOptions = new()
    {
        // Keeps Chinese text and '+' readable instead of \uXXXX escapes; quotes and control characters are still escaped.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        WriteIndented = false,
    };

    /// <summary>Writes one JSON object per line, UTF-8 without BOM, '\n' line ends: the same records always give the same bytes.</summary>
    public static void Write<T>(string path, IEnumerable<T> records)
    {
        var text = new StringBuilder();
        foreach (var record in records) text.Append(JsonSerializer.Serialize(record, WriteOptions)).Append('\n');
        File.WriteAllText(path, text.ToString(), new UTF8Encoding(false));
    }

    /// <summary>
    /// Reads every non-blank line of <paramref name="path"/> as a JSON object and turns it into a record
    /// with <paramref name="parse"/> (given the object and the 1-based line number).
    /// </summary>
    public static (List<T> Records, int BlankLines) Read<T>(string path, Func<JsonElement, int, T> parse)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"dataset file not found: {path}", path);
        var records = new List<T>();
        int blank = 0;
        foreach (var (lineNumber, line) in Utf8Lines.Read(path))
        {
            if (string.IsNullOrWhiteSpace(line)) { blank++; continue; }
            JsonDocument document;
            try { document = JsonDocument.Parse(line); }
            catch (JsonException e) { throw new DatasetFormatException(path, lineNumber, null, $"not valid JSON ({e.Message})", inner: e); }
            using (document)
            {
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                    throw new DatasetFormatException(path, lineNumber, null, $"expected a JSON object, found {Describe(document.RootElement.ValueKind)}");
                records.Add(parse(document.RootElement, lineNumber));
            }
        }
        return (records, blank);
    }

    /// <summary>The non-empty string value of <paramref name="field"/>, or an error naming file, line and field.</summary>
    public static string RequireString(JsonElement record, string field, string path, int line, string? fieldPath = null)
    {
        fieldPath ??= field;
        if (!record.TryGetProperty(field, out var value)) throw new DatasetFormatException(path, line, fieldPath, "is missing");
        if (value.ValueKind != JsonValueKind.String)
            throw new DatasetFormatException(path, line, fieldPath, $"expected a string, found {Describe(value.ValueKind)}");
        string text = value.GetString()!;
        if (string.IsNullOrWhiteSpace(text)) throw new DatasetFormatException(path, line, fieldPath, "is empty");
        return text;
    }

    /// <summary>The array value of <paramref name="field"/>, or an error naming file, line and field.</summary>
    public static JsonElement RequireArray(JsonElement record, string field, string path, int line)
    {
        if (!record.TryGetProperty(field, out var value)) throw new DatasetFormatException(path, line, field, "is missing");
        if (value.ValueKind != JsonValueKind.Array)
            throw new DatasetFormatException(path, line, field, $"expected an array, found {Describe(value.ValueKind)}");
        return value;
    }

    /// <summary>"a string", "a number", ... for messages.</summary>
    public static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => kind.ToString(),
    };
}
