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

    /// <summary>Torch intra-op threads while generating on the CPU (restored afterwards); 0 (default) keeps torch's setting.
    /// One thread can help small models, whose decode steps multiply small matrices; measured with
    /// docs/scripts/generation-threads-ab.fsx, two interleaved A/B runs gave +16% and +1% for 4 layers x 128 and -4%
    /// twice for 6 layers x 384, so it is an option, not the default (docs/benchmarks.md).</summary>
    [JsonPropertyName("cpu_threads")] public int CpuThreads { get; init; } = 0;

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
