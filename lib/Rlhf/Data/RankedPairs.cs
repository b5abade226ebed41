namespace Rlhf.Data;

/// <summary>The pairs a ranking implies, and the tied pairs that imply none.</summary>
/// <param name="Pairs">One pair per two responses of different rank, better one chosen.</param>
/// <param name="TiedPairs">Pairs of responses with equal rank, which give no preference and are left out.</param>
public sealed record RankedConversion(IReadOnlyList<PreferencePair> Pairs, int TiedPairs);

/// <summary>The seed's ranked -> pairwise conversion: K ranked responses give K(K-1)/2 pairs.</summary>
public static class RankedPairs
{
    /// <summary>
    /// All pairs of every ranking: responses are sorted by rank (stable), and each response is chosen over
    /// every later one of worse rank. Equal ranks make no pair and are counted in <see cref="RankedConversion.TiedPairs"/>.
    /// </summary>
    public static RankedConversion ToPairs(IEnumerable<RankedPreference> rankings)
    {
        var pairs = new List<PreferencePair>();
        int ties = 0;
        foreach (var ranking in rankings)
        {
            var sorted = ranking.Responses.OrderBy(r => r.Rank).ToList();
            for (int better = 0; better < sorted.Count; better++)
                for (int worse = better + 1; worse < sorted.Count; worse++)
                {
                    if (sorted[better].Rank == sorted[worse].Rank) { ties++; continue; }
                    pairs.Add(new PreferencePair(ranking.Prompt, sorted[better].Text, sorted[worse].Text));
                }
        }
        return new RankedConversion(pairs, ties);
    }
}
