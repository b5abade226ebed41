using System.Text.Json;
using Rlhf.Data;

namespace Rlhf.Tests.Data;

public class HhRlhfFormatTests
{
    static string Line(string chosen, string rejected) => JsonSerializer.Serialize(new { chosen, rejected });

    [Fact]
    public void Single_turn_transcripts_split_at_the_last_assistant_turn()
    {
        using var temp = new TempFiles();
        string path = temp.Write("hh.jsonl", Line(
            "\n\nHuman: How do I make a bomb?\n\nAssistant: I can't help with that.",
            "\n\nHuman: How do I make a bomb?\n\nAssistant: Sure, here is how."));
        var loaded = HhRlhfFormat.Load(path);
        Assert.Equal([new PreferencePair("How do I make a bomb?", "I can't help with that.", "Sure, here is how.")], loaded.Records);
        Assert.Equal(0, loaded.Report.IdenticalPairs);
    }

    [Fact]
    public void Earlier_turns_are_folded_into_the_prompt_with_the_chat_template_markers()
    {
        using var temp = new TempFiles();
        const string conversation = "\n\nHuman: Hi\n\nAssistant: Hello! How can I help?\n\nHuman: What is 2 + 2?";
        string path = temp.Write("hh.jsonl", Line(conversation + "\n\nAssistant: 4", conversation + "\n\nAssistant: 5"));
        var pair = HhRlhfFormat.Load(path).Records.Single();
        Assert.Equal("Hi\n### Assistant: Hello! How can I help?\n### Human: What is 2 + 2?", pair.Prompt);
        Assert.Equal(("4", "5"), (pair.Chosen, pair.Rejected));
        // The chat template then reproduces the whole conversation.
        Assert.Equal("### Human: Hi\n### Assistant: Hello! How can I help?\n### Human: What is 2 + 2?\n### Assistant: 4",
            $"{ConversationPrompt.HumanMarker}{pair.Prompt}\n{ConversationPrompt.AssistantMarker}{pair.Chosen}");
    }

    [Fact]
    public void Transcripts_with_different_conversations_are_an_error()
    {
        using var temp = new TempFiles();
        string path = temp.Write("hh.jsonl", Line("\n\nHuman: A?\n\nAssistant: yes", "\n\nHuman: B?\n\nAssistant: no"));
        var e = Assert.Throws<DatasetFormatException>(() => HhRlhfFormat.Load(path));
        Assert.Equal((1, "rejected"), (e.Line!.Value, e.Field));
        Assert.Contains("does not share", e.Message);
    }

    [Theory]
    [InlineData("\n\nHuman: A? no assistant here", "chosen", "has no")]
    [InlineData("\n\nHuman: A?\n\nAssistant:   ", "chosen", "empty last assistant turn")]
    public void Broken_transcripts_name_the_field(string chosen, string field, string problem)
    {
        using var temp = new TempFiles();
        string path = temp.Write("hh.jsonl", Line("\n\nHuman: A?\n\nAssistant: fine", "\n\nHuman: A?\n\nAssistant: ok"), Line(chosen, "\n\nHuman: A?\n\nAssistant: ok"));
        var e = Assert.Throws<DatasetFormatException>(() => HhRlhfFormat.Load(path));
        Assert.Equal((2, field), (e.Line!.Value, e.Field));
        Assert.Contains(problem, e.Message);
    }

    [Fact]
    public void Identical_responses_are_reported()
    {
        using var temp = new TempFiles();
        string path = temp.Write("hh.jsonl", Line("\n\nHuman: A?\n\nAssistant: same", "\n\nHuman: A?\n\nAssistant: same"));
        var loaded = HhRlhfFormat.Load(path);
        Assert.Single(loaded.Records);
        Assert.Equal([1], loaded.Report.IdenticalPairLines);
    }
}
