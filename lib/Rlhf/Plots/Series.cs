namespace Rlhf.Plots;

/// <summary>
/// One named line of a training history: the value of a metric (loss, reward, KL...) at each step.
/// Plain C# data that notebooks and trainers build; <see cref="Charts.History(string, string, IReadOnlyList{Series}, double, string)"/> draws it.
/// </summary>
/// <param name="Name">What the line shows, e.g. <c>"loss"</c>; it becomes the legend entry.</param>
/// <param name="Points">(step, value) pairs in the order they were logged.</param>
public sealed record Series(string Name, IReadOnlyList<(double Step, double Value)> Points)
{
    /// <summary>What the line shows; it becomes the legend entry. Must not be empty.</summary>
    public string Name { get; init; } = !string.IsNullOrWhiteSpace(Name)
        ? Name
        : throw new ArgumentException("a series needs a non-empty name (it becomes the legend entry)", nameof(Name));

    /// <summary>(step, value) pairs in the order they were logged.</summary>
    public IReadOnlyList<(double Step, double Value)> Points { get; init; } =
        Points ?? throw new ArgumentNullException(nameof(Points), "a series needs its points (an empty list is allowed)");

    /// <summary>A series whose steps are <paramref name="firstStep"/>, <paramref name="firstStep"/>+1, ... one per value.</summary>
    public static Series FromValues(string name, IReadOnlyList<double> values, double firstStep = 0)
    {
        ArgumentNullException.ThrowIfNull(values);
        return new Series(name, values.Select((v, i) => (firstStep + i, v)).ToArray());
    }

    /// <summary>The steps, in order.</summary>
    public IReadOnlyList<double> Steps => Points.Select(p => p.Step).ToArray();

    /// <summary>The values, in order.</summary>
    public IReadOnlyList<double> Values => Points.Select(p => p.Value).ToArray();

    /// <summary>The same series with its values smoothed by <see cref="Smoothing.Ema"/> (steps unchanged).</summary>
    public Series Smoothed(double weight) =>
        this with { Points = Steps.Zip(Smoothing.Ema(Values, weight), (s, v) => (s, v)).ToArray() };
}
