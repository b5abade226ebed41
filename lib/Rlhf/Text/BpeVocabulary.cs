namespace Rlhf.Text;

/// <summary>One BPE merge rule: the adjacent symbols <paramref name="Left"/> and <paramref name="Right"/> become one.</summary>
/// <param name="Left">Left symbol, in byte-level characters.</param>
/// <param name="Right">Right symbol, in byte-level characters.</param>
public readonly record struct BpeMerge(string Left, string Right)
{
    /// <summary>The token the merge produces.</summary>
    public string Merged => Left + Right;

    /// <summary>The <c>merges.txt</c> line form: <c>"Left Right"</c>.</summary>
    public override string ToString() => $"{Left} {Right}";
}

/// <summary>
/// A byte-level BPE vocabulary in memory: what <c>vocab.json</c> + <c>merges.txt</c> (+ our
/// <c>tokenizer_config.json</c>) hold. <see cref="Tokens"/> is in id order (token <c>i</c> has id
/// <c>i</c>); merges are in priority order (earlier merges are applied first).
/// </summary>
public sealed class BpeVocabulary
{
    /// <summary>Every token, id order, including the two special tokens.</summary>
    public IReadOnlyList<string> Tokens { get; }

    /// <summary>Merge rules, highest priority first.</summary>
    public IReadOnlyList<BpeMerge> Merges { get; }

    /// <summary>The end-of-text token (ends every training response; generation stops on it).</summary>
    public string EndOfTextToken { get; }

    /// <summary>The padding token, distinct from <see cref="EndOfTextToken"/>.</summary>
    public string PadToken { get; }

    /// <summary>Builds and checks a vocabulary.</summary>
    /// <exception cref="ArgumentException">Duplicate tokens, a missing byte symbol, an unknown special
    /// token, pad equal to end-of-text, or a merge whose parts or result are not tokens.</exception>
    public BpeVocabulary(IReadOnlyList<string> tokens, IReadOnlyList<BpeMerge> merges, string endOfTextToken, string padToken)
    {
        var ids = new Dictionary<string, int>(tokens.Count, StringComparer.Ordinal);
        for (int id = 0; id < tokens.Count; id++)
        {
            if (string.IsNullOrEmpty(tokens[id])) throw new ArgumentException($"token {id} is empty", nameof(tokens));
            if (!ids.TryAdd(tokens[id], id))
                throw new ArgumentException($"token '{tokens[id]}' appears twice (ids {ids[tokens[id]]} and {id})", nameof(tokens));
        }
        foreach (var symbol in ByteLevelAlphabet.Symbols)
            if (!ids.ContainsKey(symbol))
                throw new ArgumentException(
                    $"the byte-level symbol '{symbol}' (byte 0x{ByteOf(symbol):X2}) is not a token; a byte-level vocabulary needs all 256 so any text can be encoded",
                    nameof(tokens));
        foreach (var (special, name) in new[] { (endOfTextToken, "end-of-text"), (padToken, "pad") })
        {
            if (!ids.ContainsKey(special)) throw new ArgumentException($"the {name} token '{special}' is not in the vocabulary");
            if (special.Any(c => !ByteLevelAlphabet.TryGetByte(c, out _)))
                throw new ArgumentException($"the {name} token '{special}' has characters outside the byte-level alphabet, so it cannot be decoded");
        }
        if (endOfTextToken == padToken)
            throw new ArgumentException(
                $"the pad token must differ from the end-of-text token (both are '{padToken}'): with pad == end-of-text " +
                "the loss never sees a real end-of-text label apart from padding and the model never learns to stop");
        for (int i = 0; i < merges.Count; i++)
        {
            var merge = merges[i];
            foreach (var part in new[] { merge.Left, merge.Right, merge.Merged })
                if (!ids.ContainsKey(part))
                    throw new ArgumentException($"merge {i + 1} ('{merge}'): '{part}' is not a token", nameof(merges));
        }
        Tokens = tokens.ToArray();
        Merges = merges.ToArray();
        EndOfTextToken = endOfTextToken;
        PadToken = padToken;
        idOf = ids;
    }

    readonly Dictionary<string, int> idOf;

    /// <summary>The id of a token, or <c>null</c> when it is not in the vocabulary.</summary>
    public int? IdOf(string token) => idOf.TryGetValue(token, out var id) ? id : null;

    static byte ByteOf(string symbol) => ByteLevelAlphabet.TryGetByte(symbol[0], out var b) ? b : (byte)0;
}
