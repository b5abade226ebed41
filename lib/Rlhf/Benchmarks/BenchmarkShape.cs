using Rlhf.Models;

namespace Rlhf.Benchmarks;

/// <summary>
/// One model size of <c>rlhf bench</c> and the workloads measured on it. <see cref="Tiny"/> and <see cref="Small"/> are
/// issue 10's two configurations (the reference PyTorch figures in docs/benchmarks.md were taken on exactly these);
/// <see cref="Smoke"/> is a toy that checks the command end to end in seconds and measures nothing worth reporting.
/// </summary>
public sealed record BenchmarkShape
{
    /// <summary>The key of this shape in the report (<c>tiny</c>, <c>small</c>, ...).</summary>
    public required string Name { get; init; }

    /// <summary>The model measured (freshly initialised, random weights).</summary>
    public required GptConfig Model { get; init; }

    /// <summary>Sequences per training step (B).</summary>
    public required int TrainBatch { get; init; }

    /// <summary>Tokens per training sequence (T).</summary>
    public required int TrainLength { get; init; }

    /// <summary>Preference pairs per DPO step (N; the forward sees 2N rows).</summary>
    public required int DpoPairs { get; init; }

    /// <summary>Tokens per DPO sequence (prompt and response; the second half is the response).</summary>
    public required int DpoLength { get; init; }

    /// <summary>Rows generated together. Default 16 (issue 10).</summary>
    public int GenerationBatch { get; init; } = 16;

    /// <summary>Prompt tokens per row. Default 32.</summary>
    public int PromptLength { get; init; } = 32;

    /// <summary>New tokens per row, sampled at temperature 1. Default 64.</summary>
    public int NewTokens { get; init; } = 64;

    /// <summary>Whether to also time generation without the KV cache (the reference measured it on tiny only: on small it
    /// takes about a minute). Default true.</summary>
    public bool MeasureNoCache { get; init; } = true;

    /// <summary>4 layers, 4 heads, width 128, vocabulary 512, context 128; training 32 x 128, DPO 32 pairs x 128.</summary>
    public static BenchmarkShape Tiny { get; } = new()
    {
        Name = "tiny",
        Model = new GptConfig { Layers = 4, Heads = 4, EmbeddingSize = 128, VocabularySize = 512, ContextLength = 128 },
        TrainBatch = 32, TrainLength = 128, DpoPairs = 32, DpoLength = 128,
    };

    /// <summary>6 layers, 6 heads, width 384, vocabulary 4096, context 256; training 16 x 256, DPO 16 pairs x 256;
    /// no no-cache generation.</summary>
    public static BenchmarkShape Small { get; } = new()
    {
        Name = "small",
        Model = new GptConfig { Layers = 6, Heads = 6, EmbeddingSize = 384, VocabularySize = 4096, ContextLength = 256 },
        TrainBatch = 16, TrainLength = 256, DpoPairs = 16, DpoLength = 256, MeasureNoCache = false,
    };

    /// <summary>1 layer, 2 heads, width 32, vocabulary 64, context 32, batches of 2: for tests of the command, not for figures.</summary>
    public static BenchmarkShape Smoke { get; } = new()
    {
        Name = "smoke",
        Model = new GptConfig { Layers = 1, Heads = 2, EmbeddingSize = 32, VocabularySize = 64, ContextLength = 32 },
        TrainBatch = 2, TrainLength = 16, DpoPairs = 2, DpoLength = 16, GenerationBatch = 2, PromptLength = 4, NewTokens = 8,
    };

    /// <summary>The presets by name: <c>tiny</c>, <c>small</c>, <c>smoke</c>.</summary>
    public static IReadOnlyDictionary<string, BenchmarkShape> Presets { get; } =
        new[] { Tiny, Small, Smoke }.ToDictionary(s => s.Name);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first field out of range.</summary>
    public BenchmarkShape Validate()
    {
        Model.Validate();
        Require(TrainBatch >= 1, nameof(TrainBatch), TrainBatch, "must be at least 1");
        Require(TrainLength >= 1 && TrainLength <= Model.ContextLength, nameof(TrainLength), TrainLength, $"must be in [1, {Model.ContextLength}] (the context length)");
        Require(DpoPairs >= 1, nameof(DpoPairs), DpoPairs, "must be at least 1");
        Require(DpoLength >= 2 && DpoLength <= Model.ContextLength, nameof(DpoLength), DpoLength, $"must be in [2, {Model.ContextLength}]");
        Require(GenerationBatch >= 1, nameof(GenerationBatch), GenerationBatch, "must be at least 1");
        Require(PromptLength >= 1, nameof(PromptLength), PromptLength, "must be at least 1");
        Require(NewTokens >= 1 && PromptLength + NewTokens <= Model.ContextLength, nameof(NewTokens), NewTokens,
            $"must be at least 1, and prompt + new tokens at most the context length {Model.ContextLength}");
        return this;
    }

    void Require(bool ok, string field, int value, string rule)
    {
        if (!ok) throw new ArgumentException($"BenchmarkShape '{Name}'.{field} {rule}, got {value}.", field);
    }
}
