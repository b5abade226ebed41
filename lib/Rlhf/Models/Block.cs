using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Rlhf.Models;

/// <summary>One pre-LayerNorm transformer block: x + attn(ln_1(x)), then x + mlp(ln_2(x)).</summary>
public sealed class Block : nn.Module
{
    readonly LayerNorm ln_1;
    readonly CausalSelfAttention attn;
    readonly LayerNorm ln_2;
    readonly Mlp mlp;

    /// <summary>Builds the block for <paramref name="config"/>.</summary>
    public Block(GptConfig config) : base(nameof(Block))
    {
        ln_1 = nn.LayerNorm(config.EmbeddingSize, config.LayerNormEpsilon, bias: config.Bias);
        attn = new CausalSelfAttention(config);
        ln_2 = nn.LayerNorm(config.EmbeddingSize, config.LayerNormEpsilon, bias: config.Bias);
        mlp = new Mlp(config);
        RegisterComponents();
    }

    /// <summary>(B, T, C) -> (B, T, C); see <see cref="CausalSelfAttention.forward"/> for the other arguments.</summary>
    public Tensor forward(Tensor x, Tensor? allowed, KvCache? cache, int layer)
    {
        x = x + attn.forward(ln_1.forward(x), allowed, cache, layer); // (B, T, C)
        return x + mlp.forward(ln_2.forward(x)); // (B, T, C)
    }
}
