using Rlhf.Data;

namespace Rlhf.World;

/// <summary>How often preference labels agree with the gold judge's order.</summary>
/// <param name="Pairs">All pairs looked at.</param>
/// <param name="GoldTies">Pairs whose two responses have the same gold score (no gold order to agree with).</param>
/// <param name="Agreeing">Pairs with different gold scores where the chosen response has the higher one.</param>
public sealed record LabelAgreement(int Pairs, int GoldTies, int Agreeing)
{
    /// <summary>Agreeing / (Pairs - GoldTies); NaN when every pair is a tie.</summary>
    public double Rate => Pairs - GoldTies == 0 ? double.NaN : (double)Agreeing / (Pairs - GoldTies);

    /// <summary>Measures the agreement of TinyWorld preference pairs with the gold judge.</summary>
    public static LabelAgreement Measure(IEnumerable<PreferencePair> pairs)
    {
        int total = 0, ties = 0, agreeing = 0;
        foreach (var pair in pairs)
        {
            total++;
            double chosen = GoldJudge.Score(pair.Prompt, pair.Chosen).Score, rejected = GoldJudge.Score(pair.Prompt, pair.Rejected).Score;
            if (chosen == rejected) ties++;
            else if (chosen > rejected) agreeing++;
        }
        return new LabelAgreement(total, ties, agreeing);
    }
}
