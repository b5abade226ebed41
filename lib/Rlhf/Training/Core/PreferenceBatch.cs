using Rlhf.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Training;

/// <summary>
/// N preference pairs as one right-padded batch of 2N rows, so chosen and rejected go through the model in ONE
/// forward pass (as in Rafailov et al.'s reference DPO code): rows 0..N-1 are the chosen conversations, rows N..2N-1
/// the rejected ones in the same order, so row i and row N + i are the two sides of pair i. The one collation of
/// preference pairs: the reward model reads its score at each row's last real token (<see cref="AttentionMask"/>), DPO
/// sums log-probs over each row's response (<see cref="LossMask"/>).
/// </summary>
/// <param name="InputIds">(2N, T) ids, pad id at padding.</param>
/// <param name="AttentionMask">(2N, T) 1 on real tokens.</param>
/// <param name="LossMask">(2N, T) 1 on response tokens (and end-of-text), 0 on prompt and padding.</param>
/// <param name="Pairs">N.</param>
public sealed record PreferenceBatch(Tensor InputIds, Tensor AttentionMask, Tensor LossMask, int Pairs)
{
    /// <summary>Windows of pretraining text (inputs, targets) (W, L) each for a pretraining mix; null when the mix is off.</summary>
    public (Tensor Inputs, Tensor Targets)? Pretraining { get; init; }

    /// <summary>Collates <paramref name="examples"/> (chosen rows first, then rejected rows) onto <paramref name="device"/>.</summary>
    public static PreferenceBatch Collate(IReadOnlyList<PreferenceExample> examples, int padId, Device device)
    {
        if (examples.Count == 0) throw new ArgumentException("a preference batch needs at least one pair", nameof(examples));
        var rows = examples.Select(e => e.Chosen).Concat(examples.Select(e => e.Rejected)).ToList();
        var padded = BatchCollator.ForTraining(rows, padId);
        return new PreferenceBatch(
            tensor(padded.InputIds, device: device), // (2N, T)
            tensor(padded.AttentionMask, device: device), // (2N, T)
            tensor(padded.LossMask, device: device), // (2N, T)
            examples.Count);
    }

    /// <summary>Splits per-row values (2N, ...) of a collated batch (rewards (2N), features (2N, C)) into chosen (N, ...) and
    /// rejected (N, ...), pair by pair.</summary>
    public static (Tensor Chosen, Tensor Rejected) Split(Tensor rows)
    {
        if (rows.dim() < 1 || rows.shape[0] % 2 != 0)
            throw new ArgumentException($"expected rows (2N, ...), got [{string.Join(", ", rows.shape)}]", nameof(rows));
        long pairs = rows.shape[0] / 2;
        return (rows.narrow(0, 0, pairs), rows.narrow(0, pairs, pairs)); // (N, ...), (N, ...)
    }
}
