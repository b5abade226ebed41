using System.Text.Json;
using Rlhf.Text;

namespace Rlhf.Tests.Text;

/// <summary>
/// Writes a tokenizer folder in exactly GPT-2's layout (as HF's <c>gpt2</c> repository has it): vocab.json
/// with the 256 byte symbols as ids 0..255 in GPT-2's order, then the merge results, then
/// <c>&lt;|endoftext|&gt;</c> last; merges.txt with the <c>#version: 0.2</c> header; no tokenizer_config.json.
/// Ids: 256 "Ġt", 257 "he", 258 "Ġthe", 259 "ab", 260 "bc", 261 end-of-text.
/// </summary>
static class TinyGpt2Folder
{
    public static readonly string[] DefaultMerges = ["Ġ t", "h e", "Ġt he", "a b", "b c"];

    public const int EndOfTextId = 261;

    /// <summary>Printable ASCII keeps its byte value and GPT-2's ids start at '!', so id = character - 33.</summary>
    public static int Ascii(char c) => c - 33;

    public const int Space = 220; // Ġ
    public const int Newline = 198; // Ċ

    public static string Create(string? merges = null, string[]? mergeOrder = null)
    {
        var folder = Path.Combine(Path.GetTempPath(), "rlhf-tests", "tok-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var order = mergeOrder ?? DefaultMerges;
        var vocab = new Dictionary<string, int>();
        foreach (var symbol in ByteLevelAlphabet.Symbols) vocab[symbol] = vocab.Count;
        foreach (var merge in DefaultMerges) vocab[merge.Replace(" ", "")] = vocab.Count;
        vocab["<|endoftext|>"] = vocab.Count;
        // System.Text.Json's default encoder writes non-ASCII as \uXXXX, as Python's json.dumps does for GPT-2.
        File.WriteAllText(Path.Combine(folder, "vocab.json"), JsonSerializer.Serialize(vocab));
        File.WriteAllText(Path.Combine(folder, "merges.txt"), merges ?? "#version: 0.2\n" + string.Join("\n", order) + "\n");
        return folder;
    }

    public static TextTokenizer Load() => TextTokenizer.Load(Create());
}
