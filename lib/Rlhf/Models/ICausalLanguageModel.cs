using static TorchSharp.torch;

namespace Rlhf.Models;

/// <summary>
/// What the generation engine needs from a language model: next-token logits for a (possibly
/// left-padded) batch, optionally continuing from a <see cref="KvCache"/>. <see cref="Gpt"/> implements it;
/// tests implement it with models whose logits are known.
/// </summary>
public interface ICausalLanguageModel
{
    /// <summary>Number of token ids the logits cover (V).</summary>
    int VocabularySize { get; }

    /// <summary>Longest sequence (prompt plus new tokens) the model accepts.</summary>
    int ContextLength { get; }

    /// <summary>The device the model's parameters live on; inputs must be there too.</summary>
    Device Device { get; }

    /// <summary>Allocates an empty cache for <paramref name="batchSize"/> rows of up to <paramref name="capacity"/> positions.
    /// The caller owns and disposes it.</summary>
    KvCache NewCache(int batchSize, int capacity);

    /// <summary>
    /// Logits (B, T, V) for <paramref name="inputIds"/> (B, T). <paramref name="attentionMask"/> is (B, S) with
    /// 1 for real tokens and 0 for padding over all S = cached + T positions, or null for no padding.
    /// With a cache the new tokens continue the cached ones and the cache advances by T.
    /// </summary>
    Tensor forward(Tensor inputIds, Tensor? attentionMask, KvCache? cache);
}
