using System.Text.Json;

namespace Rlhf.Data;

/// <summary>
/// Chat-message jsonl as UltraFeedback-style data uses it: <c>{"messages": [{"role","content"}, ...]}</c> for
/// SFT, and <c>{"chosen": [...], "rejected": [...]}</c> for preferences, each list ending with the assistant's reply.
/// </summary>
public static class ChatMessagesFormat
{
    /// <summary>Loads SFT examples: the last message (an assistant one) is the response, the earlier ones the prompt.</summary>
    public static Loaded<SftExample> LoadSft(string path)
    {
        var (records, blank) = JsonlRecords.Read(path, (o, line) =>
        {
            var messages = Messages(o, "messages", path, line);
            return new SftExample(Prompt(messages, path, line, "messages"), messages[^1].Content);
        });
        return new(records, new LoadReport(path, "chat messages jsonl", records.Count, blank, []));
    }

    /// <summary>Loads preferences: both lists must share every message but the last; identical replies are reported.</summary>
    public static Loaded<PreferencePair> LoadPairwise(string path)
    {
        var identical = new List<int>();
        var (records, blank) = JsonlRecords.Read(path, (o, line) =>
        {
            var chosen = Messages(o, "chosen", path, line);
            var rejected = Messages(o, "rejected", path, line);
            if (!chosen.Take(chosen.Count - 1).SequenceEqual(rejected.Take(rejected.Count - 1)))
                throw new DatasetFormatException(path, line, "rejected", "does not share the chosen conversation before the last assistant message");
            if (chosen[^1].Content == rejected[^1].Content) identical.Add(line);
            return new PreferencePair(Prompt(chosen, path, line, "chosen"), chosen[^1].Content, rejected[^1].Content);
        });
        return new(records, new LoadReport(path, "chat messages jsonl", records.Count, blank, identical));
    }

    static List<ChatTurn> Messages(JsonElement record, string field, string path, int line)
    {
        var array = JsonlRecords.RequireArray(record, field, path, line);
        var turns = new List<ChatTurn>();
        int index = 0;
        foreach (var item in array.EnumerateArray())
        {
            string at = $"{field}[{index++}]";
            if (item.ValueKind != JsonValueKind.Object)
                throw new DatasetFormatException(path, line, at, $"expected an object, found {JsonlRecords.Describe(item.ValueKind)}");
            string role = JsonlRecords.RequireString(item, "role", path, line, $"{at}.role");
            if (role is not ("user" or "assistant" or "system"))
                throw new DatasetFormatException(path, line, $"{at}.role", $"unknown role '{role}' (expected user, assistant or system)");
            turns.Add(new ChatTurn(role, JsonlRecords.RequireString(item, "content", path, line, $"{at}.content")));
        }
        if (turns.Count < 2 || turns[^1].Role != "assistant")
            throw new DatasetFormatException(path, line, field, "must hold at least one user message followed by a final assistant message");
        return turns;
    }

    static string Prompt(List<ChatTurn> messages, string path, int line, string field)
    {
        try { return ConversationPrompt.FromTurns(messages.Take(messages.Count - 1).ToList()); }
        catch (ArgumentException e) { throw new DatasetFormatException(path, line, field, e.Message.Split(" (Parameter")[0], inner: e); }
    }
}
