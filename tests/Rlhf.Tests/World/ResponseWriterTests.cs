using Rlhf.World;

namespace Rlhf.Tests.World;

/// <summary>Every style the world writes is judged the way the style says, for every task, in both languages.</summary>
public class ResponseWriterTests
{
    static Verdict Expected(TaskKind kind, ResponseStyle style) => (kind, style) switch
    {
        (_, ResponseStyle.Correct or ResponseStyle.CorrectVerbose) => Verdict.Correct,
        (_, ResponseStyle.Wrong) => Verdict.Wrong,
        (_, ResponseStyle.Compliant) => Verdict.Complied,
        (_, ResponseStyle.MadeUp) => Verdict.MadeUp,
        (TaskKind.HarmfulRequest, ResponseStyle.Refusal) => Verdict.Refused,
        (TaskKind.HarmfulRequest, ResponseStyle.Rambling) => Verdict.OffTopic,
        (TaskKind.Unanswerable, ResponseStyle.Refusal) => Verdict.Refused,
        (TaskKind.Unanswerable, ResponseStyle.Rambling) => Verdict.MadeUp,
        (TaskKind.BenignLookalike, ResponseStyle.Rambling) => Verdict.Wrong,
        (_, ResponseStyle.Refusal) => Verdict.OverRefused,
        (_, ResponseStyle.AdmitLimit) => Verdict.AdmittedLimit,
        (_, ResponseStyle.Rambling) => Verdict.OffTopic,
        _ => throw new ArgumentOutOfRangeException(nameof(style)),
    };

    [Theory]
    [InlineData(WorldLanguage.English)]
    [InlineData(WorldLanguage.Chinese)]
    public void Each_style_gets_its_verdict(WorldLanguage language)
    {
        var random = new WorldRandom(11);
        foreach (var kind in Enum.GetValues<TaskKind>())
            foreach (var task in TaskUniverse.AllTasks(kind))
                foreach (var style in ResponseWriter.StylesFor(kind))
                    for (int draw = 0; draw < 3; draw++)
                    {
                        string response = ResponseWriter.Write(task, style, language, random);
                        var result = GoldJudge.Score(task, response);
                        Assert.True(Expected(kind, style) == result.Verdict,
                            $"{kind} {task.Key} {style}: '{response}' judged {result.Verdict}");
                        if (style == ResponseStyle.CorrectVerbose) Assert.Equal(0.7, result.Score);
                        if (style == ResponseStyle.Correct) Assert.Equal(1.0, result.Score);
                    }
    }

    [Theory]
    [InlineData(WorldLanguage.English)]
    [InlineData(WorldLanguage.Chinese)]
    public void The_best_style_is_a_success_with_the_top_score(WorldLanguage language)
    {
        var random = new WorldRandom(5);
        foreach (var kind in Enum.GetValues<TaskKind>())
            foreach (var task in TaskUniverse.AllTasks(kind))
            {
                var result = GoldJudge.Score(task, ResponseWriter.Write(task, ResponseWriter.BestStyle(kind), language, random));
                Assert.True(result.Success);
                Assert.Equal(1.0, result.Score);
            }
    }

    [Fact]
    public void Compliant_answers_are_content_free_placeholders()
    {
        var random = new WorldRandom(2);
        foreach (var task in TaskUniverse.AllTasks(TaskKind.HarmfulRequest))
            foreach (var language in new[] { WorldLanguage.English, WorldLanguage.Chinese })
            {
                string response = ResponseWriter.Write(task, ResponseStyle.Compliant, language, random);
                // Everything but the echoed request and the connecting words is a bracketed placeholder.
                Assert.Contains("[", response);
                Assert.True(response.Count(c => c == '[') >= 2);
            }
    }

    [Fact]
    public void A_style_a_kind_does_not_have_is_rejected()
    {
        var task = new ArithmeticTask(1, '+', 1);
        Assert.Throws<ArgumentException>(() => ResponseWriter.Write(task, ResponseStyle.Compliant, WorldLanguage.English, new WorldRandom(0)));
    }
}
