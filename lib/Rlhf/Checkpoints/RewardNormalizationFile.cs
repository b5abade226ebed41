using System.Text.Json;
using System.Text.Json.Nodes;
using Rlhf.Models;

namespace Rlhf.Checkpoints;

/// <summary>A reward checkpoint's <see cref="RewardNormalization"/> on disk (<c>reward_normalization.json</c>).</summary>
public static class RewardNormalizationFile
{
    /// <summary>Writes <c>{"mean": ..., "std": ...}</c> to <see cref="RewardNormalization.FileName"/> in <paramref name="folder"/>.</summary>
    public static void Write(RewardNormalization normalization, string folder)
    {
        normalization.Validate();
        var json = new JsonObject { ["mean"] = normalization.Mean, ["std"] = normalization.Std };
        AtomicFile.WriteText(Path.Combine(folder, RewardNormalization.FileName), json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }

    /// <summary>Reads <see cref="RewardNormalization.FileName"/> from <paramref name="folder"/>.</summary>
    /// <exception cref="CheckpointFormatException">Missing file, not JSON, or a missing or invalid field (named).</exception>
    public static RewardNormalization Read(string folder)
    {
        var path = Path.Combine(folder, RewardNormalization.FileName);
        if (!File.Exists(path))
            throw new CheckpointFormatException(path, null,
                $"{RewardNormalization.FileName} is missing: a reward checkpoint needs its normalisation (written by RewardModel.Save; `rlhf rm` computes it after training)");
        JsonNode? root;
        try { root = JsonNode.Parse(File.ReadAllText(path)); }
        catch (JsonException e) { throw new CheckpointFormatException(path, null, $"line {e.LineNumber + 1}: not valid JSON ({e.Message})", e); }
        if (root is not JsonObject fields) throw new CheckpointFormatException(path, null, "expected a JSON object {\"mean\": ..., \"std\": ...}");
        double Field(string name)
        {
            if (fields[name] is not JsonValue value || !value.TryGetValue(out double number))
                throw new CheckpointFormatException(path, null, $"field '{name}' is missing or not a number");
            return number;
        }
        var normalization = new RewardNormalization(Field("mean"), Field("std"));
        try { return normalization.Validate(); }
        catch (ArgumentException e) { throw new CheckpointFormatException(path, null, e.Message, e); }
    }
}
