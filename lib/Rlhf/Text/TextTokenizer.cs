using Microsoft.ML.Tokenizers;

namespace Rlhf.Text;

/// <summary>
/// The project's tokenizer: byte-level BPE through Microsoft.ML.Tokenizers (<see cref="BpeTokenizer"/>
/// with GPT-2's byte mapping and <see cref="Gpt2PreTokenizer"/>), loaded from HF <c>vocab.json</c> +
/// <c>merges.txt</c>, whether GPT-2's files or the course vocabulary our <see cref="BpeTrainer"/> wrote.
/// Any UTF-8 text round-trips exactly: every byte has a token.
/// </summary>
/// <remarks>
/// <para>Special tokens: an end-of-text token and a pad token. They are never produced from text:
/// <see cref="Encode"/> treats <c>"&lt;|endoftext|&gt;"</c> inside text as ordinary characters, so a prompt or a
/// web page cannot inject an end-of-text. Only the chat template (or code that appends
/// <see cref="EndOfTextId"/>) places them.</para>
/// <para>The pad token is distinct from end-of-text. If pad == eos, masking out the padding also masks out
/// (or, unmasked, drowns) the one end-of-text label that teaches the model to stop, and the trained model
/// rambles on forever, a failure reported again and again in TRL's issues.</para>
/// <para>Vocabulary size and embedding rows: ids run 0..<see cref="VocabularySize"/>-1, so a model needs at
/// least <see cref="VocabularySize"/> embedding rows. For an HF GPT-2 folder, vocab.json has 50257 tokens
/// (end-of-text is id 50256) and the pad token is added as id 50257, so the size is 50258, one row more
/// than GPT-2's checkpoint: the importer adds that row (its value never matters: pad positions are masked
/// out of attention and of the loss). A model may round its rows up (nanoGPT uses 50304) but must never
/// have fewer.</para>
/// </remarks>
public sealed class TextTokenizer
{
    /// <summary>GPT-2's end-of-text token, our default.</summary>
    public const string DefaultEndOfTextToken = "<|endoftext|>";

    /// <summary>Our default pad token.</summary>
    public const string DefaultPadToken = "<|pad|>";

    readonly BpeTokenizer bpe;

    TextTokenizer(BpeVocabulary vocabulary)
    {
        Vocabulary = vocabulary;
        var ids = new Dictionary<string, int>(vocabulary.Tokens.Count, StringComparer.Ordinal);
        for (int id = 0; id < vocabulary.Tokens.Count; id++) ids[vocabulary.Tokens[id]] = id;
        // Special tokens are deliberately not registered as SpecialTokens: then the library would turn
        // their text inside ordinary input into the special id. They are plain vocabulary entries, which
        // BPE can never produce (the pre-tokenizer splits "<|" from the letters), and which decode normally.
        bpe = BpeTokenizer.Create(new BpeOptions(ids)
        {
            Merges = vocabulary.Merges.Select(m => m.ToString()),
            ByteLevel = true,
            PreTokenizer = new RegexPreTokenizer(Gpt2PreTokenizer.Regex, specialTokens: null),
        });
        EndOfTextId = vocabulary.IdOf(vocabulary.EndOfTextToken)!.Value;
        PadId = vocabulary.IdOf(vocabulary.PadToken)!.Value;
    }

    /// <summary>Reads a tokenizer folder (see <see cref="TokenizerFiles.Read"/> for what it accepts).</summary>
    public static TextTokenizer Load(string folder) => new(TokenizerFiles.Read(folder));

    /// <summary>A tokenizer for a vocabulary in memory, e.g. one just learned by <see cref="BpeTrainer"/>.</summary>
    public static TextTokenizer FromVocabulary(BpeVocabulary vocabulary) => new(vocabulary);

    /// <summary>Writes <c>vocab.json</c>, <c>merges.txt</c>, <c>tokenizer_config.json</c>; <see cref="Load"/> gives back the same ids.</summary>
    public void Save(string folder) => TokenizerFiles.Write(Vocabulary, folder);

    /// <summary>The tokens, merges and special tokens.</summary>
    public BpeVocabulary Vocabulary { get; }

    /// <summary>Number of ids (the model's embedding needs at least this many rows).</summary>
    public int VocabularySize => Vocabulary.Tokens.Count;

    /// <summary>Id of the end-of-text token.</summary>
    public int EndOfTextId { get; }

    /// <summary>Id of the pad token (never equal to <see cref="EndOfTextId"/>).</summary>
    public int PadId { get; }

    /// <summary>The end-of-text token's text, e.g. <c>&lt;|endoftext|&gt;</c>.</summary>
    public string EndOfTextToken => Vocabulary.EndOfTextToken;

    /// <summary>The pad token's text, e.g. <c>&lt;|pad|&gt;</c>.</summary>
    public string PadToken => Vocabulary.PadToken;

    /// <summary>Text -> token ids. Never yields <see cref="EndOfTextId"/> or <see cref="PadId"/>.</summary>
    public int[] Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return bpe.EncodeToIds(text).ToArray();
    }

    /// <summary>Token ids -> text. Special tokens are written out as their text unless <paramref name="skipSpecialTokens"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An id is not in 0..<see cref="VocabularySize"/>-1.</exception>
    public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = false)
    {
        var kept = new List<int>();
        foreach (int id in ids)
        {
            if ((uint)id >= (uint)VocabularySize)
                throw new ArgumentOutOfRangeException(nameof(ids), id, $"token id {id} is outside the vocabulary (0..{VocabularySize - 1})");
            if (skipSpecialTokens && (id == EndOfTextId || id == PadId)) continue;
            kept.Add(id);
        }
        return bpe.Decode(kept);
    }

    /// <summary>The token with this id, in byte-level characters (a space shows as <c>Ġ</c>); for displays.</summary>
    public string TokenText(int id) => Vocabulary.Tokens[id];
}
