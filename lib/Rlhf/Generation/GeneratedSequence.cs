namespace Rlhf.Generation;

/// <summary>
/// One row of a <see cref="GenerationResult"/>, as plain arrays. <see cref="ResponseIds"/>,
/// <see cref="ResponseMask"/> and <see cref="LogProbs"/> have one entry per generation step; after the
/// first end-of-text the ids are padding, the mask 0 and the log-probabilities 0.
/// </summary>
/// <param name="PromptIds">The prompt without its padding.</param>
/// <param name="ResponseIds">Generated ids, padded after end-of-text.</param>
/// <param name="ResponseMask">1 on generated tokens up to and including end-of-text, 0 after.</param>
/// <param name="LogProbs">Log-probability of each generated token under the sampling distribution.</param>
/// <param name="EndedWithEndOfText">Whether the response stopped at end-of-text (rather than at the length limit).</param>
public sealed record GeneratedSequence(int[] PromptIds, int[] ResponseIds, int[] ResponseMask, float[] LogProbs, bool EndedWithEndOfText)
{
    /// <summary>The generated tokens up to and including end-of-text (the ones the mask keeps).</summary>
    public int[] GeneratedIds => ResponseIds.Where((_, i) => ResponseMask[i] == 1).ToArray();
}
