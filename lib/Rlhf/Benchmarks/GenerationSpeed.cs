using Rlhf.Generation;
using Rlhf.Models;
using static TorchSharp.torch;

namespace Rlhf.Benchmarks;

/// <summary>Generation throughput of the <see cref="GenerationEngine"/>, with and without its KV cache.</summary>
public static class GenerationSpeed
{
    /// <summary>
    /// New tokens per second of <paramref name="model"/> generating <see cref="BenchmarkShape.NewTokens"/> tokens at
    /// temperature 1 after random unpadded prompts (<see cref="BenchmarkShape.GenerationBatch"/> x
    /// <see cref="BenchmarkShape.PromptLength"/>): median over <paramref name="runs"/> runs after <paramref name="warmup"/>.
    /// No row ever ends early (no token is end-of-text), so every run does the same work.
    /// </summary>
    public static double NewTokensPerSecond(Gpt model, BenchmarkShape shape, bool useKvCache, int warmup, int runs)
    {
        const int neverEnds = -1; // not a token id: sampling cannot stop a row early
        var engine = new GenerationEngine(model);
        var options = new GenerationOptions
        {
            MaxNewTokens = shape.NewTokens, UseKvCache = useKvCache, Sampling = new SamplingOptions { Temperature = 1.0 }, Seed = 1,
        };
        using var prompts = randint(0, shape.Model.VocabularySize, [shape.GenerationBatch, shape.PromptLength], dtype: ScalarType.Int64, device: model.Device); // (B, P)
        using var mask = ones_like(prompts); // (B, P): no padding
        var seconds = Timing.Seconds(warmup, runs, () =>
        {
            using var result = engine.Generate(prompts, mask, options, neverEnds, padId: 0);
        });
        return shape.GenerationBatch * shape.NewTokens / Timing.Median(seconds);
    }
}
