using Rlhf.Generation;
using Rlhf.Models;
using Rlhf.Text;
using static TorchSharp.torch;

namespace Rlhf.Evaluation;

/// <summary>
/// KL(policy || reference) of what a policy says, estimated by Monte Carlo: sample a response y from the policy, then
/// KL ≈ sum over the response tokens of log pi(y_t | ...) - log pi_ref(y_t | ...) (the k1 estimator, Schulman 2020),
/// averaged over prompts. Both log-probs are taken at the sampling temperature, as PPO's KL penalty is.
/// </summary>
public static class KlToReference
{
    /// <summary>
    /// Per-sequence k1 KL (B): sum over t of mask[b, t] * (log pi - log pi_ref)(response token t), with the log-probs of
    /// <paramref name="policy"/> and <paramref name="reference"/> recomputed on the same tokens at <paramref name="temperature"/>.
    /// </summary>
    /// <param name="policy">The model the responses were sampled from.</param>
    /// <param name="reference">The model it is compared with (the SFT model in the course).</param>
    /// <param name="sequenceIds">(B, P + N) left-padded prompts then the generated tokens.</param>
    /// <param name="sequenceMask">(B, P + N) 1 on real tokens.</param>
    /// <param name="promptLength">P, the prompt columns.</param>
    /// <param name="responseMask">(B, N) 1 on the response tokens up to and including end-of-text.</param>
    /// <param name="temperature">The sampling temperature (1 for the policy's own distribution).</param>
    public static Tensor PerSequence(ICausalLanguageModel policy, ICausalLanguageModel reference, Tensor sequenceIds, Tensor sequenceMask,
        int promptLength, Tensor responseMask, double temperature)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var policyLogProbs = TokenLogProbs.OfResponse(policy, sequenceIds, sequenceMask, promptLength, temperature).LogProbs;       // (B, N)
        var referenceLogProbs = TokenLogProbs.OfResponse(reference, sequenceIds, sequenceMask, promptLength, temperature).LogProbs; // (B, N)
        var mask = responseMask.to(ScalarType.Float32);                                                         // (B, N)
        return (KlEstimators.K1(policyLogProbs, referenceLogProbs) * mask).sum(1).MoveToOuterDisposeScope();    // (B)
    }


    /// <summary>
    /// Per-prompt KL(policy || reference) of one response sampled from <paramref name="policy"/> for each prompt at
    /// <paramref name="temperature"/> (at most <paramref name="responseLength"/> tokens, generator seeded with <paramref name="seed"/>).
    /// </summary>
    public static IReadOnlyList<double> OnPrompts(ICausalLanguageModel policy, ICausalLanguageModel reference, TextTokenizer tokenizer,
        IReadOnlyList<string> prompts, double temperature, int responseLength, long seed, int batchSize = 32)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var template = new ChatTemplate(tokenizer);
        var engine = new GenerationEngine(policy);
        var options = new GenerationOptions { Sampling = new SamplingOptions { Temperature = temperature }, MaxNewTokens = responseLength, Seed = seed };
        using var random = new Generator((ulong)seed, policy.Device);
        var kl = new List<double>(prompts.Count);
        foreach (var batch in prompts.Chunk(batchSize))
        {
            using var scope = NewDisposeScope();
            var ids = batch.Select(p => (IReadOnlyList<int>)template.EncodePrompt(p, policy.ContextLength - responseLength).InputIds).ToList();
            using var generated = engine.Generate(ids, options, tokenizer.EndOfTextId, tokenizer.PadId, random);
            var perSequence = PerSequence(policy, reference, generated.SequenceIds(), generated.SequenceMask(),
                (int)generated.PromptIds.shape[1], generated.ResponseMask, temperature); // (B)
            kl.AddRange(perSequence.cpu().data<float>().ToArray().Select(v => (double)v));
        }
        return kl;
    }
}
