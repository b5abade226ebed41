using static TorchSharp.torch;

namespace Rlhf.Generation;

/// <summary>
/// Turns next-token logits into tokens. Pure: the result depends only on the logits, the options and
/// the state of the random generator passed in, so a seeded generator makes sampling reproducible.
/// </summary>
public static class Sampler
{
    /// <summary>
    /// Chooses one token per row of <paramref name="logits"/> (B, V) and returns it (B, int64) with its
    /// log-probability (B) under the sampling distribution log_softmax(logits / temperature), before top-k /
    /// top-p truncation, which is what PPO's importance ratio compares against. Greedy decoding returns the
    /// argmax and its log-probability under the untempered distribution.
    /// </summary>
    public static (Tensor Tokens, Tensor LogProbs) SampleNextToken(Tensor logits, SamplingOptions options, Generator? generator)
    {
        using var scope = NewDisposeScope();
        logits = logits.to(ScalarType.Float32);
        if (options.IsGreedy)
        {
            var best = logits.argmax(-1); // (B)
            var greedyLogProbs = logits.log_softmax(-1).gather(1, best.unsqueeze(1)).squeeze(1); // (B)
            return (best.MoveToOuterDisposeScope(), greedyLogProbs.MoveToOuterDisposeScope());
        }
        var scaled = logits / options.Temperature; // (B, V)
        var kept = KeepTopKTopP(scaled, options.TopK, options.TopP); // (B, V), -inf outside the kept set
        var tokens = kept.softmax(-1).multinomial(1, replacement: false, generator: generator); // (B, 1)
        var logProbs = scaled.log_softmax(-1).gather(1, tokens).squeeze(1); // (B)
        return (tokens.squeeze(1).MoveToOuterDisposeScope(), logProbs.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// Sets to -inf every logit (B, V) outside the <paramref name="topK"/> largest (0 = no limit) and then
    /// outside the smallest set of largest ones whose softmax probability reaches <paramref name="topP"/>
    /// (1 = no limit; Holtzman et al. 2020, nucleus sampling). The most likely token is always kept.
    /// </summary>
    public static Tensor KeepTopKTopP(Tensor logits, int topK, double topP)
    {
        using var scope = NewDisposeScope();
        var result = logits;
        long vocabulary = logits.shape[^1];
        if (topK > 0 && topK < vocabulary)
        {
            var (values, indices) = logits.topk(topK, dim: -1); // (B, k)
            result = full_like(logits, double.NegativeInfinity).scatter(-1, indices, values); // (B, V): exactly k kept, even with ties
        }
        if (topP < 1.0)
        {
            var (sorted, order) = result.sort(-1, descending: true); // (B, V)
            var probs = sorted.softmax(-1); // (B, V)
            var massBefore = probs.cumsum(-1) - probs; // (B, V): probability of the more likely tokens
            var dropSorted = massBefore >= topP; // (B, V): the set already reached p without this token
            var drop = zeros_like(dropSorted).scatter(-1, order, dropSorted); // (B, V) back in vocabulary order
            result = result.masked_fill(drop, double.NegativeInfinity);
        }
        return (ReferenceEquals(result, logits) ? logits.clone() : result).MoveToOuterDisposeScope();
    }
}
