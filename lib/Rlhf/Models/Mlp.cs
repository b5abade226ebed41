using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Rlhf.Models;

/// <summary>GPT-2's feed-forward block: widen to 4C, GELU (tanh approximation, as GPT-2), project back to C.</summary>
public sealed class Mlp : nn.Module<Tensor, Tensor>
{
    readonly Linear c_fc;
    readonly Linear c_proj;
    readonly Dropout dropout;

    /// <summary>Builds the block for <paramref name="config"/>.</summary>
    public Mlp(GptConfig config) : base(nameof(Mlp))
    {
        c_fc = nn.Linear(config.EmbeddingSize, 4 * config.EmbeddingSize, hasBias: config.Bias);
        c_proj = nn.Linear(4 * config.EmbeddingSize, config.EmbeddingSize, hasBias: config.Bias);
        dropout = nn.Dropout(config.Dropout);
        RegisterComponents();
    }

    /// <summary>(B, T, C) -> (B, T, C).</summary>
    public override Tensor forward(Tensor x)
    {
        var hidden = nn.functional.gelu(c_fc.forward(x), GELU.Approximate.tanh); // (B, T, 4C)
        return dropout.forward(c_proj.forward(hidden)); // (B, T, C)
    }
}
