using System.Text.Json.Serialization;

namespace Rlhf.Data;

/// <summary>One response with its rank (1 = best) inside a <see cref="RankedPreference"/>.</summary>
/// <param name="Text">The response.</param>
/// <param name="Rank">Its rank, 1 = best; equal ranks are ties.</param>
public sealed record RankedResponse(
    [property: JsonPropertyName("text")] string Text,
    [property: JsonPropertyName("rank")] int Rank);

/// <summary>Several responses to one prompt ranked by an annotator, the seed's format: <c>{"prompt", "responses": [{"text", "rank"}]}</c>.</summary>
/// <param name="Prompt">What the user says.</param>
/// <param name="Responses">The ranked responses, in any order.</param>
public sealed record RankedPreference(
    [property: JsonPropertyName("prompt")] string Prompt,
    [property: JsonPropertyName("responses")] IReadOnlyList<RankedResponse> Responses);
