using Rlhf.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Generation;

/// <summary>
/// Batched text generation for any <see cref="ICausalLanguageModel"/>: prompts are left-padded so every
/// row's next token sits in the last column, the prompt runs once through the model filling a
/// <see cref="KvCache"/>, then each step feeds only the newest token. Rows that produce end-of-text keep
/// being padded (and masked) until every row has ended or the token limit is reached. The engine works on
/// token ids only: the end-of-text and pad ids are passed in, not a tokenizer.
/// </summary>
public sealed class GenerationEngine(ICausalLanguageModel model)
{
    /// <summary>The model generating.</summary>
    public ICausalLanguageModel Model { get; } = model;

    /// <summary>Generates for unpadded prompts (each a list of ids); see
    /// <see cref="Generate(Tensor, Tensor, GenerationOptions, int, int, Generator?)"/>.</summary>
    public GenerationResult Generate(IReadOnlyList<IReadOnlyList<int>> prompts, GenerationOptions options, int endOfTextId, int padId,
        Generator? generator = null)
    {
        using var scope = NewDisposeScope();
        var (ids, mask) = LeftPad(prompts, padId, Model.Device);
        var result = Generate(ids, mask, options, endOfTextId, padId, generator);
        foreach (var t in new[] { result.PromptIds, result.PromptMask, result.ResponseIds, result.ResponseMask, result.LogProbs })
            t.MoveToOuterDisposeScope();
        return result;
    }

    /// <summary>
    /// Generates up to <see cref="GenerationOptions.MaxNewTokens"/> tokens after each row of
    /// <paramref name="promptIds"/> (B, P), left-padded as marked by <paramref name="promptMask"/> (B, P, 1 on
    /// real tokens). Sampling draws from <paramref name="generator"/>, or from a fresh one seeded with
    /// <see cref="GenerationOptions.Seed"/> when null (same seed, same tokens). The model is put in eval mode
    /// for the call and restored after; no gradients are recorded.
    /// </summary>
    public GenerationResult Generate(Tensor promptIds, Tensor promptMask, GenerationOptions options, int endOfTextId, int padId,
        Generator? generator = null)
    {
        options.Validate();
        if (promptIds.dim() != 2 || !promptIds.shape.SequenceEqual(promptMask.shape))
            throw new ArgumentException(
                $"prompt ids (B, P) and mask must have the same shape, got [{string.Join(", ", promptIds.shape)}] and [{string.Join(", ", promptMask.shape)}].");
        int batch = (int)promptIds.shape[0], promptLength = (int)promptIds.shape[1], maxNew = options.MaxNewTokens;
        if (batch == 0 || promptLength == 0) throw new ArgumentException("no prompt tokens given: prompt ids are (B, P) with B and P at least 1.", nameof(promptIds));
        if (promptLength + maxNew > Model.ContextLength)
            throw new ArgumentException(
                $"prompt length {promptLength} + max new tokens {maxNew} = {promptLength + maxNew} exceeds the model's context length {Model.ContextLength}; " +
                "shorten the prompts or lower GenerationOptions.MaxNewTokens.", nameof(options));

        var module = Model as nn.Module;
        bool wasTraining = module?.training ?? false;
        module?.eval();
        int threadsBefore = get_num_threads();
        bool setThreads = options.CpuThreads > 0 && Model.Device.type == DeviceType.CPU && options.CpuThreads != threadsBefore;
        if (setThreads) set_num_threads(options.CpuThreads);
        using var noGrad = no_grad();
        using var ownGenerator = generator is null ? new Generator((ulong)options.Seed, Model.Device) : null;
        var random = generator ?? ownGenerator!;
        try
        {
            using var scope = NewDisposeScope();
            var device = Model.Device;
            var prompt = promptIds.to(ScalarType.Int64, device); // (B, P)
            var realPrompt = promptMask.to(ScalarType.Int64, device); // (B, P)
            if (!realPrompt.select(1, promptLength - 1).eq(1).all().item<bool>())
                throw new ArgumentException("every prompt must end in the last column (left padding) and be non-empty.", nameof(promptMask));

            var sequence = cat([prompt, full(batch, maxNew, padId, ScalarType.Int64, device)], 1); // (B, P + N)
            var attention = cat([realPrompt, ones(batch, maxNew, ScalarType.Int64, device)], 1); // (B, P + N)
            var responseMask = zeros(batch, maxNew, ScalarType.Int64, device); // (B, N)
            var logProbs = zeros(batch, maxNew, ScalarType.Float32, device); // (B, N)
            var ended = zeros(batch, ScalarType.Bool, device); // (B)
            using var cache = options.UseKvCache ? Model.NewCache(batch, promptLength + maxNew) : null;

            var logits = NextTokenLogits(sequence, attention, promptLength, promptLength, cache); // (B, V)
            int steps = 0;
            while (true)
            {
                using var stepScope = NewDisposeScope();
                var (sampled, sampledLogProbs) = Sampler.SampleNextToken(logits, options.Sampling, random); // (B), (B)
                var alive = ended.logical_not(); // (B)
                var token = where(alive, sampled, tensor((long)padId, device: device)); // (B)
                sequence.select(1, promptLength + steps).copy_(token);
                responseMask.select(1, steps).copy_(alive);
                logProbs.select(1, steps).copy_(sampledLogProbs * alive);
                ended.logical_or_(token.eq(endOfTextId));
                steps++;
                if (steps == maxNew || ended.all().item<bool>()) break; // the one host read per step
                var next = NextTokenLogits(sequence, attention, promptLength + steps, 1, cache).MoveToOuterDisposeScope();
                logits.Dispose();
                logits = next;
            }

            var result = new GenerationResult(
                prompt.clone().MoveToOuterDisposeScope(), realPrompt.clone().MoveToOuterDisposeScope(),
                sequence.narrow(1, promptLength, steps).clone().MoveToOuterDisposeScope(), // (B, steps)
                responseMask.narrow(1, 0, steps).clone().MoveToOuterDisposeScope(),
                logProbs.narrow(1, 0, steps).clone().MoveToOuterDisposeScope(), endOfTextId, padId);
            return result;
        }
        finally
        {
            if (setThreads) set_num_threads(threadsBefore);
            if (wasTraining) module!.train();
        }
    }

    /// <summary>Logits (B, V) for the token after position <paramref name="length"/> - 1, feeding the last
    /// <paramref name="newTokens"/> tokens through the cache (or the whole prefix when there is none).</summary>
    Tensor NextTokenLogits(Tensor sequence, Tensor attention, int length, int newTokens, KvCache? cache)
    {
        using var scope = NewDisposeScope();
        var input = cache is null ? sequence.narrow(1, 0, length) : sequence.narrow(1, length - newTokens, newTokens); // (B, T)
        var logits = Model.forward(input, attention.narrow(1, 0, length), cache); // (B, T, V)
        return logits.select(1, -1).clone().MoveToOuterDisposeScope(); // (B, V)
    }

    /// <summary>Left-pads <paramref name="prompts"/> to the longest one: ids (B, P) and mask (B, P) with 1 on real tokens.</summary>
    public static (Tensor Ids, Tensor Mask) LeftPad(IReadOnlyList<IReadOnlyList<int>> prompts, int padId, Device device)
    {
        if (prompts.Count == 0) throw new ArgumentException("no prompts given.", nameof(prompts));
        for (int i = 0; i < prompts.Count; i++)
            if (prompts[i].Count == 0) throw new ArgumentException($"prompt {i} is empty; every prompt needs at least one token.", nameof(prompts));
        int width = prompts.Max(p => p.Count);
        var ids = new long[prompts.Count * width];
        var mask = new long[prompts.Count * width];
        for (int b = 0; b < prompts.Count; b++)
        {
            int offset = width - prompts[b].Count;
            for (int i = 0; i < width; i++)
            {
                ids[b * width + i] = i < offset ? padId : prompts[b][i - offset];
                mask[b * width + i] = i < offset ? 0 : 1;
            }
        }
        return (tensor(ids, [prompts.Count, width], device: device), tensor(mask, [prompts.Count, width], device: device)); // (B, P) each
    }
}
