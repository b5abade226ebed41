using Rlhf.Text;
using static Rlhf.Tests.Text.TinyGpt2Folder;

namespace Rlhf.Tests.Text;

public class ChatTemplateTests
{
    static readonly ChatTemplate Template = new(TinyGpt2Folder.Load());

    // "### Human:" -> "###", " Human", ":"  (no merge applies)
    static readonly int[] HumanHeader = [Ascii('#'), Ascii('#'), Ascii('#'), Space, Ascii('H'), Ascii('u'), Ascii('m'), Ascii('a'), Ascii('n'), Ascii(':')];

    // "\n### Assistant:" -> "\n", "###", " Assistant", ":"
    static readonly int[] AssistantHeader =
    [
        Newline, Ascii('#'), Ascii('#'), Ascii('#'), Space, Ascii('A'), Ascii('s'), Ascii('s'), Ascii('i'), Ascii('s'),
        Ascii('t'), Ascii('a'), Ascii('n'), Ascii('t'), Ascii(':'),
    ];

    static readonly int[] Prompt = [Space, Ascii('h'), Ascii('i')];                              // " hi"
    static readonly int[] Response = [258, Space, Ascii('e'), Ascii('n'), Ascii('d'), EndOfTextId]; // " the", " end", eos

    [Fact]
    public void Ids_and_loss_mask_of_a_known_example()
    {
        var example = Template.EncodeTraining("hi", "the end");

        Assert.Equal([.. HumanHeader, .. Prompt, .. AssistantHeader, .. Response], example.InputIds);
        Assert.Equal(28, example.PromptLength);
        Assert.Equal(Enumerable.Repeat(0, 28).Concat(Enumerable.Repeat(1, 6)), example.LossMask);
        Assert.Same(TruncationReport.None, example.Truncation);
        Assert.Equal(25, Template.TemplateLength);
        Assert.Equal("### Human: hi\n### Assistant: the end<|endoftext|>", Template.Tokenizer.Decode(example.InputIds));
    }

    [Fact]
    public void A_preference_pair_cuts_its_shared_prompt_once_so_both_answers_see_the_same_context()
    {
        var prompt = string.Join(" ", Enumerable.Range(0, 30).Select(i => $"w{i % 10}"));
        string chosen = "ok", rejected = "a much longer answer that needs many more tokens";
        const int limit = 80;

        var (chosenExample, rejectedExample) = Template.EncodePair(prompt, chosen, rejected, limit);

        Assert.Equal(chosenExample.InputIds[..chosenExample.PromptLength], rejectedExample.InputIds[..rejectedExample.PromptLength]);
        Assert.True(rejectedExample.InputIds.Length <= limit && chosenExample.InputIds.Length <= limit);
        Assert.Equal(rejectedExample.Truncation.PromptTokensRemoved, chosenExample.Truncation.PromptTokensRemoved);
        Assert.True(chosenExample.Truncation.PromptTokensRemoved > 0);
        // Each answer alone would have kept a different part of the prompt: the bug this guards against.
        var alone = (Template.EncodeTraining(prompt, chosen, limit), Template.EncodeTraining(prompt, rejected, limit));
        Assert.NotEqual(alone.Item1.PromptLength, alone.Item2.PromptLength);
        Assert.Equal(alone.Item2.InputIds, rejectedExample.InputIds); // the longer answer decides the cut
    }

    [Fact]
    public void The_generation_prompt_is_the_training_prompt_ending_after_assistant_colon()
    {
        var prompt = Template.EncodePrompt("hi");
        Assert.Equal([.. HumanHeader, .. Prompt, .. AssistantHeader], prompt.InputIds);
        Assert.Equal(Template.EncodeTraining("hi", "the end").InputIds[..28], prompt.InputIds);
        Assert.Equal("### Human: hi\n### Assistant:", Template.Tokenizer.Decode(prompt.InputIds));
    }

    [Theory]
    [InlineData(34, 0, 0, false)]  // fits exactly
    [InlineData(33, 1, 0, false)]  // prompt loses its first token
    [InlineData(31, 3, 0, false)]  // whole prompt text gone, response untouched
    [InlineData(30, 3, 0, true)]   // then end-of-text goes first
    [InlineData(26, 3, 4, true)]   // the smallest length: template + one response token
    public void Truncation_cuts_the_prompt_from_the_left_then_the_response_from_the_right(
        int maxLength, int promptRemoved, int responseRemoved, bool endOfTextRemoved)
    {
        var example = Template.EncodeTraining("hi", "the end", maxLength);

        Assert.Equal(new TruncationReport(promptRemoved, responseRemoved, endOfTextRemoved), example.Truncation);
        Assert.Equal(maxLength, example.Length);
        int[] completionKept = Response[..(Response.Length - responseRemoved - (endOfTextRemoved ? 1 : 0))];
        Assert.Equal([.. HumanHeader, .. Prompt[promptRemoved..], .. AssistantHeader, .. completionKept], example.InputIds);
        Assert.Equal(completionKept.Length, example.LossMask.Sum());
        Assert.Equal(example.Length - completionKept.Length, example.PromptLength);
    }

    [Fact]
    public void Truncation_reports_say_what_was_cut()
    {
        Assert.False(TruncationReport.None.Truncated);
        var report = Template.EncodeTraining("hi", "the end", 30).Truncation;
        Assert.True(report.Truncated);
        Assert.Equal("truncated: 3 prompt tokens from the left, 0 response tokens from the right, end-of-text removed", report.ToString());
    }

    [Fact]
    public void Too_small_a_maximum_length_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Template.EncodeTraining("hi", "the end", 25));
        Assert.Throws<ArgumentOutOfRangeException>(() => Template.EncodePrompt("hi", 24));
    }

    [Fact]
    public void Prompt_only_truncation_cuts_from_the_left()
    {
        var prompt = Template.EncodePrompt("hi", 26);
        Assert.Equal([.. HumanHeader, Ascii('i'), .. AssistantHeader], prompt.InputIds);
        Assert.Equal(new TruncationReport(2, 0, false), prompt.Truncation);
        Assert.Same(TruncationReport.None, Template.EncodePrompt("hi", 28).Truncation);
    }

    [Fact]
    public void End_of_text_text_inside_a_message_never_becomes_the_special_token()
    {
        var example = Template.EncodeTraining("say <|endoftext|> please", "<|endoftext|><|pad|>");
        Assert.Equal(1, example.InputIds.Count(id => id == EndOfTextId));
        Assert.Equal(EndOfTextId, example.InputIds[^1]);
        Assert.DoesNotContain(Template.Tokenizer.PadId, example.InputIds);
    }

    [Theory]
    [InlineData("hi", "the end")]
    [InlineData("", "")]
    [InlineData("ends with space ", " starts with space")]
    [InlineData("ends with newline\n", "\nstarts with newline")]
    [InlineData("punctuation!?", "?! yes")]
    [InlineData("what's 12+3", "'s 15.")]
    [InlineData("你好", "世界 🙂")]
    [InlineData("tabs\t\t", "\t\ttabs")]
    public void Piecewise_encoding_equals_encoding_the_whole_text(string prompt, string response)
    {
        // With a trained vocabulary (many merges), a boundary that cut a BPE word would show up here.
        var tokenizer = TextTokenizer.FromVocabulary(BpeTrainer.Train(BpeTrainerTests.Corpus().Append(prompt + " " + response),
            new BpeTrainerOptions { VocabularySize = 500, MinPairCount = 1 }).Vocabulary);
        var template = new ChatTemplate(tokenizer);

        var example = template.EncodeTraining(prompt, response);
        Assert.Equal([.. tokenizer.Encode(ChatTemplate.Format(prompt, response)), tokenizer.EndOfTextId], example.InputIds);
        Assert.Equal(tokenizer.Encode(ChatTemplate.FormatPrompt(prompt)), template.EncodePrompt(prompt).InputIds);
        Assert.Equal(template.EncodePrompt(prompt).InputIds, example.InputIds[..example.PromptLength]);
        Assert.Equal(ChatTemplate.Format(prompt, response) + tokenizer.EndOfTextToken, tokenizer.Decode(example.InputIds));
    }
}
