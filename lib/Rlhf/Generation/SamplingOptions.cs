using System.Text.Json.Serialization;

namespace Rlhf.Generation;

/// <summary>
/// How the next token is chosen from the logits. Greedy decoding (or temperature 0) takes the most
/// likely token; otherwise the logits are divided by <see cref="Temperature"/>, optionally cut to the
/// <see cref="TopK"/> most likely tokens and then to the smallest set holding <see cref="TopP"/> of the
/// probability, and one token is drawn.
/// </summary>
public sealed record SamplingOptions
{
    /// <summary>Divides the logits before sampling: below 1 sharpens, above 1 flattens; 0 means greedy. Default 1.</summary>
    [JsonPropertyName("temperature")] public double Temperature { get; init; } = 1.0;

    /// <summary>Keep only the k most likely tokens; 0 keeps all. Default 0.</summary>
    [JsonPropertyName("top_k")] public int TopK { get; init; } = 0;

    /// <summary>Keep the smallest set of most likely tokens whose probability reaches p (nucleus sampling);
    /// 1 keeps all. In (0, 1]. Default 1.</summary>
    [JsonPropertyName("top_p")] public double TopP { get; init; } = 1.0;

    /// <summary>Always take the most likely token. Default false.</summary>
    [JsonPropertyName("greedy")] public bool Greedy { get; init; } = false;

    /// <summary>Whether the choice is the argmax (greedy, or temperature 0).</summary>
    [JsonIgnore] public bool IsGreedy => Greedy || Temperature == 0;

    /// <summary>Greedy decoding.</summary>
    public static SamplingOptions GreedyDecoding { get; } = new() { Greedy = true };

    /// <summary>Throws <see cref="ArgumentException"/> naming the first field out of range.</summary>
    public SamplingOptions Validate()
    {
        if (!(Temperature >= 0) || !double.IsFinite(Temperature))
            throw new ArgumentException($"SamplingOptions.Temperature (\"temperature\") must be 0 or more, got {Temperature}.", nameof(Temperature));
        if (TopK < 0)
            throw new ArgumentException($"SamplingOptions.TopK (\"top_k\") must be 0 (off) or more, got {TopK}.", nameof(TopK));
        if (!(TopP > 0 && TopP <= 1))
            throw new ArgumentException($"SamplingOptions.TopP (\"top_p\") must be in (0, 1], got {TopP}.", nameof(TopP));
        return this;
    }
}
