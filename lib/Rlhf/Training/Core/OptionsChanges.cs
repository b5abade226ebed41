using System.Text.Json;
using System.Text.Json.Nodes;
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
        var before = Leaves(JsonSerializer.SerializeToNode(reference, OptionsBinder.Json)!.AsObject(), "");
        var after = Leaves(JsonSerializer.SerializeToNode(options, OptionsBinder.Json)!.AsObject(), "");
        return after.Where(p => !before.TryGetValue(p.Key, out var old) || old != p.Value)
            .Select(p => new OptionChange(p.Key, before.GetValueOrDefault(p.Key) ?? "(absent)", p.Value)).ToList();
    }

    /// <summary>The changes as a table: option, <paramref name="referenceName"/>'s value, this run's value.</summary>
    public static HtmlTable Table<T>(string caption, T reference, T options, string referenceName = "default") where T : class =>
        HtmlTable.From(caption, Between(reference, options), ("option", c => c.Option), (referenceName, c => c.Reference), ("this run", c => c.Value));

    static Dictionary<string, string> Leaves(JsonObject node, string prefix)
    {
        var leaves = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in node)
            if (value is JsonObject nested)
                foreach (var (path, text) in Leaves(nested, prefix + name + ".")) leaves[path] = text;
            else
                leaves[prefix + name] = value?.ToJsonString() ?? "null";
        return leaves;
    }
}
