namespace Rlhf.World;

/// <summary>How the simulated annotators label preferences (a Bradley-Terry model over gold scores).</summary>
public sealed record AnnotatorOptions
{
    /// <summary>
    /// Temperature of the Bradley-Terry model: P(a preferred to b) = sigmoid((u_a - u_b) / Temperature).
    /// 0 always follows the gold order; the default 0.25 disagrees with the gold order on about one pair in
    /// eight of the shipped data (measured and recorded in data/tinyworld/README.md).
    /// </summary>
    public double Temperature { get; init; } = 0.25;

    /// <summary>
    /// Length bias: utility added per 10 length units (see <see cref="GoldJudge.LengthUnits"/>), so
    /// annotators like longer answers. Default 0 (no bias); the reward-hacking notebook raises it.
    /// </summary>
    public double LengthBias { get; init; }

    /// <summary>Throws if a value is out of range.</summary>
    public AnnotatorOptions Validate()
    {
        if (!double.IsFinite(Temperature) || Temperature < 0)
            throw new ArgumentOutOfRangeException(nameof(Temperature), Temperature, "the annotator temperature must be finite and >= 0");
        if (!double.IsFinite(LengthBias))
            throw new ArgumentOutOfRangeException(nameof(LengthBias), LengthBias, "the length bias must be finite");
        return this;
    }
}
