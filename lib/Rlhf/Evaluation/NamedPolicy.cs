using System.Text.Json.Serialization;

namespace Rlhf.Evaluation;

/// <summary>A policy to evaluate: the name it goes by in tables and JSON, and its checkpoint folder.</summary>
/// <param name="Name">Short name, e.g. <c>ppo</c>; letters, digits, '-', '_' and '.'.</param>
/// <param name="Folder">A checkpoint folder (config.json, model.safetensors, tokenizer files).</param>
/// <param name="CreatedBy">How to create the folder when it is missing (a command), for the error message; may be null.</param>
public sealed record NamedPolicy(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("folder")] string Folder,
    [property: JsonPropertyName("created_by")] string? CreatedBy = null)
{
    /// <summary>Throws <see cref="ArgumentException"/> for an empty or unusable name, and <see cref="DirectoryNotFoundException"/>
    /// naming the folder and the command that creates it when the folder holds no checkpoint.</summary>
    public NamedPolicy Validate()
    {
        if (string.IsNullOrWhiteSpace(Name) || !Name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            throw new ArgumentException($"policy name '{Name}' must be letters, digits, '-', '_' or '.' (it becomes a JSON key)", nameof(Name));
        if (!File.Exists(Path.Combine(Folder, "config.json")) || !File.Exists(Path.Combine(Folder, "model.safetensors")))
            throw new DirectoryNotFoundException(
                $"policy '{Name}': no checkpoint in '{Folder}' (config.json and model.safetensors expected)" +
                (CreatedBy is null ? "." : $"; create it with: {CreatedBy}"));
        return this;
    }

    /// <summary>Parses <c>name=folder</c> (the form of <c>rlhf eval --policy</c>).</summary>
    /// <exception cref="FormatException">No '=' or an empty side.</exception>
    public static NamedPolicy Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int equals = text.IndexOf('=');
        if (equals <= 0 || equals == text.Length - 1)
            throw new FormatException($"'{text}' is not name=folder (e.g. ppo=out/04-ppo)");
        return new NamedPolicy(text[..equals].Trim(), text[(equals + 1)..].Trim());
    }
}
