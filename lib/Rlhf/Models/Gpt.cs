using Rlhf.Torch;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Rlhf.Models;

/// <summary>
/// A GPT-2 language model: token and learned position embeddings, <see cref="GptConfig.Layers"/>
/// pre-LayerNorm blocks, a final layer norm, and a language-model head tied to the token embedding.
/// Parameter names are Hugging Face GPT-2's without the <c>transformer.</c> prefix (<c>wte.weight</c>,
/// <c>h.0.attn.c_attn.weight</c>, ...), with torch <c>Linear</c> layout [out, in]. Padding is given as an
/// attention mask (B, S) of 1 for real tokens and 0 for padding; left-padded rows get the same logits
/// as unpadded ones.
/// </summary>
public sealed class Gpt : nn.Module<Tensor, Tensor>, ICausalLanguageModel
{
    readonly Embedding wte;
    readonly Embedding wpe;
    readonly Dropout drop;
    readonly ModuleList<Block> h;
    readonly LayerNorm ln_f;
    readonly Linear? lm_head;

    /// <summary>
    /// Builds a model with GPT-2's initialisation: weights normal(0, 0.02), the two residual projections
    /// of each block (<c>attn.c_proj</c>, <c>mlp.c_proj</c>) normal(0, 0.02 / sqrt(2 · layers)), biases 0,
    /// layer norms 1 and 0. Seed with <c>torch.manual_seed</c> first for reproducible weights.
    /// </summary>
    /// <param name="config">The model shape; validated here.</param>
    /// <param name="device">Where the parameters live; default <see cref="TorchRuntime.Device"/>.</param>
    /// <param name="languageModelHead">False for a backbone under a scalar head: no untied <c>lm_head</c> is made, and
    /// unless the head is tied to the token embedding (which the backbone keeps), <see cref="forward(Tensor)"/> is unavailable.</param>
    public Gpt(GptConfig config, Device? device = null, bool languageModelHead = true) : base(nameof(Gpt))
    {
        Config = config.Validate();
        HasLanguageModelHead = languageModelHead || config.TieWeights;
        wte = nn.Embedding(config.VocabularySize, config.EmbeddingSize);
        wpe = nn.Embedding(config.ContextLength, config.EmbeddingSize);
        drop = nn.Dropout(config.Dropout);
        h = nn.ModuleList(Enumerable.Range(0, config.Layers).Select(_ => new Block(config)).ToArray());
        ln_f = nn.LayerNorm(config.EmbeddingSize, config.LayerNormEpsilon, bias: config.Bias);
        if (languageModelHead && !config.TieWeights) lm_head = nn.Linear(config.EmbeddingSize, config.VocabularySize, hasBias: false);
        RegisterComponents();
        InitialiseLikeGpt2();
        Device = device ?? TorchRuntime.Device;
        this.to(Device);
    }

    /// <summary>The shape this model was built with.</summary>
    public GptConfig Config { get; }

    /// <summary>Whether <see cref="forward(Tensor)"/> can produce logits (false for scalar-head backbones whose head is not tied to the embedding).</summary>
    public bool HasLanguageModelHead { get; }

    /// <inheritdoc/>
    public Device Device { get; }

    /// <inheritdoc/>
    public int VocabularySize => Config.VocabularySize;

    /// <inheritdoc/>
    public int ContextLength => Config.ContextLength;

    /// <summary>Logits (B, T, V) for unpadded <paramref name="inputIds"/> (B, T).</summary>
    public override Tensor forward(Tensor inputIds) => forward(inputIds, null, null);

    /// <inheritdoc/>
    public Tensor forward(Tensor inputIds, Tensor? attentionMask, KvCache? cache = null)
    {
        if (!HasLanguageModelHead) throw new InvalidOperationException("This Gpt was built as a backbone without a language-model head.");
        var hidden = HiddenStates(inputIds, attentionMask, cache); // (B, T, C)
        var logits = lm_head is null
            ? nn.functional.linear(hidden, wte.weight!) // (B, T, V), head tied to the token embedding
            : lm_head.forward(hidden); // (B, T, V)
        return Config.PadTokenId is int pad ? WithoutPad(logits, pad) : logits;
    }

    /// <summary><paramref name="logits"/> (B, T, V) with the pad token's logit at -1e9 (or the dtype's lowest value, if higher):
    /// exp of it is exactly 0 in every softmax, so the pad is never sampled and takes no mass from real tokens. Finite, and far
    /// from the float32 limit, so that dividing by a temperature cannot overflow to -inf and make p log p NaN.</summary>
    static Tensor WithoutPad(Tensor logits, int pad)
    {
        using var index = tensor(new long[] { pad }, device: logits.device);
        return logits.index_fill(-1, index, Math.Max(finfo(logits.dtype).min, -1e9)); // (B, T, V)
    }

    /// <summary>
    /// The final hidden states (B, T, C), after <c>ln_f</c>: what the language-model head and scalar heads read.
    /// Arguments as in <see cref="forward(Tensor, Tensor?, KvCache?)"/>.
    /// </summary>
    public Tensor HiddenStates(Tensor inputIds, Tensor? attentionMask = null, KvCache? cache = null)
    {
        if (inputIds.dim() != 2) throw new ArgumentException($"input ids must be (B, T), got shape [{string.Join(", ", inputIds.shape)}].", nameof(inputIds));
        int batch = (int)inputIds.shape[0], time = (int)inputIds.shape[1], past = cache?.Length ?? 0;
        if (past + time > Config.ContextLength)
            throw new ArgumentException($"{past + time} positions ({past} cached + {time} new) exceed the context length {Config.ContextLength}.", nameof(inputIds));
        if (attentionMask is not null && (attentionMask.dim() != 2 || attentionMask.shape[0] != batch || attentionMask.shape[1] != past + time))
            throw new ArgumentException(
                $"attention mask must be (B, cached + T) = ({batch}, {past + time}), got [{string.Join(", ", attentionMask.shape)}].", nameof(attentionMask));
        if (cache is not null && (cache.Layers != Config.Layers || cache.BatchSize != batch))
            throw new ArgumentException($"cache holds {cache.Layers} layers x {cache.BatchSize} rows, the model needs {Config.Layers} x {batch}.", nameof(cache));

        var positions = AttentionMasks.Positions(attentionMask, past, time, Device); // (B or 1, T)
        var x = drop.forward(wte.forward(inputIds) + wpe.forward(positions)); // (B, T, C)
        var allowed = AttentionMasks.Build(attentionMask, past, time, Device); // (B or 1, 1, T, S) or null
        for (int layer = 0; layer < h.Count; layer++) x = h[layer].forward(x, allowed, cache, layer); // (B, T, C)
        cache?.Advance(time);
        return ln_f.forward(x); // (B, T, C)
    }

    /// <inheritdoc/>
    public KvCache NewCache(int batchSize, int capacity) =>
        new(Config.Layers, batchSize, Config.Heads, capacity, Config.HeadSize, Device, wte.weight!.dtype);

    void InitialiseLikeGpt2()
    {
        using var noGrad = no_grad();
        double residualStd = 0.02 / Math.Sqrt(2.0 * Config.Layers);
        foreach (var (name, parameter) in named_parameters())
        {
            if (name.EndsWith(".bias")) nn.init.zeros_(parameter);
            else if (name.StartsWith("ln_") || name.Contains(".ln_")) nn.init.ones_(parameter);
            else if (name.EndsWith("c_proj.weight")) nn.init.normal_(parameter, 0.0, residualStd);
            else nn.init.normal_(parameter, 0.0, 0.02);
        }
    }
}
