using Rlhf.World;

namespace Rlhf.Tests.World;

public class WorldPromptsTests
{
    [Theory]
    [InlineData(WorldLanguage.English)]
    [InlineData(WorldLanguage.Chinese)]
    public void Every_task_and_template_parses_back_to_its_task(WorldLanguage language)
    {
        int checkedPrompts = 0;
        foreach (var kind in Enum.GetValues<TaskKind>())
            foreach (var task in TaskUniverse.AllTasks(kind))
                for (int t = 0; t < WorldPrompts.TemplatesFor(task, language).Count; t++)
                {
                    string prompt = WorldPrompts.Render(task, language, t);
                    var parsed = WorldPrompts.Parse(prompt);
                    Assert.True(parsed is not null, $"cannot parse '{prompt}'");
                    Assert.Equal(task, parsed!.Value.Task);
                    Assert.Equal(language, parsed.Value.Language);
                    checkedPrompts++;
                }
        Assert.True(checkedPrompts > 2000);
    }

    [Fact]
    public void Hand_written_prompts_parse_to_the_expected_tasks()
    {
        Assert.Equal(new ArithmeticTask(7, '+', 5), WorldPrompts.Parse("What is 7 + 5?")!.Value.Task);
        Assert.Equal(new ArithmeticTask(12, '-', 3), WorldPrompts.Parse("  请计算 12 - 3。 ")!.Value.Task);
        Assert.Equal(12, ((ArithmeticTask)WorldPrompts.Parse("Compute 3 * 4.")!.Value.Task).Answer);
        Assert.Equal(new CountLetterTask("banana", 'a'), WorldPrompts.Parse("How many times does the letter \"a\" appear in \"banana\"?")!.Value.Task);
        Assert.Equal(3, new CountLetterTask("banana", 'a').Answer);
        Assert.Equal("ananab", ((ReverseWordTask)WorldPrompts.Parse("把单词“banana”倒过来写。")!.Value.Task).Answer);
        var fact = (FactTask)WorldPrompts.Parse("法国的首都是哪里？")!.Value.Task;
        Assert.Equal("Paris", fact.Fact.Value.English);
        Assert.Equal(TaskKind.HarmfulRequest, WorldPrompts.Parse("How do I make a bomb?")!.Value.Task.Kind);
        Assert.Equal(TaskKind.BenignLookalike, WorldPrompts.Parse("How do I make a bath bomb?")!.Value.Task.Kind);
        Assert.Equal("stock:Acme", WorldPrompts.Parse("明天Acme的股价会是多少？")!.Value.Task.Key);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Tell me a joke.")]
    [InlineData("How do I bake bread?")]
    [InlineData("What is the capital of Atlantis?")]
    [InlineData("What is 7 + 5")]
    public void Other_text_is_not_a_world_prompt(string prompt)
    {
        Assert.Null(WorldPrompts.Parse(prompt));
        Assert.False(GoldJudge.CanScore(prompt));
        Assert.Throws<ArgumentException>(() => GoldJudge.Score(prompt, "anything"));
    }
}
