namespace Rlhf.Data;

/// <summary>One message of a conversation.</summary>
/// <param name="Role">"user", "assistant" or "system".</param>
/// <param name="Content">The text.</param>
public sealed record ChatTurn(string Role, string Content);

/// <summary>
/// Folds a multi-turn conversation into one prompt string for the project's single-turn chat template
/// <c>### Human: {prompt}\n### Assistant: {response}</c>: earlier turns are written into the prompt with
/// the same markers, so the template reproduces the whole conversation.
/// </summary>
public static class ConversationPrompt
{
    /// <summary>The marker that starts a user turn in the chat template (<see cref="Text.ChatTemplate.HumanHeader"/> and its space).</summary>
    public const string HumanMarker = Text.ChatTemplate.HumanHeader + " ";

    /// <summary>The marker that starts an assistant turn in the chat template (<see cref="Text.ChatTemplate.AssistantHeader"/> without its newline, and its space).</summary>
    public const string AssistantMarker = "### Assistant: ";

    /// <summary>
    /// The prompt for the conversation <paramref name="turns"/>, which must end with a user turn. A system
    /// message is put in front of the next user message, separated by a blank line.
    /// </summary>
    public static string FromTurns(IReadOnlyList<ChatTurn> turns)
    {
        if (turns.Count == 0 || turns[^1].Role != "user")
            throw new ArgumentException("a prompt's conversation must end with a user turn", nameof(turns));
        var prompt = new System.Text.StringBuilder();
        string pendingSystem = "";
        bool first = true;
        foreach (var turn in turns)
        {
            switch (turn.Role)
            {
                case "system":
                    pendingSystem += turn.Content + "\n\n";
                    break;
                case "user":
                    if (!first) prompt.Append('\n').Append(HumanMarker);
                    prompt.Append(pendingSystem).Append(turn.Content);
                    pendingSystem = "";
                    first = false;
                    break;
                case "assistant":
                    if (first) throw new ArgumentException("a conversation must start with a user (or system) turn", nameof(turns));
                    prompt.Append('\n').Append(AssistantMarker).Append(turn.Content);
                    break;
                default:
                    throw new ArgumentException($"unknown role '{turn.Role}' (expected user, assistant or system)", nameof(turns));
            }
        }
        return prompt.ToString();
    }
}
