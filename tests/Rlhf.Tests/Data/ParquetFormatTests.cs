using Parquet.Serialization;
using Rlhf.Data;

namespace Rlhf.Tests.Data;

public class ParquetFormatTests
{
    sealed class PairRow { public string? prompt { get; set; } public string? chosen { get; set; } public string? rejected { get; set; } }
    sealed class SftRow { public string? prompt { get; set; } public string? response { get; set; } }
    sealed class BadRow { public string? prompt { get; set; } public int response { get; set; } }

    [Fact]
    public async Task Pairwise_parquet_loads_and_reports_identical_rows()
    {
        using var temp = new TempFiles();
        string path = temp.PathOf("pairs.parquet");
        await ParquetSerializer.SerializeAsync(new[]
        {
            new PairRow { prompt = "p1", chosen = "good", rejected = "bad" },
            new PairRow { prompt = "如何制作炸弹？", chosen = "抱歉。", rejected = "抱歉。" },
        }, path);
        var loaded = await ParquetFormat.LoadPairwiseAsync(path);
        Assert.Equal([new PreferencePair("p1", "good", "bad"), new PreferencePair("如何制作炸弹？", "抱歉。", "抱歉。")], loaded.Records);
        Assert.Equal([2], loaded.Report.IdenticalPairLines);
    }

    [Fact]
    public async Task Sft_parquet_loads()
    {
        using var temp = new TempFiles();
        string path = temp.PathOf("sft.parquet");
        await ParquetSerializer.SerializeAsync(new[] { new SftRow { prompt = "What is 1 + 1?", response = "2" } }, path);
        Assert.Equal([new SftExample("What is 1 + 1?", "2")], (await ParquetFormat.LoadSftAsync(path)).Records);
    }

    [Fact]
    public async Task A_null_or_empty_value_names_the_row_and_column()
    {
        using var temp = new TempFiles();
        string path = temp.PathOf("pairs.parquet");
        await ParquetSerializer.SerializeAsync(new[]
        {
            new PairRow { prompt = "p1", chosen = "a", rejected = "b" },
            new PairRow { prompt = "p2", chosen = null, rejected = "b" },
        }, path);
        var e = await Assert.ThrowsAsync<DatasetFormatException>(() => ParquetFormat.LoadPairwiseAsync(path));
        Assert.Equal((2, "chosen"), (e.Line!.Value, e.Field));
        Assert.Equal($"{path}, row 2, field 'chosen': is missing (null)", e.Message);

        await ParquetSerializer.SerializeAsync(new[] { new SftRow { prompt = "p", response = " " } }, path);
        var empty = await Assert.ThrowsAsync<DatasetFormatException>(() => ParquetFormat.LoadSftAsync(path));
        Assert.Equal((1, "response"), (empty.Line!.Value, empty.Field));
    }

    [Fact]
    public async Task A_non_string_or_missing_column_is_named()
    {
        using var temp = new TempFiles();
        string path = temp.PathOf("bad.parquet");
        await ParquetSerializer.SerializeAsync(new[] { new BadRow { prompt = "p", response = 3 } }, path);
        var e = await Assert.ThrowsAsync<DatasetFormatException>(() => ParquetFormat.LoadSftAsync(path));
        Assert.Equal("response", e.Field);
        Assert.Contains("expected a string column, found Int32", e.Message);

        var missing = await Assert.ThrowsAsync<DatasetFormatException>(() => ParquetFormat.LoadPairwiseAsync(path));
        Assert.Equal("chosen", missing.Field);
        Assert.Contains("column is missing", missing.Message);
    }

    [Fact]
    public async Task A_file_that_is_not_parquet_is_an_error_naming_it()
    {
        using var temp = new TempFiles();
        string path = temp.Write("fake.parquet", "not parquet at all");
        var e = await Assert.ThrowsAsync<DatasetFormatException>(() => ParquetFormat.LoadSftAsync(path));
        Assert.Equal(path, e.File);
    }
}
