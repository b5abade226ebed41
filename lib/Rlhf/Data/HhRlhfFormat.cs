using System.Text.RegularExpressions;

namespace Rlhf.Data;

/// <summary>
/// Anthropic HH-RLHF jsonl: <c>{"chosen", "rejected"}</c>, each a whole transcript of
/// <c>\n\nHuman: ...\n\nAssistant: ...</c> turns that differ only in the last assistant turn.
/// </summary>
public static class HhRlhfFormat
{
    /// <summary>The marker that starts a human turn in an HH-RLHF transcript.</summary>
    public const string HumanMarker = "\n\nHuman:";

    /// <summary>The marker that starts an assistant turn in an HH-RLHF transcript.</summary>
    public const string AssistantMarker = "\n\nAssistant:";

    /// <summary>
    /// Loads the file, splitting each transcript at its last assistant turn: the shared conversation before
    /// it becomes the prompt (see <see cref="ConversationPrompt"/>), the two last turns become chosen and rejected.
    /// A pair whose conversations differ before that turn is an error; identical responses are reported.
    /// </summary>
    public static Loaded<PreferencePair> Load(string path)
    {
        var identical = new List<int>();
        var (records, blank) = JsonlRecords.Read(path, (o, line) =>
        {
            string chosen = JsonlRecords.RequireString(o, "chosen", path, line);
            string rejected = JsonlRecords.RequireString(o, "rejected", path, line);
            var (chosenPrefix, chosenReply) = SplitLastAssistantTurn(chosen, path, line, "chosen");
            var (rejectedPrefix, rejectedReply) = SplitLastAssistantTurn(rejected, path, line, "rejected");
            if (chosenPrefix != rejectedPrefix)
                throw new DatasetFormatException(path, line, "rejected", "does not share the chosen transcript's conversation before the last assistant turn");
            if (chosenReply == rejectedReply) identical.Add(line);
            return new PreferencePair(ConversationPrompt.FromTurns(Turns(chosenPrefix, path, line)), chosenReply, rejectedReply);
        });
        return new(records, new LoadReport(path, "hh-rlhf jsonl", records.Count, blank, identical));
    }

    static (string Prefix, string Reply) SplitLastAssistantTurn(string transcript, string path, int line, string field)
    {
        if (!transcript.StartsWith(HumanMarker, StringComparison.Ordinal) && transcript.StartsWith("Human:", StringComparison.Ordinal))
            transcript = "\n\n" + transcript;
        int at = transcript.LastIndexOf(AssistantMarker, StringComparison.Ordinal);
        if (at < 0) throw new DatasetFormatException(path, line, field, "has no '\\n\\nAssistant:' turn");
        string reply = transcript[(at + AssistantMarker.Length)..].Trim();
        if (reply.Length == 0) throw new DatasetFormatException(path, line, field, "has an empty last assistant turn");
        return (transcript[..at], reply);
    }

    static List<ChatTurn> Turns(string conversation, string path, int line)
    {
        if (!conversation.StartsWith(HumanMarker, StringComparison.Ordinal))
            throw new DatasetFormatException(path, line, "chosen", "does not start with a '\\n\\nHuman:' turn");
        var parts = Regex.Split(conversation, @"(\n\nHuman:|\n\nAssistant:)");
        var turns = new List<ChatTurn>();
        for (int i = 1; i + 1 < parts.Length; i += 2)
            turns.Add(new ChatTurn(parts[i] == HumanMarker ? "user" : "assistant", parts[i + 1].Trim()));
        if (turns[^1].Role != "user")
            throw new DatasetFormatException(path, line, "chosen", "the turn before the last assistant turn is not a human turn");
        return turns;
    }
}
