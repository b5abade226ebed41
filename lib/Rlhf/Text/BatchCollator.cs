namespace Rlhf.Text;

/// <summary>
/// Pads token sequences into a <see cref="PaddedBatch"/>: right padding for training (<see cref="ForTraining"/>),
/// left padding for generation (<see cref="ForGeneration"/>). The loss mask is 0 on every pad position, so
/// padding never reaches the loss, and the attention mask tells the model to ignore it.
/// </summary>
public static class BatchCollator
{
    /// <summary>Right-pads chat examples to the longest one, keeping their loss masks.</summary>
    public static PaddedBatch ForTraining(IReadOnlyList<ChatExample> examples, int padId) =>
        Pad(examples.Select(e => e.InputIds).ToList(), examples.Select(e => e.LossMask).ToList(), padId, PaddingSide.Right);

    /// <summary>Left-pads generation prompts to the longest one; the loss mask is all zeros.</summary>
    public static PaddedBatch ForGeneration(IReadOnlyList<ChatPrompt> prompts, int padId) =>
        Pad(prompts.Select(p => p.InputIds).ToList(), null, padId, PaddingSide.Left);

    /// <summary>
    /// Pads <paramref name="sequences"/> on <paramref name="side"/> to the longest length; a row's loss mask
    /// (all zeros when <paramref name="lossMasks"/> is null) is placed under its tokens.
    /// </summary>
    /// <exception cref="ArgumentException">No sequences, an empty sequence, or a loss mask of another length.</exception>
    public static PaddedBatch Pad(IReadOnlyList<int[]> sequences, IReadOnlyList<int[]>? lossMasks, int padId, PaddingSide side)
    {
        if (sequences.Count == 0) throw new ArgumentException("cannot collate an empty batch", nameof(sequences));
        if (lossMasks is not null && lossMasks.Count != sequences.Count)
            throw new ArgumentException($"{lossMasks.Count} loss masks for {sequences.Count} sequences", nameof(lossMasks));
        int length = sequences.Max(s => s.Length);
        var ids = new long[sequences.Count, length];
        var attention = new long[sequences.Count, length];
        var loss = new long[sequences.Count, length];
        for (int row = 0; row < sequences.Count; row++)
        {
            var sequence = sequences[row];
            if (sequence.Length == 0) throw new ArgumentException($"sequence {row} is empty", nameof(sequences));
            var mask = lossMasks?[row];
            if (mask is not null && mask.Length != sequence.Length)
                throw new ArgumentException($"sequence {row} has {sequence.Length} tokens but its loss mask has {mask.Length}", nameof(lossMasks));
            int start = side == PaddingSide.Left ? length - sequence.Length : 0;
            for (int column = 0; column < length; column++)
            {
                int position = column - start;
                bool real = position >= 0 && position < sequence.Length;
                ids[row, column] = real ? sequence[position] : padId;
                attention[row, column] = real ? 1 : 0;
                loss[row, column] = real && mask is not null ? mask[position] : 0;
            }
        }
        return new PaddedBatch(ids, attention, loss, side);
    }
}
