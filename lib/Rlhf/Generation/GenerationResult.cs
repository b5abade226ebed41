using static TorchSharp.torch;

namespace Rlhf.Generation;

/// <summary>
/// What <see cref="GenerationEngine"/> produced for a batch, as tensors on the model's device (ready for a
/// PPO step) and, through <see cref="Sequences"/>, as arrays. Masks are int64 0/1 like the ids, so
/// <c>cat([PromptMask, ResponseMask], 1)</c> is the attention mask of the whole sequence. The tensors belong to the
/// dispose scope the engine was called in, if any; disposing the result frees them at once.
/// </summary>
public sealed class GenerationResult : IDisposable
{
    internal GenerationResult(Tensor promptIds, Tensor promptMask, Tensor responseIds, Tensor responseMask, Tensor logProbs,
        int endOfTextId, int padId)
    {
        PromptIds = promptIds;
        PromptMask = promptMask;
        ResponseIds = responseIds;
        ResponseMask = responseMask;
        LogProbs = logProbs;
        EndOfTextId = endOfTextId;
        PadId = padId;
    }

    /// <summary>Prompts, left-padded with the pad id (B, P).</summary>
    public Tensor PromptIds { get; }

    /// <summary>1 on prompt tokens, 0 on their left padding (B, P).</summary>
    public Tensor PromptMask { get; }

    /// <summary>Generated ids (B, N), N the number of steps run; the pad id after each row's first end-of-text.</summary>
    public Tensor ResponseIds { get; }

    /// <summary>1 on generated tokens up to and including the first end-of-text, 0 after it (B, N).</summary>
    public Tensor ResponseMask { get; }

    /// <summary>Log-probability of each generated token under the sampling distribution, 0 where the mask is 0 (B, N).</summary>
    public Tensor LogProbs { get; }

    /// <summary>The end-of-text id generation stopped at.</summary>
    public int EndOfTextId { get; }

    /// <summary>The id used for padding.</summary>
    public int PadId { get; }

    /// <summary>Rows in the batch (B).</summary>
    public int BatchSize => (int)ResponseIds.shape[0];

    /// <summary>Generation steps run (N): at most the maximum, fewer when every row ended early.</summary>
    public int Steps => (int)ResponseIds.shape[1];

    /// <summary>Prompt and response side by side (B, P + N): the sequence a PPO step scores.</summary>
    public Tensor SequenceIds() => cat([PromptIds, ResponseIds], 1);

    /// <summary>Attention mask of <see cref="SequenceIds"/> (B, P + N).</summary>
    public Tensor SequenceMask() => cat([PromptMask, ResponseMask], 1);

    /// <summary>Copies every row to arrays.</summary>
    public IReadOnlyList<GeneratedSequence> Sequences()
    {
        using var scope = NewDisposeScope();
        var prompts = PromptIds.cpu().to(ScalarType.Int32).data<int>().ToArray();
        var promptMask = PromptMask.cpu().to(ScalarType.Int32).data<int>().ToArray();
        var responses = ResponseIds.cpu().to(ScalarType.Int32).data<int>().ToArray();
        var responseMask = ResponseMask.cpu().to(ScalarType.Int32).data<int>().ToArray();
        var logProbs = LogProbs.cpu().to(ScalarType.Float32).data<float>().ToArray();
        int p = (int)PromptIds.shape[1], n = Steps;
        var rows = new List<GeneratedSequence>(BatchSize);
        for (int b = 0; b < BatchSize; b++)
        {
            var prompt = prompts.Skip(b * p).Take(p).Where((_, i) => promptMask[b * p + i] == 1).ToArray();
            var ids = responses.Skip(b * n).Take(n).ToArray();
            var mask = responseMask.Skip(b * n).Take(n).ToArray();
            bool ended = ids.Where((_, i) => mask[i] == 1).Contains(EndOfTextId);
            rows.Add(new GeneratedSequence(prompt, ids, mask, logProbs.Skip(b * n).Take(n).ToArray(), ended));
        }
        return rows;
    }

    /// <summary>Frees the tensors.</summary>
    public void Dispose()
    {
        PromptIds.Dispose();
        PromptMask.Dispose();
        ResponseIds.Dispose();
        ResponseMask.Dispose();
        LogProbs.Dispose();
    }
}
