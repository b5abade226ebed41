using Rlhf.Text;
using static TorchSharp.torch;

namespace Rlhf.Training;

/// <summary>
/// One SFT micro-batch, already shifted for next-token prediction: position t reads <see cref="Inputs"/>[.., t] and is
/// scored on <see cref="Targets"/>[.., t] = ids[.., t + 1] where <see cref="LossMask"/>[.., t] = lossMask[.., t + 1] is 1,
/// i.e. exactly where the target is a response token or the end-of-text. Prompt and padding targets have mask 0.
/// </summary>
/// <param name="Inputs">(B, T - 1) int64: ids[:, :-1], right-padded.</param>
/// <param name="Targets">(B, T - 1) int64: ids[:, 1:].</param>
/// <param name="AttentionMask">(B, T - 1) int64: 1 on real input tokens, 0 on padding.</param>
/// <param name="LossMask">(B, T - 1) float: lossMask[:, 1:].</param>
/// <param name="LossTokens">Sum of <see cref="LossMask"/>, counted on the host (no device read).</param>
public sealed record SftBatch(Tensor Inputs, Tensor Targets, Tensor AttentionMask, Tensor LossMask, long LossTokens)
{
    /// <summary>Windows of pretraining text (inputs, targets) (W, L) each for the pretraining mix; null when the mix is off.</summary>
    public (Tensor Inputs, Tensor Targets)? Pretraining { get; init; }

    /// <summary>Right-pads <paramref name="examples"/> with <see cref="BatchCollator.ForTraining"/> and shifts by one
    /// (inputs = ids[:-1], targets = ids[1:], mask = lossMask[1:]); tensors on <paramref name="device"/>.</summary>
    public static SftBatch From(IReadOnlyList<ChatExample> examples, int padId, Device device)
    {
        var padded = BatchCollator.ForTraining(examples, padId);
        int rows = padded.BatchSize, width = padded.Length - 1;
        if (width < 1) throw new ArgumentException("every SFT example needs at least two tokens (a prompt token and a target)", nameof(examples));
        var inputs = new long[rows * width];
        var targets = new long[rows * width];
        var attention = new long[rows * width];
        var mask = new float[rows * width];
        long lossTokens = 0;
        for (int b = 0; b < rows; b++)
            for (int t = 0; t < width; t++)
            {
                inputs[b * width + t] = padded.InputIds[b, t];
                attention[b * width + t] = padded.AttentionMask[b, t];
                targets[b * width + t] = padded.InputIds[b, t + 1];
                mask[b * width + t] = padded.LossMask[b, t + 1];
                lossTokens += padded.LossMask[b, t + 1];
            }
        return new SftBatch(
            tensor(inputs, [rows, width], device: device), // (B, T-1)
            tensor(targets, [rows, width], device: device), // (B, T-1)
            tensor(attention, [rows, width], device: device), // (B, T-1)
            tensor(mask, [rows, width], device: device), // (B, T-1)
            lossTokens);
    }
}
