using Rlhf.World;

namespace Rlhf.Training;

/// <summary>
/// A TinyWorld data folder's own description of itself (<see cref="TinyWorldWriter.WorldFile"/>): what a stage that must
/// regenerate part of the world (relabelled pairs, a study's default world) reads to make the same world again.
/// </summary>
public static class WorldFolder
{
    /// <summary>
    /// The options that made the world in <paramref name="dataFolder"/>: its <c>world.json</c> (<see cref="TinyWorldWriter.WorldFile"/>:
    /// seed, language and the changed options), or the default world when the folder has none.
    /// </summary>
    /// <exception cref="InvalidDataException">world.json is not what <see cref="TinyWorldWriter"/> writes (the message names the file and field).</exception>
    public static TinyWorldOptions ReadOptions(string dataFolder)
    {
        var path = Path.Combine(dataFolder, TinyWorldWriter.WorldFile);
        if (!File.Exists(path)) return new TinyWorldOptions();
        try
        {
            var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path))!.AsObject();
            ulong seed = json["seed"]?.GetValue<ulong>() ?? throw new InvalidDataException($"{path}: field 'seed' is missing");
            var code = json["language"]?.GetValue<string>();
            var language = Enum.GetValues<WorldLanguage>().Where(l => TinyWorldWriter.LanguageCode(l) == code).Cast<WorldLanguage?>().FirstOrDefault()
                ?? throw new InvalidDataException($"{path}: field 'language' must be \"en\" or \"zh\", not {code ?? "missing"}");
            var changes = json["changes"]?.AsArray().Select(c => c!.GetValue<string>()).ToList() ?? [];
            return OptionsBinder.Bind(new TinyWorldOptions { Seed = seed, Language = language }, null, changes);
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException or FormatException or ArgumentException)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
    }
}
