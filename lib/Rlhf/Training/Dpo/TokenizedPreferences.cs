using Rlhf.Data;
using Rlhf.Text;
using Rlhf.Torch;
using static TorchSharp.torch;

namespace Rlhf.Training;

/// <summary>Preference pairs through the chat template: each response becomes its own training sequence (prompt,
/// response, end-of-text, with the response's loss mask), ready to be collated chosen-then-rejected.</summary>
public sealed class TokenizedPreferences
{
    readonly ChatExample[] chosen;
    readonly ChatExample[] rejected;
    readonly int padId;

    /// <summary>Encodes <paramref name="pairs"/> with <paramref name="template"/>, each sequence cut to <paramref name="maxLength"/>
    /// tokens by the template's policy (the shared prompt from the left first, once for both answers); cut pairs are counted in <see cref="TruncatedPairs"/>.</summary>
    public TokenizedPreferences(IReadOnlyList<PreferencePair> pairs, ChatTemplate template, int maxLength)
    {
        if (pairs.Count == 0) throw new ArgumentException("no preference pairs given", nameof(pairs));
        Pairs = pairs;
        var encoded = pairs.Select(p => template.EncodePair(p.Prompt, p.Chosen, p.Rejected, maxLength)).ToArray();
        chosen = encoded.Select(e => e.Chosen).ToArray();
        rejected = encoded.Select(e => e.Rejected).ToArray();
        TruncatedPairs = Enumerable.Range(0, pairs.Count).Count(i => chosen[i].Truncation.Truncated || rejected[i].Truncation.Truncated);
        padId = template.Tokenizer.PadId;
    }

    /// <summary>What the loader reported about the file the pairs came from (identical chosen/rejected pairs are counted there),
    /// or null when the pairs were not read from a file.</summary>
    public Data.LoadReport? Report { get; init; }

    /// <summary>The pairs as text.</summary>
    public IReadOnlyList<PreferencePair> Pairs { get; }

    /// <summary>Number of pairs.</summary>
    public int Count => Pairs.Count;

    /// <summary>Pairs with a sequence cut to fit the maximum length (they are kept, cut, not dropped).</summary>
    public int TruncatedPairs { get; }

    /// <summary>The chosen and rejected sequences of pair <paramref name="index"/>.</summary>
    public (ChatExample Chosen, ChatExample Rejected) this[int index] => (chosen[index], rejected[index]);

    /// <summary>Pads pairs <paramref name="indices"/> into (2N, T) tensors on <see cref="TorchRuntime.Device"/>: ids and loss mask,
    /// chosen rows first, then rejected rows in the same order.</summary>
    public (Tensor InputIds, Tensor LossMask) Collate(IReadOnlyList<int> indices)
    {
        var examples = indices.Select(i => chosen[i]).Concat(indices.Select(i => rejected[i])).ToList();
        var padded = BatchCollator.ForTraining(examples, padId);
        var device = TorchRuntime.Device;
        return (tensor(padded.InputIds, device: device), tensor(padded.LossMask, device: device)); // (2N, T), (2N, T)
    }
}
