using System.Globalization;
using System.Text.Json.Serialization;
using Rlhf.Generation;

namespace Rlhf.Evaluation;

/// <summary>
/// How <see cref="PolicyEvaluator"/> samples and scores a policy. The sampling settings are part of every result
/// (<see cref="Describe"/>), so a table always says how its numbers were produced.
/// </summary>
public sealed record PolicyEvaluationOptions
{
    /// <summary>The held-out prompts, one per line. Default <c>data/tinyworld/eval_prompts.txt</c> (172 prompts, every task kind).</summary>
    [JsonPropertyName("prompts_file")] public string PromptsFile { get; init; } = "data/tinyworld/eval_prompts.txt";

    /// <summary>How responses are generated. Default: greedy decoding, at most 48 new tokens, seed 0 (used only when sampling).
    /// 48 tokens leave room for every ideal TinyWorld answer (under 30 tokens) and show a rambling model rambling.</summary>
    [JsonPropertyName("generation")] public GenerationOptions Generation { get; init; } = new()
    {
        Sampling = SamplingOptions.GreedyDecoding, MaxNewTokens = 48, Seed = 0,
    };

    /// <summary>Prompts generated for at once (left-padded into one batch). Default 32.</summary>
    [JsonPropertyName("batch_size")] public int BatchSize { get; init; } = 32;

    /// <summary>Keep only the first N prompts of each task kind (in file order); 0 keeps all. A small N gives a quick,
    /// still balanced, evaluation for smoke runs. Default 0.</summary>
    [JsonPropertyName("max_prompts_per_kind")] public int MaxPromptsPerKind { get; init; } = 0;

    /// <summary>Greedy decoding on every held-out prompt: the course's evaluation setting.</summary>
    public static PolicyEvaluationOptions Greedy { get; } = new();

    /// <summary>Sampling at temperature 1 (no top-k / top-p) with seed 0: what the policy actually does when it samples.</summary>
    public static PolicyEvaluationOptions TemperatureOne { get; } = new()
    {
        Generation = new GenerationOptions { Sampling = new SamplingOptions { Temperature = 1.0 }, MaxNewTokens = 48, Seed = 0 },
    };

    /// <summary>The course preset: every prompt in a full run, two per task kind (14 prompts) in a smoke run.</summary>
    public static PolicyEvaluationOptions Course => CourseRun.Pick(Greedy, Greedy with { MaxPromptsPerKind = 2 });

    /// <summary>The sampling settings in words, e.g. <c>greedy, max 48 new tokens</c> or <c>T=1, top-k 0, top-p 1, seed 0, max 48 new tokens</c>.</summary>
    public string Describe()
    {
        var s = Generation.Sampling;
        string sampling = s.IsGreedy
            ? "greedy"
            : string.Create(CultureInfo.InvariantCulture, $"T={s.Temperature:0.###}, top-k {s.TopK}, top-p {s.TopP:0.###}, seed {Generation.Seed}");
        return $"{sampling}, max {Generation.MaxNewTokens} new tokens";
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first field out of range.</summary>
    public PolicyEvaluationOptions Validate()
    {
        if (string.IsNullOrWhiteSpace(PromptsFile))
            throw new ArgumentException("PolicyEvaluationOptions.PromptsFile (\"prompts_file\") must name a file of prompts.", nameof(PromptsFile));
        ArgumentNullException.ThrowIfNull(Generation, nameof(Generation));
        Generation.Validate();
        if (BatchSize < 1)
            throw new ArgumentException($"PolicyEvaluationOptions.BatchSize (\"batch_size\") must be at least 1, got {BatchSize}.", nameof(BatchSize));
        if (MaxPromptsPerKind < 0)
            throw new ArgumentException($"PolicyEvaluationOptions.MaxPromptsPerKind (\"max_prompts_per_kind\") must be 0 (all) or more, got {MaxPromptsPerKind}.", nameof(MaxPromptsPerKind));
        return this;
    }
}
