namespace Rlhf.World;

/// <summary>
/// A simulated human annotator: ranks responses by gold score plus noise, so that every pair is ordered
/// as in a Bradley-Terry model, P(a over b) = sigmoid((u_a - u_b) / T) (Bradley and Terry 1952), with
/// utility u = gold score + length bias x length / 10.
/// </summary>
/// <remarks>
/// A ranking is drawn by adding T x Gumbel noise to each utility and sorting (the Gumbel-max form of the
/// Plackett-Luce model); the difference of two Gumbel draws is logistic, so each pair inside the ranking
/// has exactly the Bradley-Terry probability above.
/// </remarks>
public sealed class SimulatedAnnotator
{
    readonly AnnotatorOptions options;
    readonly WorldRandom random;

    /// <summary>An annotator with <paramref name="options"/> drawing its noise from <paramref name="random"/>.</summary>
    public SimulatedAnnotator(AnnotatorOptions options, WorldRandom random)
    {
        this.options = options.Validate();
        this.random = random;
    }

    /// <summary>The annotator's utility for a response: its gold score plus the length bias.</summary>
    public double Utility(WorldTask task, string response) =>
        GoldJudge.Score(task, response).Score + options.LengthBias * GoldJudge.LengthUnits(response) / 10.0;

    /// <summary>The Bradley-Terry probability that a response of utility <paramref name="utilityA"/> is preferred to one of <paramref name="utilityB"/>.</summary>
    public static double PreferenceProbability(double utilityA, double utilityB, double temperature) =>
        temperature == 0
            ? (utilityA > utilityB ? 1.0 : utilityA < utilityB ? 0.0 : 0.5)
            : 1.0 / (1.0 + Math.Exp(-(utilityA - utilityB) / temperature));

    /// <summary>Ranks <paramref name="responses"/> to <paramref name="task"/>: the returned rank of each response, 1 = best.</summary>
    public IReadOnlyList<int> Rank(WorldTask task, IReadOnlyList<string> responses)
    {
        // Ties in utility are broken at random even at temperature 0 (the tiny noise term).
        double noiseScale = options.Temperature > 0 ? options.Temperature : 1e-9;
        var keys = responses.Select(r => Utility(task, r) + noiseScale * random.NextGumbel()).ToArray();
        var order = Enumerable.Range(0, responses.Count).OrderByDescending(i => keys[i]).ToArray();
        var ranks = new int[responses.Count];
        for (int place = 0; place < order.Length; place++) ranks[order[place]] = place + 1;
        return ranks;
    }

    /// <summary>Whether the annotator prefers <paramref name="a"/> to <paramref name="b"/> (one Bradley-Terry draw).</summary>
    public bool PrefersFirst(WorldTask task, string a, string b) => Rank(task, [a, b])[0] == 1;
}
