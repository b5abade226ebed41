using Parquet;
using Parquet.Schema;

namespace Rlhf.Data;

/// <summary>
/// Parquet files (how Hugging Face publishes datasets) with the seed's columns: <c>prompt, response</c> for
/// SFT, <c>prompt, chosen, rejected</c> for preferences; every column a string column.
/// </summary>
public static class ParquetFormat
{
    /// <summary>Loads SFT examples from the <c>prompt</c> and <c>response</c> columns.</summary>
    public static async Task<Loaded<SftExample>> LoadSftAsync(string path)
    {
        var columns = await ReadStringColumnsAsync(path, ["prompt", "response"]);
        var records = Enumerable.Range(0, columns[0].Length).Select(row => new SftExample(columns[0][row], columns[1][row])).ToList();
        return new(records, new LoadReport(path, "sft parquet", records.Count, 0, []));
    }

    /// <summary>Loads preferences from the <c>prompt</c>, <c>chosen</c> and <c>rejected</c> columns; identical pairs are reported by row.</summary>
    public static async Task<Loaded<PreferencePair>> LoadPairwiseAsync(string path)
    {
        var columns = await ReadStringColumnsAsync(path, ["prompt", "chosen", "rejected"]);
        var records = Enumerable.Range(0, columns[0].Length).Select(row => new PreferencePair(columns[0][row], columns[1][row], columns[2][row])).ToList();
        var identical = Enumerable.Range(0, records.Count).Where(i => records[i].Chosen == records[i].Rejected).Select(i => i + 1).ToList();
        return new(records, new LoadReport(path, "pairwise parquet", records.Count, 0, identical));
    }

    /// <summary>The named string columns, each as one array over all row groups; a missing, non-string, null or empty value is an error naming the row (1-based).</summary>
    static async Task<string[][]> ReadStringColumnsAsync(string path, string[] names)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"dataset file not found: {path}", path);
        using var stream = File.OpenRead(path);
        ParquetReader reader;
        try { reader = await ParquetReader.CreateAsync(stream); }
        catch (Exception e) when (e is IOException or InvalidDataException or NotSupportedException or Parquet.ParquetException)
        {
            throw new DatasetFormatException(path, null, null, $"not a readable parquet file ({e.Message})", inner: e);
        }
        await using (reader)
        {
            var fields = reader.Schema.GetDataFields();
            var wanted = names.Select(name =>
            {
                var field = fields.FirstOrDefault(f => f.Name == name)
                    ?? throw new DatasetFormatException(path, null, name, $"column is missing (columns: {string.Join(", ", fields.Select(f => f.Name))})", "row");
                if ((field.ClrType != typeof(string) && field.ClrType != typeof(ReadOnlyMemory<char>)) || field.IsArray)
                    throw new DatasetFormatException(path, null, name, $"expected a string column, found {field.ClrType.Name}{(field.IsArray ? "[]" : "")}", "row");
                return field;
            }).ToArray();

            var columns = names.Select(_ => new List<string>()).ToArray();
            int firstRow = 1;
            for (int group = 0; group < reader.RowGroupCount; group++)
            {
                using var rowGroup = reader.OpenRowGroupReader(group);
                int rows = checked((int)rowGroup.RowCount);
                for (int c = 0; c < wanted.Length; c++)
                {
                    var values = new string?[rows];
                    await rowGroup.ReadAsync(wanted[c], values.AsMemory());
                    for (int row = 0; row < rows; row++)
                    {
                        if (values[row] is null) throw new DatasetFormatException(path, firstRow + row, names[c], "is missing (null)", "row");
                        if (string.IsNullOrWhiteSpace(values[row])) throw new DatasetFormatException(path, firstRow + row, names[c], "is empty", "row");
                    }
                    columns[c].AddRange(values!);
                }
                firstRow += rows;
            }
            return columns.Select(c => c.ToArray()).ToArray();
        }
    }
}
