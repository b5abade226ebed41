using System.Text.Json;

namespace Rlhf.Training;

/// <summary>One row of a run's history: a step and the metrics recorded at it.</summary>
/// <param name="Step">The optimizer step (1-based).</param>
/// <param name="Values">Metric name to value, e.g. <c>loss</c>, <c>learning_rate</c>, <c>eval/loss</c>.</param>
public sealed record MetricsRow(int Step, IReadOnlyDictionary<string, double> Values);

/// <summary>Everything a run recorded, step by step: what plots read (<see cref="Series"/>) and what a resumed run continues.</summary>
public sealed class MetricsHistory
{
    readonly List<MetricsRow> rows = [];

    /// <summary>The rows in the order they were recorded.</summary>
    public IReadOnlyList<MetricsRow> Rows => rows;

    /// <summary>Records <paramref name="values"/> at <paramref name="step"/>.</summary>
    public void Add(int step, IReadOnlyDictionary<string, double> values) => rows.Add(new MetricsRow(step, new Dictionary<string, double>(values)));

    /// <summary>Every metric name recorded, in first-seen order.</summary>
    public IReadOnlyList<string> Names => rows.SelectMany(r => r.Values.Keys).Distinct().ToList();

    /// <summary>The (step, value) points of one metric, e.g. <c>Series("loss")</c> for a loss curve.</summary>
    public IReadOnlyList<(double Step, double Value)> Series(string name) =>
        rows.Where(r => r.Values.ContainsKey(name)).Select(r => ((double)r.Step, r.Values[name])).ToList();

    /// <summary>The last recorded value of <paramref name="name"/>, or null.</summary>
    public double? Last(string name) => rows.LastOrDefault(r => r.Values.ContainsKey(name))?.Values[name];

    /// <summary>Writes the rows as JSON.</summary>
    public void Save(string path) => File.WriteAllText(path, JsonSerializer.Serialize(rows, OptionsBinder.Json));

    /// <summary>Reads rows written by <see cref="Save"/>.</summary>
    public static MetricsHistory Load(string path)
    {
        var history = new MetricsHistory();
        var loaded = JsonSerializer.Deserialize<List<MetricsRow>>(File.ReadAllText(path), OptionsBinder.Json)
                     ?? throw new InvalidDataException($"'{path}': empty metrics history");
        history.rows.AddRange(loaded);
        return history;
    }
}
