namespace Rlhf.Data;

/// <summary>A pretraining corpus as jsonl, one document per line: <c>{"text": "..."}</c> (the HF convention).</summary>
public static class TextCorpus
{
    /// <summary>Loads the documents of <paramref name="path"/>.</summary>
    public static Loaded<string> Load(string path)
    {
        var (records, blank) = JsonlRecords.Read(path, (o, line) => JsonlRecords.RequireString(o, "text", path, line));
        return new(records, new LoadReport(path, "text jsonl", records.Count, blank, []));
    }

    /// <summary>Writes <paramref name="documents"/> as <c>{"text"}</c> lines.</summary>
    public static void Write(string path, IEnumerable<string> documents) =>
        JsonlRecords.Write(path, documents.Select(d => new TextDocument(d)));

    sealed record TextDocument([property: System.Text.Json.Serialization.JsonPropertyName("text")] string Text);
}
