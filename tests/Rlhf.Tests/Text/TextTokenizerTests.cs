using System.Text.Json.Nodes;
using Rlhf.Text;
using static Rlhf.Tests.Text.TinyGpt2Folder;

namespace Rlhf.Tests.Text;

public class TextTokenizerTests
{
    [Fact]
    public void A_gpt2_layout_folder_loads_with_pad_added_after_the_last_id()
    {
        var tokenizer = TinyGpt2Folder.Load();
        Assert.Equal(EndOfTextId, tokenizer.EndOfTextId);
        Assert.Equal(EndOfTextId + 1, tokenizer.PadId);
        Assert.Equal(EndOfTextId + 2, tokenizer.VocabularySize);
        Assert.Equal("<|pad|>", tokenizer.PadToken);
    }

    [Fact]
    public void Gpt2_merges_apply_in_rank_order()
    {
        var tokenizer = TinyGpt2Folder.Load();
        Assert.Equal(new[] { 258 }, tokenizer.Encode(" the"));                 // Ġ t -> Ġt, h e -> he, Ġt he -> Ġthe
        Assert.Equal(new[] { Ascii('t'), 257 }, tokenizer.Encode("the"));      // no "Ġ" so only h e
        Assert.Equal(new[] { 259, Ascii('c') }, tokenizer.Encode("abc"));      // "a b" ranks before "b c"

        var bcFirst = TextTokenizer.Load(Create(mergeOrder: ["b c", "a b", "Ġ t", "h e", "Ġt he"]));
        Assert.Equal(new[] { Ascii('a'), 260 }, bcFirst.Encode("abc"));
    }

    [Theory]
    [InlineData("你好，世界！")]
    [InlineData("🙂👍🏽 emoji, ZWJ 👩‍👩‍👧")]
    [InlineData("naïve café — ½ ∑")]
    [InlineData("control \0\u0001\t\r\n chars")]
    [InlineData("  leading and trailing spaces  ")]
    [InlineData("")]
    public void Any_utf8_text_round_trips(string text)
    {
        var tokenizer = TinyGpt2Folder.Load();
        Assert.Equal(text, tokenizer.Decode(tokenizer.Encode(text)));
    }

    [Fact]
    public void Chinese_is_encoded_as_its_utf8_bytes()
    {
        var tokenizer = TinyGpt2Folder.Load();
        // 中 = E4 B8 AD. E4 and B8 are printable Latin-1 (ids = position in GPT-2's order), AD is moved.
        var ids = tokenizer.Encode("中");
        Assert.Equal(["ä", "¸", "Ń"], ids.Select(tokenizer.TokenText));
    }

    [Fact]
    public void Special_token_text_inside_input_is_ordinary_text()
    {
        var tokenizer = TinyGpt2Folder.Load();
        var text = "a<|endoftext|>b<|pad|>";
        var ids = tokenizer.Encode(text);
        Assert.DoesNotContain(tokenizer.EndOfTextId, ids);
        Assert.DoesNotContain(tokenizer.PadId, ids);
        Assert.Equal(text, tokenizer.Decode(ids));

        Assert.Equal("<|endoftext|>", tokenizer.Decode([tokenizer.EndOfTextId]));
        Assert.Equal("hi", tokenizer.Decode([Ascii('h'), tokenizer.EndOfTextId, Ascii('i'), tokenizer.PadId], skipSpecialTokens: true));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => tokenizer.Decode([tokenizer.VocabularySize]));
        Assert.Contains("263", e.Message);
    }

    [Fact]
    public void Save_then_load_gives_the_same_ids_and_hf_readable_files()
    {
        var tokenizer = TinyGpt2Folder.Load();
        var folder = Create() + "-saved";
        tokenizer.Save(folder);

        Assert.Equal(TokenizerFiles.MergesHeader, File.ReadLines(Path.Combine(folder, "merges.txt")).First());
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "tokenizer_config.json")))!;
        Assert.Equal("<|endoftext|>", (string?)config["eos_token"]);
        Assert.Equal("<|pad|>", (string?)config["pad_token"]);
        Assert.Equal("<|pad|>", (string?)config["added_tokens_decoder"]!["262"]!["content"]);

        var again = TextTokenizer.Load(folder);
        Assert.Equal(tokenizer.Vocabulary.Tokens, again.Vocabulary.Tokens);
        Assert.Equal(tokenizer.Vocabulary.Merges, again.Vocabulary.Merges);
        Assert.Equal((tokenizer.EndOfTextId, tokenizer.PadId), (again.EndOfTextId, again.PadId));
        var text = "the abc 中文";
        Assert.Equal(tokenizer.Encode(text), again.Encode(text));
    }

    [Fact]
    public void A_config_can_name_the_special_tokens_and_add_pad_beyond_vocab_json()
    {
        var folder = Create();
        File.WriteAllText(Path.Combine(folder, "tokenizer_config.json"), """
            { "eos_token": { "content": "<|endoftext|>" }, "pad_token": "[PAD]",
              "added_tokens_decoder": { "262": { "content": "[PAD]", "special": true } } }
            """);
        var tokenizer = TextTokenizer.Load(folder);
        Assert.Equal(262, tokenizer.PadId);
        Assert.Equal("[PAD]", tokenizer.PadToken);
    }

    [Fact]
    public void Hf_gpt2s_own_config_with_a_null_pad_token_loads()
    {
        var folder = Create();
        File.WriteAllText(Path.Combine(folder, "tokenizer_config.json"), """
            { "add_prefix_space": false, "bos_token": "<|endoftext|>", "eos_token": "<|endoftext|>", "pad_token": null,
              "model_max_length": 1024, "tokenizer_class": "GPT2Tokenizer", "unk_token": "<|endoftext|>",
              "added_tokens_decoder": { "261": { "content": "<|endoftext|>", "special": true } } }
            """);
        var tokenizer = TextTokenizer.Load(folder);
        Assert.Equal((261, 262, 263), (tokenizer.EndOfTextId, tokenizer.PadId, tokenizer.VocabularySize));
    }

    [Fact]
    public void Missing_files_are_named()
    {
        var folder = Create();
        File.Delete(Path.Combine(folder, "merges.txt"));
        var e = Assert.Throws<FileNotFoundException>(() => TextTokenizer.Load(folder));
        Assert.Contains("merges.txt", e.Message);
    }

    [Theory]
    [InlineData("#version: 0.2\nĠ t\nh e x\n", "merges.txt, line 3")]
    [InlineData("#version: 0.2\nĠ t\n\nh  e\n", "merges.txt, line 4")]
    [InlineData("#version: 0.2\nĠ t\nq z\n", "merges.txt, line 3: 'qz'")]
    public void Malformed_merges_name_file_and_line(string merges, string expected)
    {
        var e = Assert.Throws<InvalidDataException>(() => TextTokenizer.Load(Create(merges: merges)));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void A_shortened_merges_file_is_refused_naming_a_token_no_merge_produces()
    {
        var folder = Directory.CreateTempSubdirectory("rlhf-short-merges-").FullName;
        try
        {
            TextTokenizer.Load(Repo.Path("data", "tinyworld", "tokenizer")).Save(folder);
            var merges = File.ReadAllLines(Path.Combine(folder, "merges.txt"));
            File.WriteAllLines(Path.Combine(folder, "merges.txt"), merges[..^10]); // the last ten merges lost
            var e = Assert.Throws<InvalidDataException>(() => TextTokenizer.Load(folder));
            Assert.Contains("merges.txt: 10 token(s) of vocab.json come from no merge", e.Message);
        }
        finally { Directory.Delete(folder, recursive: true); }
    }

    [Theory]
    [InlineData("{ \"a\": 0, ", "vocab.json: not valid JSON")]
    [InlineData("[1, 2]", "vocab.json: expected a JSON object")]
    [InlineData("{ \"a\": \"zero\" }", "token 'a' has id \"zero\"")]
    [InlineData("{ \"a\": 0, \"b\": 2 }", "id 1 is missing")]
    [InlineData("{ \"a\": 0, \"b\": 0 }", "id 0 is used by both 'a' and 'b'")]
    public void Malformed_vocab_json_is_named(string vocab, string expected)
    {
        var folder = Create();
        File.WriteAllText(Path.Combine(folder, "vocab.json"), vocab);
        var e = Assert.Throws<InvalidDataException>(() => TextTokenizer.Load(folder));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void A_vocabulary_without_every_byte_symbol_is_refused()
    {
        var folder = Create(merges: "#version: 0.2\n");
        File.WriteAllText(Path.Combine(folder, "vocab.json"), """{ "a": 0, "<|endoftext|>": 1 }""");
        var e = Assert.Throws<InvalidDataException>(() => TextTokenizer.Load(folder));
        Assert.Contains("all 256", e.Message);
    }

    [Fact]
    public void Pad_equal_to_end_of_text_is_refused_with_the_reason()
    {
        var folder = Create();
        File.WriteAllText(Path.Combine(folder, "tokenizer_config.json"), """{ "eos_token": "<|endoftext|>", "pad_token": "<|endoftext|>" }""");
        var e = Assert.Throws<InvalidDataException>(() => TextTokenizer.Load(folder));
        Assert.Contains("tokenizer_config.json", e.Message);
        Assert.Contains("never learns to stop", e.Message);
    }

    [Fact]
    public void A_missing_end_of_text_token_is_named()
    {
        var folder = Create();
        File.WriteAllText(Path.Combine(folder, "tokenizer_config.json"), """{ "eos_token": "</s>" }""");
        var e = Assert.Throws<InvalidDataException>(() => TextTokenizer.Load(folder));
        Assert.Contains("'</s>' is not in the vocabulary", e.Message);
    }
}
