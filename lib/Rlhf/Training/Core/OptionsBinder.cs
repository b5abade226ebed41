using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Rlhf.Training;

/// <summary>
/// Builds an options record from its defaults, an optional JSON config file and <c>--set name=value</c>
/// overrides, in that order. Names are the JSON (snake_case) names; nested records are reached with dots
/// (<c>training.learning_rate</c>) or, when unambiguous, by the leaf name alone (<c>learning_rate</c>).
/// Unknown names and values of the wrong type are errors naming the file/line or the override.
/// </summary>
public static class OptionsBinder
{
    /// <summary>The JSON settings used for every options record and <c>config.json</c> the project writes.</summary>
    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>The JSON name of a C# property name (<c>LearningRate</c> -> <c>learning_rate</c>).</summary>
    public static string JsonName(string propertyName) => JsonNamingPolicy.SnakeCaseLower.ConvertName(propertyName);

    /// <summary>Applies <paramref name="configFile"/> (if given) then <paramref name="overrides"/> to <paramref name="defaults"/>.</summary>
    public static T Bind<T>(T defaults, string? configFile, IEnumerable<string> overrides) where T : class
    {
        var root = JsonSerializer.SerializeToNode(defaults, Json)!.AsObject();
        if (configFile is not null)
        {
            string text;
            if (Directory.Exists(configFile)) throw new ArgumentException($"config file '{configFile}' is a folder; --config takes a JSON file");
            try { text = File.ReadAllText(configFile); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new ArgumentException($"config file '{configFile}' cannot be read: {e.Message}", e);
            }
            JsonNode? parsed;
            try { parsed = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }); }
            catch (JsonException e) { throw new ArgumentException($"config file '{configFile}' line {e.LineNumber + 1}: not valid JSON ({e.Message})", e); }
            if (parsed is not JsonObject file) throw new ArgumentException($"config file '{configFile}': the top level must be a JSON object");
            Merge(root, file, "", configFile, text);
        }
        foreach (var assignment in overrides) Apply(root, assignment);
        try
        {
            return root.Deserialize<T>(Json) ?? throw new ArgumentException($"options of type {typeof(T).Name} deserialised to null");
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"option '{e.Path?.TrimStart('$', '.')}' has a value of the wrong type: {e.Message}", e);
        }
    }

    /// <summary>Writes <paramref name="options"/> as indented snake_case JSON.</summary>
    public static string ToJson<T>(T options) => JsonSerializer.Serialize(options, Json);

    /// <summary>Every settable option path of <paramref name="defaults"/>, for help texts and error messages.</summary>
    public static IReadOnlyList<string> Names<T>(T defaults) where T : class =>
        Flatten(JsonSerializer.SerializeToNode(defaults, Json)!.AsObject()).Keys.ToList();

    /// <summary>Every leaf of an options object by its dotted name (<c>training.learning_rate</c>), in declaration order:
    /// what a resume compares and what "what this run sets" lists.</summary>
    public static Dictionary<string, JsonNode?> Flatten(JsonObject options) =>
        Leaves(options, "").ToDictionary(l => l.Path, l => l.Parent[l.Key], StringComparer.Ordinal);

    static void Merge(JsonObject target, JsonObject source, string prefix, string file, string text)
    {
        foreach (var (name, value) in source)
        {
            var path = prefix + name;
            if (!target.ContainsKey(name))
                throw new ArgumentException(
                    $"config file '{file}' line {LineOf(text, name)}: unknown option '{path}'. Known options: {string.Join(", ", Leaves(target, prefix).Select(l => l.Path))}");
            if (target[name] is JsonObject nested && value is JsonObject nestedSource)
                Merge(nested, nestedSource, path + ".", file, text);
            else
                target[name] = value?.DeepClone();
        }
    }

    static void Apply(JsonObject root, string assignment)
    {
        int equals = assignment.IndexOf('=');
        if (equals <= 0) throw new ArgumentException($"--set '{assignment}': expected name=value");
        var name = assignment[..equals].Trim();
        var raw = assignment[(equals + 1)..].Trim();
        var leaves = Leaves(root, "").ToList();
        var matches = leaves.Where(l => l.Path == name).ToList();
        if (matches.Count == 0) matches = leaves.Where(l => l.Path.EndsWith("." + name) || l.Path == name).ToList();
        if (matches.Count == 0)
            throw new ArgumentException($"--set {name}: unknown option. Known options: {string.Join(", ", leaves.Select(l => l.Path))}");
        if (matches.Count > 1)
            throw new ArgumentException($"--set {name}: ambiguous, use one of {string.Join(", ", matches.Select(l => l.Path))}");
        var (path, parent, key) = matches[0];
        parent[key] = ParseValue(parent[key], raw, path);
    }

    static JsonNode? ParseValue(JsonNode? current, string raw, string path)
    {
        if (raw == "null") return null;
        switch (current?.GetValueKind())
        {
            case JsonValueKind.Number:
                if (double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
                {
                    if (!double.IsFinite(number)) throw new ArgumentException($"--set {path}={raw}: expected a finite number");
                    return raw.Contains('.') || raw.Contains('e') || raw.Contains('E') ? JsonValue.Create(number) : JsonNode.Parse(raw);
                }
                throw new ArgumentException($"--set {path}={raw}: expected a number");
            case JsonValueKind.True or JsonValueKind.False:
                if (bool.TryParse(raw, out var flag)) return JsonValue.Create(flag);
                throw new ArgumentException($"--set {path}={raw}: expected true or false");
            case JsonValueKind.Array or JsonValueKind.Object:
                try { return JsonNode.Parse(raw); }
                catch (JsonException) { throw new ArgumentException($"--set {path}={raw}: expected a JSON {current.GetValueKind().ToString().ToLowerInvariant()}"); }
            default:
                // Strings, enums and values whose default is null: take JSON if it parses as a number/bool, else the text.
                if (current is null && (double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out _) || raw is "true" or "false"))
                    return JsonNode.Parse(raw);
                return JsonValue.Create(raw);
        }
    }

    static IEnumerable<(string Path, JsonObject Parent, string Key)> Leaves(JsonObject node, string prefix)
    {
        foreach (var (name, value) in node)
        {
            if (value is JsonObject nested)
                foreach (var leaf in Leaves(nested, prefix + name + ".")) yield return leaf;
            else
                yield return (prefix + name, node, name);
        }
    }

    static int LineOf(string text, string name)
    {
        int at = text.IndexOf($"\"{name}\"", StringComparison.Ordinal);
        return at < 0 ? 1 : text.AsSpan(0, at).Count('\n') + 1;
    }
}
