namespace Rlhf.Text;

/// <summary>Settings of <see cref="BpeTrainer"/>.</summary>
public sealed record BpeTrainerOptions
{
    /// <summary>
    /// Total number of tokens wanted, counting the 256 byte symbols and the two special tokens.
    /// Default 2048: the course's TinyWorld text has a small, repetitive vocabulary, so 2k tokens
    /// already cover its whole words, while the embedding table (2048 x width) stays a small part of a
    /// CPU-sized model and sequences stay short. GPT-2 uses 50257.
    /// </summary>
    public int VocabularySize { get; init; } = 2048;

    /// <summary>
    /// A pair must occur at least this many times (weighted by word counts) to be merged. Default 2:
    /// a pair seen once only memorises one word. Training stops early, and says so, when no pair is left.
    /// </summary>
    public long MinPairCount { get; init; } = 2;

    /// <summary>The end-of-text token appended after the learned tokens. Default GPT-2's <c>&lt;|endoftext|&gt;</c>.</summary>
    public string EndOfTextToken { get; init; } = TextTokenizer.DefaultEndOfTextToken;

    /// <summary>The padding token appended last. Default <c>&lt;|pad|&gt;</c>.</summary>
    public string PadToken { get; init; } = TextTokenizer.DefaultPadToken;

    /// <summary>Smallest allowed <see cref="VocabularySize"/>: 256 byte symbols + 2 special tokens.</summary>
    public const int MinVocabularySize = 258;

    /// <summary>Throws when a field is out of range.</summary>
    public BpeTrainerOptions Validate()
    {
        if (VocabularySize is < MinVocabularySize or > 1_000_000)
            throw new ArgumentOutOfRangeException(nameof(VocabularySize), VocabularySize,
                $"{nameof(VocabularySize)} must be between {MinVocabularySize} (256 bytes + 2 special tokens) and 1,000,000");
        if (MinPairCount < 1)
            throw new ArgumentOutOfRangeException(nameof(MinPairCount), MinPairCount, $"{nameof(MinPairCount)} must be at least 1");
        if (string.IsNullOrEmpty(EndOfTextToken)) throw new ArgumentException($"{nameof(EndOfTextToken)} is empty");
        if (string.IsNullOrEmpty(PadToken)) throw new ArgumentException($"{nameof(PadToken)} is empty");
        if (EndOfTextToken == PadToken)
            throw new ArgumentException($"{nameof(PadToken)} must differ from {nameof(EndOfTextToken)} (both '{PadToken}'): with pad == end-of-text a model never learns to stop");
        return this;
    }
}
