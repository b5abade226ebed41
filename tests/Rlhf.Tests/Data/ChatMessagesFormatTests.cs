using Rlhf.Data;

namespace Rlhf.Tests.Data;

public class ChatMessagesFormatTests
{
    [Fact]
    public void Sft_messages_become_prompt_and_response()
    {
        using var temp = new TempFiles();
        string path = temp.Write("sft.jsonl",
            """{"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"2 + 2?"},{"role":"assistant","content":"4"}]}""");
        Assert.Equal([new SftExample("Be brief.\n\n2 + 2?", "4")], ChatMessagesFormat.LoadSft(path).Records);
    }

    [Fact]
    public void Preference_messages_share_the_conversation_and_differ_in_the_reply()
    {
        using var temp = new TempFiles();
        string path = temp.Write("prefs.jsonl",
            """{"prompt":"Hi","chosen":[{"role":"user","content":"Hi"},{"role":"assistant","content":"Hello!"}],"rejected":[{"role":"user","content":"Hi"},{"role":"assistant","content":"Go away."}]}""",
            """{"chosen":[{"role":"user","content":"Hi"},{"role":"assistant","content":"Same"}],"rejected":[{"role":"user","content":"Hi"},{"role":"assistant","content":"Same"}]}""");
        var loaded = ChatMessagesFormat.LoadPairwise(path);
        Assert.Equal(new PreferencePair("Hi", "Hello!", "Go away."), loaded.Records[0]);
        Assert.Equal([2], loaded.Report.IdenticalPairLines);
    }

    [Theory]
    [InlineData("""{"chosen":[{"role":"user","content":"A"},{"role":"assistant","content":"x"}],"rejected":[{"role":"user","content":"B"},{"role":"assistant","content":"y"}]}""", "rejected", "does not share")]
    [InlineData("""{"chosen":[{"role":"robot","content":"A"},{"role":"assistant","content":"x"}],"rejected":[]}""", "chosen[0].role", "unknown role 'robot'")]
    [InlineData("""{"chosen":[{"role":"user","content":7},{"role":"assistant","content":"x"}],"rejected":[]}""", "chosen[0].content", "expected a string, found a number")]
    [InlineData("""{"chosen":[{"role":"user","content":"A"}],"rejected":[]}""", "chosen", "final assistant message")]
    [InlineData("""{"chosen":"A","rejected":[]}""", "chosen", "expected an array")]
    public void Bad_messages_name_the_field(string line, string field, string problem)
    {
        using var temp = new TempFiles();
        string path = temp.Write("prefs.jsonl", line);
        var e = Assert.Throws<DatasetFormatException>(() => ChatMessagesFormat.LoadPairwise(path));
        Assert.Equal((1, field), (e.Line!.Value, e.Field));
        Assert.Contains(problem, e.Message);
    }
}
