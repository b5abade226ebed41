namespace Rlhf.Data;

/// <summary>A dataset file that cannot be read as its format says, with the file, the line (or row) and the field at fault.</summary>
public sealed class DatasetFormatException : Exception
{
    /// <summary>The file.</summary>
    public string File { get; }

    /// <summary>The 1-based line (jsonl) or row (parquet), or null when the problem is not in one record (a column's type).</summary>
    public int? Line { get; }

    /// <summary>The field (JSON path such as <c>responses[1].rank</c>, or a column), or null when the whole record is at fault.</summary>
    public string? Field { get; }

    /// <summary>An error at <paramref name="file"/>, <paramref name="line"/>, <paramref name="field"/>: <paramref name="problem"/>.</summary>
    public DatasetFormatException(string file, int? line, string? field, string problem, string unit = "line", Exception? inner = null)
        : base(Describe(file, line, field, problem, unit), inner)
    {
        File = file;
        Line = line;
        Field = field;
    }

    static string Describe(string file, int? line, string? field, string problem, string unit) =>
        file + (line is { } l ? $", {unit} {l}" : "") + (field is null ? "" : $", field '{field}'") + ": " + problem;
}
