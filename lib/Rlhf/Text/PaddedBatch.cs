namespace Rlhf.Text;

/// <summary>Which end of a row the padding goes to.</summary>
public enum PaddingSide
{
    /// <summary>Tokens first, padding after: training batches (positions start at 0 for every row).</summary>
    Right,

    /// <summary>Padding first, tokens after: generation batches, so every row's next token is appended at the same column.</summary>
    Left,
}

/// <summary>
/// Sequences of different lengths padded into rectangles (B rows, T columns), ready for
/// <c>torch.tensor(...)</c> (int64, as embedding lookups want).
/// </summary>
/// <param name="InputIds">(B, T) token ids, <see cref="TextTokenizer.PadId"/> at padding.</param>
/// <param name="AttentionMask">(B, T) 1 on real tokens, 0 on padding.</param>
/// <param name="LossMask">(B, T) 1 where the loss counts (response tokens and end-of-text), 0 on prompt and padding.</param>
/// <param name="Side">Where the padding went.</param>
public sealed record PaddedBatch(long[,] InputIds, long[,] AttentionMask, long[,] LossMask, PaddingSide Side)
{
    /// <summary>B: number of rows.</summary>
    public int BatchSize => InputIds.GetLength(0);

    /// <summary>T: columns (the longest row).</summary>
    public int Length => InputIds.GetLength(1);
}
