namespace Rlhf.Text;

/// <summary>Why <see cref="BpeTrainer"/> stopped merging.</summary>
public enum BpeStopReason
{
    /// <summary>The vocabulary reached <see cref="BpeTrainerOptions.VocabularySize"/>.</summary>
    VocabularySizeReached,

    /// <summary>No pair occurs <see cref="BpeTrainerOptions.MinPairCount"/> times any more: the
    /// vocabulary is smaller than asked for.</summary>
    NoFrequentPairLeft,
}

/// <summary>What <see cref="BpeTrainer.Train"/> learned, and how it ended.</summary>
/// <param name="Vocabulary">The learned vocabulary, ready for <see cref="TextTokenizer.FromVocabulary"/>.</param>
/// <param name="StopReason">Why merging stopped.</param>
/// <param name="WordCount">Pre-tokenised words in the corpus.</param>
/// <param name="DistinctWords">Distinct pre-tokenised words.</param>
public sealed record BpeTrainingResult(BpeVocabulary Vocabulary, BpeStopReason StopReason, long WordCount, int DistinctWords);
