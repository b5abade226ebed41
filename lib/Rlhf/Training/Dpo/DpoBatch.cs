using static TorchSharp.torch;

namespace Rlhf.Training;

/// <summary>
/// One DPO micro-batch: N pairs as 2N right-padded rows, the N chosen sequences first and then the N rejected ones,
/// so both go through the model in one forward; and the reference model's log-probs of the same responses.
/// </summary>
/// <param name="InputIds">(2N, T) int64 token ids, chosen rows then rejected rows, pad id after each sequence.</param>
/// <param name="LossMask">(2N, T) int64 0/1: 1 on response tokens (and end-of-text), 0 on prompt and padding.</param>
/// <param name="Reference">The reference model's log-probs of the N pairs (no graph).</param>
/// <param name="PairIndices">Which pairs of the dataset these are (for tests and reference look-ups).</param>
public sealed record DpoBatch(Tensor InputIds, Tensor LossMask, PairLogProbs Reference, int[] PairIndices)
{
    /// <summary>Pretraining windows (inputs, targets) (W, L) each for the pretraining mix, or null when it is off.</summary>
    public (Tensor Inputs, Tensor Targets)? Pretraining { get; init; }

    /// <summary>N: pairs in the batch (the loss items the trainer normalises by).</summary>
    public int Pairs => PairIndices.Length;
}
