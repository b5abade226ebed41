using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Rlhf.Models;

/// <summary>
/// Multi-head causal self-attention as in GPT-2: one linear layer makes queries, keys and values
/// (<c>c_attn</c>, C -> 3C), <c>scaled_dot_product_attention</c> mixes positions, <c>c_proj</c> maps back.
/// </summary>
public sealed class CausalSelfAttention : nn.Module
{
    readonly Linear c_attn;
    readonly Linear c_proj;
    readonly Dropout resid_dropout;
    readonly int heads;
    readonly double dropout;

    /// <summary>Builds the layer for <paramref name="config"/>.</summary>
    public CausalSelfAttention(GptConfig config) : base(nameof(CausalSelfAttention))
    {
        c_attn = nn.Linear(config.EmbeddingSize, 3 * config.EmbeddingSize, hasBias: config.Bias);
        c_proj = nn.Linear(config.EmbeddingSize, config.EmbeddingSize, hasBias: config.Bias);
        resid_dropout = nn.Dropout(config.Dropout);
        heads = config.Heads;
        dropout = config.Dropout;
        RegisterComponents();
    }

    /// <summary>
    /// Attends over <paramref name="x"/> (B, T, C). <paramref name="allowed"/> is the boolean mask from
    /// <see cref="AttentionMasks.Build"/> or null for plain causal attention. With a cache, keys and values
    /// of earlier positions come from it and this layer's new ones are written into it.
    /// </summary>
    public Tensor forward(Tensor x, Tensor? allowed, KvCache? cache, int layer)
    {
        long batch = x.shape[0], time = x.shape[1], width = x.shape[2], headSize = width / heads;
        var qkv = c_attn.forward(x).split(width, dim: 2); // 3 x (B, T, C)
        var q = qkv[0].view(batch, time, heads, headSize).transpose(1, 2); // (B, H, T, hs)
        var k = qkv[1].view(batch, time, heads, headSize).transpose(1, 2); // (B, H, T, hs)
        var v = qkv[2].view(batch, time, heads, headSize).transpose(1, 2); // (B, H, T, hs)
        if (cache is not null) (k, v) = cache.Append(layer, k, v); // (B, H, S, hs), S = cached + T
        var attended = nn.functional.scaled_dot_product_attention(q, k, v, allowed,
            training ? dropout : 0.0, is_casual: allowed is null); // (B, H, T, hs)
        var merged = attended.transpose(1, 2).contiguous().view(batch, time, width); // (B, T, C)
        return resid_dropout.forward(c_proj.forward(merged)); // (B, T, C)
    }
}
