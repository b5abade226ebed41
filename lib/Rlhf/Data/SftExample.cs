using System.Text.Json.Serialization;

namespace Rlhf.Data;

/// <summary>One supervised fine-tuning example in the seed's format: <c>{"prompt", "response"}</c>.</summary>
/// <param name="Prompt">What the user says (for multi-turn data, see <see cref="ConversationPrompt"/>).</param>
/// <param name="Response">What the assistant should answer.</param>
public sealed record SftExample(
    [property: JsonPropertyName("prompt")] string Prompt,
    [property: JsonPropertyName("response")] string Response);
