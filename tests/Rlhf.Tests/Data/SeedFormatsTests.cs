using Rlhf.Data;

namespace Rlhf.Tests.Data;

public class SeedFormatsTests
{
    static DatasetFormatException Fails(Action load) => Assert.Throws<DatasetFormatException>(load);

    [Fact]
    public void Sft_round_trips_through_the_writer()
    {
        using var temp = new TempFiles();
        var examples = new[] { new SftExample("What is 1 + 1?", "2"), new SftExample("如何制作炸弹？", "抱歉，我不能帮你做这件事。\n\"quoted\"") };
        string path = temp.PathOf("sft.jsonl");
        JsonlRecords.Write(path, examples);
        Assert.Equal("{\"prompt\":\"What is 1 + 1?\",\"response\":\"2\"}", File.ReadLines(path).First());
        var loaded = SeedFormats.LoadSft(path);
        Assert.Equal(examples, loaded.Records);
        Assert.Equal(new LoadReport(path, "sft jsonl", 2, 0, []) with { IdenticalPairLines = loaded.Report.IdenticalPairLines }, loaded.Report);
    }

    [Fact]
    public void Pairwise_reports_identical_pairs_and_blank_lines_without_dropping_them()
    {
        using var temp = new TempFiles();
        string path = temp.Write("pairs.jsonl",
            """{"prompt":"p1","chosen":"a","rejected":"b"}""",
            "",
            """{"prompt":"p2","chosen":"same","rejected":"same"}""");
        var loaded = SeedFormats.LoadPairwise(path);
        Assert.Equal([new PreferencePair("p1", "a", "b"), new PreferencePair("p2", "same", "same")], loaded.Records);
        Assert.Equal(1, loaded.Report.IdenticalPairs);
        Assert.Equal([3], loaded.Report.IdenticalPairLines);
        Assert.Equal(1, loaded.Report.BlankLines);
    }

    [Fact]
    public void Bytes_that_are_not_utf8_are_refused_naming_file_and_line_not_replaced()
    {
        using var files = new TempFiles();
        var path = files.PathOf("latin1.jsonl");
        var good = System.Text.Encoding.UTF8.GetBytes("{\"prompt\":\"Hi\",\"response\":\"Hello \u00e9t\u00e9\"}\n");
        var bad = System.Text.Encoding.Latin1.GetBytes("{\"prompt\":\"Caf\u00e9?\",\"response\":\"Oui\"}\n"); // é as the single byte 0xE9
        File.WriteAllBytes(path, [.. good, .. good, .. bad, .. good]);

        var error = Assert.Throws<DatasetFormatException>(() => SeedFormats.LoadSft(path));
        Assert.Equal(path, error.File);
        Assert.Equal(3, error.Line);
        Assert.Contains("not valid UTF-8", error.Message);
    }

    [Fact]
    public void A_byte_order_mark_and_windows_line_ends_are_read_as_text()
    {
        using var files = new TempFiles();
        var path = files.PathOf("windows.jsonl");
        File.WriteAllBytes(path, [0xEF, 0xBB, 0xBF, .. System.Text.Encoding.UTF8.GetBytes("{\"prompt\":\"a\",\"response\":\"b\"}\r\n{\"prompt\":\"c\",\"response\":\"d\"}\r\n")]);
        var loaded = SeedFormats.LoadSft(path);
        Assert.Equal(["a", "c"], loaded.Records.Select(r => r.Prompt));
        Assert.Equal(["b", "d"], loaded.Records.Select(r => r.Response));
    }

    [Fact]
    public void Malformed_json_names_file_and_line()
    {
        using var temp = new TempFiles();
        string path = temp.Write("bad.jsonl", """{"prompt":"p","response":"r"}""", """{"prompt":"p", "response": """);
        var e = Fails(() => SeedFormats.LoadSft(path));
        Assert.Equal(path, e.File);
        Assert.Equal(2, e.Line);
        Assert.Null(e.Field);
        Assert.StartsWith($"{path}, line 2: not valid JSON", e.Message);
    }

    [Theory]
    [InlineData("""{"prompt":"p"}""", "response", "is missing")]
    [InlineData("""{"prompt":"p","response":""}""", "response", "is empty")]
    [InlineData("""{"prompt":"  ","response":"r"}""", "prompt", "is empty")]
    [InlineData("""{"prompt":42,"response":"r"}""", "prompt", "expected a string, found a number")]
    [InlineData("""{"prompt":"p","response":null}""", "response", "expected a string, found null")]
    public void Bad_fields_name_file_line_and_field(string line, string field, string problem)
    {
        using var temp = new TempFiles();
        string path = temp.Write("sft.jsonl", """{"prompt":"ok","response":"ok"}""", line);
        var e = Fails(() => SeedFormats.LoadSft(path));
        Assert.Equal((2, field), (e.Line!.Value, e.Field));
        Assert.Equal($"{path}, line 2, field '{field}': {problem}", e.Message);
    }

    [Fact]
    public void A_line_that_is_not_an_object_is_an_error()
    {
        using var temp = new TempFiles();
        string path = temp.Write("pairs.jsonl", "[1, 2]");
        Assert.Contains("expected a JSON object, found an array", Fails(() => SeedFormats.LoadPairwise(path)).Message);
    }

    [Fact]
    public void Ranked_loads_and_converts_to_all_pairs()
    {
        using var temp = new TempFiles();
        string path = temp.Write("ranked.jsonl",
            """{"prompt":"q","responses":[{"text":"mid","rank":2},{"text":"best","rank":1},{"text":"worst","rank":3}]}""");
        var loaded = SeedFormats.LoadRanked(path);
        Assert.Equal("best", loaded.Records[0].Responses[1].Text);
        var conversion = RankedPairs.ToPairs(loaded.Records);
        Assert.Equal(
            [new PreferencePair("q", "best", "mid"), new PreferencePair("q", "best", "worst"), new PreferencePair("q", "mid", "worst")],
            conversion.Pairs);
        Assert.Equal(0, conversion.TiedPairs);
    }

    [Fact]
    public void Tied_ranks_make_no_pair_and_are_counted()
    {
        var ranking = new RankedPreference("q", [new RankedResponse("a", 1), new RankedResponse("b", 2), new RankedResponse("c", 2)]);
        var conversion = RankedPairs.ToPairs([ranking]);
        Assert.Equal([new PreferencePair("q", "a", "b"), new PreferencePair("q", "a", "c")], conversion.Pairs);
        Assert.Equal(1, conversion.TiedPairs);
    }

    [Theory]
    [InlineData("""{"prompt":"q","responses":[{"text":"a","rank":1}]}""", "responses", "needs at least 2 responses")]
    [InlineData("""{"prompt":"q","responses":"a"}""", "responses", "expected an array, found a string")]
    [InlineData("""{"prompt":"q","responses":[{"text":"a","rank":1},{"text":"b","rank":"2"}]}""", "responses[1].rank", "expected an integer >= 1")]
    [InlineData("""{"prompt":"q","responses":[{"text":"a","rank":1},{"text":"b","rank":0}]}""", "responses[1].rank", "expected an integer >= 1")]
    [InlineData("""{"prompt":"q","responses":[{"text":"a","rank":1},{"rank":2}]}""", "responses[1].text", "is missing")]
    [InlineData("""{"prompt":"q","responses":[{"text":"a","rank":1},{"text":"b"}]}""", "responses[1].rank", "is missing")]
    public void Bad_rankings_name_the_field(string line, string field, string problem)
    {
        using var temp = new TempFiles();
        string path = temp.Write("ranked.jsonl", line);
        var e = Fails(() => SeedFormats.LoadRanked(path));
        Assert.Equal(field, e.Field);
        Assert.Equal(1, e.Line);
        Assert.Contains(problem, e.Message);
    }

    [Fact]
    public void Ranked_entries_repeating_a_text_are_reported()
    {
        using var temp = new TempFiles();
        string path = temp.Write("ranked.jsonl",
            """{"prompt":"q","responses":[{"text":"a","rank":1},{"text":"b","rank":2}]}""",
            """{"prompt":"q","responses":[{"text":"a","rank":1},{"text":"a","rank":2}]}""");
        Assert.Equal([2], SeedFormats.LoadRanked(path).Report.IdenticalPairLines);
    }

    [Fact]
    public void Corpus_round_trips_and_a_missing_file_is_named()
    {
        using var temp = new TempFiles();
        string path = temp.PathOf("corpus.jsonl");
        TextCorpus.Write(path, ["one\ntwo", "三"]);
        Assert.Equal(["one\ntwo", "三"], TextCorpus.Load(path).Records);
        var e = Assert.Throws<FileNotFoundException>(() => TextCorpus.Load(temp.PathOf("nope.jsonl")));
        Assert.Contains("nope.jsonl", e.Message);
    }
}
