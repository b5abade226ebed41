using System.Text.Json;
using Rlhf.Plots;

namespace Rlhf.Training;

/// <summary>One option whose value differs between two options records.</summary>
/// <param name="Option">Its dotted snake_case name, as <c>--set</c> takes it (e.g. <c>training.learning_rate</c>).</param>
/// <param name="Reference">The value in the reference record (JSON text).</param>
/// <param name="Value">The value in the compared record.</param>
public sealed record OptionChange(string Option, string Reference, string Value);

/// <summary>
/// What a run changed, instead of a dump of every option: the options whose values differ from a reference record (the
/// record's own defaults, or a preset), by their <c>--set</c> names.
/// </summary>
public static class OptionsChanges
{
    /// <summary>The options of <paramref name="options"/> that differ from <paramref name="reference"/>, in declaration order.</summary>
    public static IReadOnlyList<OptionChange> Between<T>(T reference, T options) where T : class
    {
        static Dictionary<string, string> Texts<TOptions>(TOptions record) =>
            OptionsBinder.Flatten(JsonSerializer.SerializeToNode(record, OptionsBinder.Json)!.AsObject())
                .ToDictionary(p => p.Key, p => p.Value?.ToJsonString() ?? "null");
        var (before, after) = (Texts(reference), Texts(options));
        return after.Where(p => !before.TryGetValue(p.Key, out var old) || old != p.Value)
            .Select(p => new OptionChange(p.Key, before.GetValueOrDefault(p.Key) ?? "(absent)", p.Value)).ToList();
    }

    /// <summary>The changes as the <c>key=value</c> assignments <c>--set</c> (and <c>--world</c>) take to turn
    /// <paramref name="reference"/> into <paramref name="options"/>, in declaration order; a string or enum is written bare
    /// (<c>demonstrator_padding=courteous</c>), as <c>--set</c> reads it.</summary>
    public static IReadOnlyList<string> Assignments<T>(T reference, T options) where T : class =>
        Between(reference, options).Select(c => $"{c.Option}={(c.Value.StartsWith('"') ? System.Text.Json.Nodes.JsonNode.Parse(c.Value)!.GetValue<string>() : c.Value)}").ToList();

    /// <summary>The changes as a table: option, <paramref name="referenceName"/>'s value, this run's value.</summary>
    public static HtmlTable Table<T>(string caption, T reference, T options, string referenceName = "default") where T : class =>
        HtmlTable.From(caption, Between(reference, options), ("option", c => c.Option), (referenceName, c => c.Reference), ("this run", c => c.Value));
}
