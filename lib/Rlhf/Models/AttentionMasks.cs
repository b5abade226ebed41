using static TorchSharp.torch;

namespace Rlhf.Models;

/// <summary>
/// The one padding convention of the project turned into what attention needs: an attention mask is
/// (B, S) with 1 on real tokens and 0 on padding, left padding or right padding alike. Positions count
/// real tokens only, so a left-padded sequence sees exactly the positions it would see unpadded.
/// </summary>
public static class AttentionMasks
{
    /// <summary>
    /// Position ids (B, T) of the T newest tokens when <paramref name="past"/> tokens precede them:
    /// the number of real tokens before each one. Padding gets position 0 (it is never attended to).
    /// Without a mask, positions are past, past + 1, ... for every row (1, T).
    /// </summary>
    public static Tensor Positions(Tensor? attentionMask, int past, int newTokens, Device device)
    {
        if (attentionMask is null) return arange(past, past + newTokens, dtype: ScalarType.Int64, device: device).unsqueeze(0); // (1, T)
        var realSoFar = attentionMask.to(ScalarType.Int64).cumsum(1); // (B, S)
        return (realSoFar - 1).clamp_min(0).narrow(1, past, newTokens); // (B, T)
    }

    /// <summary>
    /// Which keys each query may attend to, as a boolean tensor (B, 1, T, S) for
    /// <c>scaled_dot_product_attention</c>: keys at or before the query (causal) that are real tokens.
    /// Every query may also attend to itself, so a padding query never has an empty row (which would
    /// give NaN); its output is ignored anyway. Returns null when plain causal attention is exact
    /// (no padding, no cache), so the caller can use <c>is_causal</c>.
    /// </summary>
    public static Tensor? Build(Tensor? attentionMask, int past, int newTokens, Device device)
    {
        if (attentionMask is null && past == 0) return null;
        int total = past + newTokens;
        var queryPositions = arange(past, total, dtype: ScalarType.Int64, device: device).unsqueeze(1); // (T, 1)
        var keyPositions = arange(0, total, dtype: ScalarType.Int64, device: device).unsqueeze(0); // (1, S)
        var causal = keyPositions <= queryPositions; // (T, S)
        if (attentionMask is null) return causal.unsqueeze(0).unsqueeze(0); // (1, 1, T, S)
        var realKeys = attentionMask.to(ScalarType.Bool).unsqueeze(1).unsqueeze(1); // (B, 1, 1, S)
        var self = keyPositions == queryPositions; // (T, S)
        return (causal.unsqueeze(0).unsqueeze(0) & realKeys) | self.unsqueeze(0).unsqueeze(0); // (B, 1, T, S)
    }
}
