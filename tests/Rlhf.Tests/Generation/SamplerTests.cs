using Rlhf.Generation;
using Rlhf.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Tests.Generation;

public class SamplerTests
{
    public SamplerTests() => TorchRuntime.Init();

    static Tensor Row(params float[] values) => tensor(values, device: TorchRuntime.Device).unsqueeze(0);
    static float[] Values(Tensor t) => t.cpu().data<float>().ToArray();
    static readonly float Inf = float.NegativeInfinity;

    [Fact]
    public void Top_k_keeps_exactly_the_k_largest_logits()
    {
        using var scope = NewDisposeScope();
        Assert.Equal([Inf, 4, Inf, 3], Values(Sampler.KeepTopKTopP(Row(1, 4, 2, 3), topK: 2, topP: 1)));
        // Ties: still exactly k survive.
        Assert.Equal(2, Values(Sampler.KeepTopKTopP(Row(0, 0, 0, 0, 0), topK: 2, topP: 1)).Count(float.IsFinite));
        Assert.Equal([1, 4, 2, 3], Values(Sampler.KeepTopKTopP(Row(1, 4, 2, 3), topK: 0, topP: 1)));
    }

    [Theory]
    [InlineData(0.4, new[] { 0 })]         // 0.5 alone already reaches 0.4
    [InlineData(0.7, new[] { 0, 1 })]      // 0.5 < 0.7 <= 0.5 + 0.3
    [InlineData(0.85, new[] { 0, 1, 2 })]  // 0.8 < 0.85 <= 0.95
    [InlineData(1.0, new[] { 0, 1, 2, 3 })]
    public void Top_p_keeps_the_smallest_set_reaching_p(double p, int[] kept)
    {
        using var scope = NewDisposeScope();
        // Probabilities 0.15, 0.5, 0.05, 0.3 in vocabulary order 2, 0, 3, 1 by rank: shuffled to prove the order is restored.
        var logits = Row(MathF.Log(0.5f), MathF.Log(0.3f), MathF.Log(0.15f), MathF.Log(0.05f)).index_select(1, tensor(new long[] { 2, 0, 3, 1 }, device: TorchRuntime.Device));
        var rankOf = new[] { 2, 0, 3, 1 }; // vocabulary position -> rank
        var result = Values(Sampler.KeepTopKTopP(logits, topK: 0, topP: p));
        for (int v = 0; v < 4; v++) Assert.Equal(kept.Contains(rankOf[v]), float.IsFinite(result[v]));
    }

    [Fact]
    public void Sampling_with_top_k_never_leaves_the_top_k_and_follows_the_renormalised_probabilities()
    {
        using var scope = NewDisposeScope();
        const int draws = 4000;
        var logits = Row(0, 3, 1, 2.5f, -1, 0.5f).expand(draws, 6);
        using var generator = new Generator(11, TorchRuntime.Device);
        var (tokens, _) = Sampler.SampleNextToken(logits, new SamplingOptions { TopK = 2 }, generator);
        var counts = tokens.cpu().data<long>().ToArray().GroupBy(t => t).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal([1L, 3L], counts.Keys.Order());
        double expected = 1 / (1 + Math.Exp(-0.5)); // P(1) = e^3 / (e^3 + e^2.5) = 0.622
        Assert.InRange(counts[1] / (double)draws, expected - 0.04, expected + 0.04);
    }

    [Fact]
    public void Sampling_with_top_p_never_leaves_the_nucleus()
    {
        using var scope = NewDisposeScope();
        var logits = Row(MathF.Log(0.5f), MathF.Log(0.3f), MathF.Log(0.15f), MathF.Log(0.05f)).expand(3000, 4);
        using var generator = new Generator(5, TorchRuntime.Device);
        var (tokens, _) = Sampler.SampleNextToken(logits, new SamplingOptions { TopP = 0.7 }, generator);
        Assert.Equal([0L, 1L], tokens.cpu().data<long>().ToArray().Distinct().Order());
    }

    [Fact]
    public void Log_probs_are_under_the_tempered_untruncated_distribution()
    {
        using var scope = NewDisposeScope();
        using var logitsGenerator = new Generator(3, TorchRuntime.Device);
        var logits = randn(8, 20, generator: logitsGenerator, device: TorchRuntime.Device) * 3;
        using var generator = new Generator(9, TorchRuntime.Device);
        var options = new SamplingOptions { Temperature = 0.7, TopK = 5, TopP = 0.9 };
        var (tokens, logProbs) = Sampler.SampleNextToken(logits, options, generator);
        var expected = (logits / 0.7).log_softmax(-1).gather(1, tokens.unsqueeze(1)).squeeze(1);
        Assert.True(logProbs.allclose(expected, rtol: 0, atol: 1e-6));
        Assert.False(logProbs.allclose(logits.log_softmax(-1).gather(1, tokens.unsqueeze(1)).squeeze(1), rtol: 0, atol: 1e-3));
    }

    [Theory]
    [InlineData(true, 1.0)]
    [InlineData(false, 0.0)]
    public void Greedy_and_temperature_zero_take_the_argmax_with_untempered_log_probs(bool greedy, double temperature)
    {
        using var scope = NewDisposeScope();
        var logits = Row(1, 4, 2, 3);
        var (tokens, logProbs) = Sampler.SampleNextToken(logits, new SamplingOptions { Greedy = greedy, Temperature = temperature }, null);
        Assert.Equal(1L, tokens.item<long>());
        double expected = 4 - Math.Log(Math.Exp(1) + Math.Exp(4) + Math.Exp(2) + Math.Exp(3)); // log softmax at index 1
        Assert.Equal(expected, logProbs.item<float>(), 5);
    }

    [Fact]
    public void The_same_seed_gives_the_same_tokens_and_another_seed_other_tokens()
    {
        using var scope = NewDisposeScope();
        var logits = zeros(64, 50, device: TorchRuntime.Device); // uniform: every draw is pure chance
        long[] Draw(ulong seed)
        {
            using var generator = new Generator(seed, TorchRuntime.Device);
            return Sampler.SampleNextToken(logits, new SamplingOptions(), generator).Tokens.cpu().data<long>().ToArray();
        }
        Assert.Equal(Draw(1), Draw(1));
        Assert.NotEqual(Draw(1), Draw(2));
    }

    [Theory]
    [InlineData(-0.5, 0, 1.0, "Temperature")]
    [InlineData(1.0, -1, 1.0, "TopK")]
    [InlineData(1.0, 0, 0.0, "TopP")]
    [InlineData(1.0, 0, 1.5, "TopP")]
    public void Bad_sampling_options_name_the_field(double temperature, int topK, double topP, string field)
    {
        var error = Assert.Throws<ArgumentException>(() => new SamplingOptions { Temperature = temperature, TopK = topK, TopP = topP }.Validate());
        Assert.Equal(field, error.ParamName);
    }
}
