using Rlhf.Torch;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Rlhf.Models;

/// <summary>
/// A GPT backbone with one number per token on top: the reward model (its value at the last real token
/// scores a whole response) and the PPO critic (its value at every token estimates the return).
/// Parameter names: the backbone's under <c>transformer.</c> (as HF <c>GPT2ForSequenceClassification</c>)
/// and the head as <c>score.weight</c> (1, C) and <c>score.bias</c> (1).
/// </summary>
public sealed class ScalarHeadModel : nn.Module<Tensor, Tensor>
{
    readonly Gpt transformer;
    readonly Linear score;

    /// <summary>
    /// Builds a backbone (GPT-2 initialisation, no untied LM head) and a head with weights
    /// normal(0, 1/sqrt(C + 1)) and bias 0, so initial scores have roughly unit scale whatever the width.
    /// </summary>
    public ScalarHeadModel(GptConfig config, Device? device = null) : base(nameof(ScalarHeadModel))
    {
        var target = device ?? TorchRuntime.Device;
        transformer = new Gpt(config, target, languageModelHead: false);
        score = nn.Linear(config.EmbeddingSize, 1, hasBias: true);
        using (no_grad())
        {
            nn.init.normal_(score.weight!, 0.0, 1.0 / Math.Sqrt(config.EmbeddingSize + 1));
            nn.init.zeros_(score.bias!);
        }
        score.to(target);
        RegisterComponents();
    }

    /// <summary>The backbone (its parameters appear under <c>transformer.</c>).</summary>
    public Gpt Transformer => transformer;

    /// <summary>The shape of the backbone.</summary>
    public GptConfig Config => transformer.Config;

    /// <summary>Per-token values (B, T) for unpadded <paramref name="inputIds"/> (B, T).</summary>
    public override Tensor forward(Tensor inputIds) => Values(inputIds, null);

    /// <summary>Per-token values (B, T); <paramref name="attentionMask"/> (B, T) is 1 on real tokens, 0 on padding
    /// (values at padding are meaningless).</summary>
    public Tensor Values(Tensor inputIds, Tensor? attentionMask)
    {
        var hidden = transformer.HiddenStates(inputIds, attentionMask); // (B, T, C)
        return score.forward(hidden).squeeze(-1); // (B, T)
    }

    /// <summary>
    /// The value at each row's last real token (B): a reward model's score for the whole sequence.
    /// Works for left and right padding alike; <paramref name="attentionMask"/> (B, T) must have a real token in every row.
    /// </summary>
    public Tensor LastTokenValues(Tensor inputIds, Tensor attentionMask) =>
        score.forward(LastTokenFeatures(inputIds, attentionMask)).squeeze(-1); // (B)

    /// <summary>The backbone's final hidden state (B, C) at each row's last real token: what the head reads.</summary>
    public Tensor LastTokenFeatures(Tensor inputIds, Tensor attentionMask)
    {
        var hidden = transformer.HiddenStates(inputIds, attentionMask); // (B, T, C)
        var index = LastRealIndex(attentionMask).view(-1, 1, 1).expand(-1, 1, hidden.shape[2]); // (B, 1, C)
        return hidden.gather(1, index).squeeze(1); // (B, C)
    }

    /// <summary>Sets the head to reward = <paramref name="weight"/> (C) . h + <paramref name="bias"/>.</summary>
    public void SetHead(Tensor weight, double bias)
    {
        using var noGrad = no_grad();
        score.weight!.copy_(weight.reshape(1, -1));
        score.bias!.fill_(bias);
    }

    /// <summary>Folds <paramref name="normalization"/> into the head, so that it outputs (w·h + b - mean) / std: w / std and
    /// (b - mean) / std. A critic initialised from a reward model starts on the scale of the normalised rewards PPO
    /// trains it on (Huang et al. 2024, "The N+ implementation details of RLHF with PPO": the value model starts from the
    /// reward model). Without it a constant offset c shifts each token's advantage by -c·(γλ)^(T-t), which whitening
    /// does not remove.</summary>
    public void NormalizeHead(RewardNormalization normalization)
    {
        using var noGrad = no_grad();
        score.weight!.div_(normalization.Std);
        score.bias!.sub_(normalization.Mean).div_(normalization.Std);
    }

    /// <summary>Index (B) of the last position whose mask is 1 in each row of <paramref name="attentionMask"/> (B, T).</summary>
    public static Tensor LastRealIndex(Tensor attentionMask)
    {
        var positions = arange(attentionMask.shape[1], dtype: ScalarType.Int64, device: attentionMask.device); // (T)
        var real = attentionMask.to(ScalarType.Bool); // (B, T)
        return where(real, positions, -1).max(1).values; // (B)
    }

    /// <summary>Copies every backbone parameter of <paramref name="source"/> (say the SFT policy) into this model's
    /// backbone; the source's LM head, if untied, is not part of a backbone and is skipped. Shapes must match.</summary>
    public void LoadBackbone(Gpt source)
    {
        var target = transformer.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        using var noGrad = no_grad();
        foreach (var (name, parameter) in source.named_parameters())
        {
            if (name.StartsWith("lm_head.")) continue;
            if (!target.TryGetValue(name, out var into))
                throw new ArgumentException($"backbone has no parameter '{name}' (source config {source.Config}, target {Config}).", nameof(source));
            if (!into.shape.SequenceEqual(parameter.shape))
                throw new ArgumentException(
                    $"parameter '{name}' is [{string.Join(", ", parameter.shape)}] in the source and [{string.Join(", ", into.shape)}] here.", nameof(source));
            into.copy_(parameter);
        }
    }
}
