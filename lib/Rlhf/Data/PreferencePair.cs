using System.Text.Json.Serialization;

namespace Rlhf.Data;

/// <summary>One pairwise preference in the seed's format: <c>{"prompt", "chosen", "rejected"}</c>.</summary>
/// <param name="Prompt">What the user says.</param>
/// <param name="Chosen">The preferred response.</param>
/// <param name="Rejected">The other response.</param>
public sealed record PreferencePair(
    [property: JsonPropertyName("prompt")] string Prompt,
    [property: JsonPropertyName("chosen")] string Chosen,
    [property: JsonPropertyName("rejected")] string Rejected);
