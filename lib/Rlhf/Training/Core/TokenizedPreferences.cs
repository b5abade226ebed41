using Rlhf.Data;
using Rlhf.Text;
using Rlhf.Torch;
using static TorchSharp.torch;

namespace Rlhf.Training;

/// <summary>Preference pairs through the chat template, for the reward model and DPO alike: each pair a
/// <see cref="PreferenceExample"/> (both conversations encoded, gold scores where the judge can score), collated
/// chosen-then-rejected by <see cref="PreferenceBatch.Collate"/>.</summary>
public sealed class TokenizedPreferences
{
    readonly PreferenceExample[] examples;
    readonly int padId;

    /// <summary>Encodes <paramref name="pairs"/> with <paramref name="template"/>, each sequence cut to <paramref name="maxLength"/>
    /// tokens by the template's policy (the shared prompt from the left first, once for both answers); cut pairs are counted in <see cref="TruncatedPairs"/>.</summary>
    public TokenizedPreferences(IReadOnlyList<PreferencePair> pairs, ChatTemplate template, int maxLength)
    {
        if (pairs.Count == 0) throw new ArgumentException("no preference pairs given", nameof(pairs));
        Pairs = pairs;
        examples = pairs.Select(p => PreferenceExample.Encode(p, template, maxLength)).ToArray();
        TruncatedPairs = examples.Count(e => e.Truncated);
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

    /// <summary>The encoded pairs.</summary>
    public IReadOnlyList<PreferenceExample> Examples => examples;

    /// <summary>The chosen and rejected sequences of pair <paramref name="index"/>.</summary>
    public (ChatExample Chosen, ChatExample Rejected) this[int index] => (examples[index].Chosen, examples[index].Rejected);

    /// <summary>Pads pairs <paramref name="indices"/> into (2N, T) tensors on <see cref="TorchRuntime.Device"/>: ids and loss mask,
    /// chosen rows first, then rejected rows in the same order.</summary>
    public (Tensor InputIds, Tensor LossMask) Collate(IReadOnlyList<int> indices)
    {
        var batch = PreferenceBatch.Collate(indices.Select(i => examples[i]).ToList(), padId, TorchRuntime.Device);
        batch.AttentionMask.Dispose(); // DPO's sums need only the loss mask
        return (batch.InputIds, batch.LossMask); // (2N, T), (2N, T)
    }
}
