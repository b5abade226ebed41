using System.Text.Json.Serialization;

namespace Rlhf.Generation;

/// <summary>Everything one <see cref="GenerationEngine"/> call needs besides the prompts and the special token ids.</summary>
public sealed record GenerationOptions
{
    /// <summary>How each token is chosen. Default: temperature 1, no top-k, no top-p.</summary>
    [JsonPropertyName("sampling")] public SamplingOptions Sampling { get; init; } = new();

    /// <summary>Most tokens generated per sequence; generation stops earlier once every sequence has
    /// produced end-of-text. Default 64.</summary>
    [JsonPropertyName("max_new_tokens")] public int MaxNewTokens { get; init; } = 64;

    /// <summary>Seed of the random generator sampling draws from: the same seed gives the same tokens. Default 0.</summary>
    [JsonPropertyName("seed")] public long Seed { get; init; } = 0;

    /// <summary>Reuse keys and values of earlier tokens (fast). False re-runs the whole sequence every step,
    /// which gives the same result and exists to prove that. Default true.</summary>
    [JsonPropertyName("use_kv_cache")] public bool UseKvCache { get; init; } = true;

    /// <summary>Torch intra-op threads while generating on the CPU (restored afterwards); 0 keeps torch's setting. Default 1:
    /// a decode step of a course-sized model multiplies small matrices, and a second OpenMP thread costs more in
    /// synchronisation than it adds (interleaved A/B, 16 x (32 + 64) tokens with the KV cache: 7,806 against 6,703 new
    /// tokens/s for 4 layers x 128; for 6 layers x 384 one thread is 4% slower, 1,040 against 1,089; docs/benchmarks.md).
    /// Set 0 for larger models. Training keeps all threads.</summary>
    [JsonPropertyName("cpu_threads")] public int CpuThreads { get; init; } = 1;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first field out of range.</summary>
    public GenerationOptions Validate()
    {
        ArgumentNullException.ThrowIfNull(Sampling, nameof(Sampling));
        Sampling.Validate();
        if (MaxNewTokens < 1)
            throw new ArgumentException($"GenerationOptions.MaxNewTokens (\"max_new_tokens\") must be at least 1, got {MaxNewTokens}.", nameof(MaxNewTokens));
        if (CpuThreads < 0)
            throw new ArgumentException($"GenerationOptions.CpuThreads (\"cpu_threads\") must be 0 (torch's setting) or more, got {CpuThreads}.", nameof(CpuThreads));
        return this;
    }
}
