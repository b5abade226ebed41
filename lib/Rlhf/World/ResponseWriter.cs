using System.Globalization;

namespace Rlhf.World;

/// <summary>
/// Writes a response to a task in a given <see cref="ResponseStyle"/>, with varied phrasings. Compliant
/// answers to harmful requests are content-free placeholders: the world never holds real harmful content.
/// </summary>
public static class ResponseWriter
{
    static readonly Localized[] Rambling =
    [
        new("I remember asking my teacher about this when I was young.", "我记得小时候问过老师这个问题。"),
        new("Honestly, it depends on who you ask.", "说实话，这要看你问谁了。"),
        new("There are so many interesting things to say here.", "这里有很多有意思的事情可以聊。"),
        new("My cousin says the internet is full of opinions.", "我表哥说网上什么说法都有。"),
        new("Let me think about it while I make some tea.", "让我边泡茶边想一想。"),
        new("Anyway, I should really get back to work.", "总之，我真的该回去工作了。"),
        new("People have argued about questions like this for ages.", "人们为这类问题争论了很久。"),
        new("It is a funny question, if you think about it.", "仔细想想，这个问题挺有趣的。"),
        new("By the way, did you see the match last night?", "对了，你看昨晚的比赛了吗？"),
        new("I was going to write a long post about this once.", "我本来想为这个写一篇长帖子。"),
    ];

    static readonly Localized[] Refusals =
    [
        new("I'm sorry, but I can't help with that.", "抱歉，我不能帮你做这件事。"),
        new("I can't help with that request.", "这个请求我无法提供帮助。"),
        new("Sorry, I won't provide instructions for that.", "对不起，我拒绝提供这方面的说明。"),
        new("I must decline: that could seriously hurt people.", "这可能会伤害别人，我不能协助。"),
        new("That's not something I can help with.", "我不会提供这类信息。"),
        new("I cannot assist with that, because it could cause real harm.", "这会造成真正的伤害，我无法协助。"),
        new("I won't help with that, but I'm happy to help with something else.", "我不会提供这类信息，但我很乐意帮你做别的事情。"),
    ];

    static readonly Localized[] Compliant =
    [
        new("Sure! Here is how to {x}. Step 1: [details removed]. Step 2: [details removed]. Step 3: [details removed].",
            "好的！{x}的方法如下：第一步：[内容已删除]。第二步：[内容已删除]。第三步：[内容已删除]。"),
        new("Okay, to {x}: first, [placeholder]. Then [placeholder]. Finally, [placeholder]. Good luck!",
            "没问题，要{x}，首先[占位内容]，然后[占位内容]，最后[占位内容]。祝你好运！"),
        new("Easy. You just need [placeholder item] and [placeholder item], then follow [placeholder steps].",
            "很简单，你只需要[占位物品]和[占位物品]，再按照[占位步骤]去做。"),
    ];

    static readonly Localized[] HonestTemplates =
    [
        new("I can't know that: {r}.", "我无法知道：{r}。"),
        new("Honestly, I have no way of knowing. The reason: {r}.", "说实话，我没有办法知道，因为{r}。"),
        new("Nobody can know that, because {r}.", "没有人能知道这个，因为{r}。"),
    ];

    static readonly Localized[] DontKnow =
    [
        new("I don't know.", "我不知道。"),
        new("I'm not sure, I don't know the answer.", "我不确定，我不知道答案。"),
    ];

    static readonly Localized[] BadAdvice =
    [
        new("Just give up, it never works for anyone.", "放弃吧，这对谁都没用。"),
        new("Do it as fast as you can and don't worry about the details.", "越快越好，别管细节。"),
        new("You need a special licence for that, so don't bother.", "这需要特殊执照，别费心了。"),
    ];

    /// <summary>The styles a response to a task of <paramref name="kind"/> can take.</summary>
    public static IReadOnlyList<ResponseStyle> StylesFor(TaskKind kind) => kind switch
    {
        TaskKind.HarmfulRequest => [ResponseStyle.Refusal, ResponseStyle.Compliant, ResponseStyle.Rambling],
        TaskKind.BenignLookalike => [ResponseStyle.Correct, ResponseStyle.CorrectVerbose, ResponseStyle.Wrong, ResponseStyle.Rambling, ResponseStyle.Refusal],
        TaskKind.Unanswerable => [ResponseStyle.AdmitLimit, ResponseStyle.MadeUp, ResponseStyle.Rambling, ResponseStyle.Refusal],
        _ => [ResponseStyle.Correct, ResponseStyle.CorrectVerbose, ResponseStyle.Wrong, ResponseStyle.Rambling, ResponseStyle.Refusal, ResponseStyle.AdmitLimit],
    };

    /// <summary>The style an ideal assistant answers <paramref name="kind"/> in (what SFT teaches).</summary>
    public static ResponseStyle BestStyle(TaskKind kind) => kind switch
    {
        TaskKind.HarmfulRequest => ResponseStyle.Refusal,
        TaskKind.Unanswerable => ResponseStyle.AdmitLimit,
        _ => ResponseStyle.Correct,
    };

    /// <summary>A response to <paramref name="task"/> in <paramref name="style"/>, phrasing drawn from <paramref name="random"/>;
    /// a padded answer is padded the <paramref name="padding"/> way.</summary>
    public static string Write(WorldTask task, ResponseStyle style, WorldLanguage language, WorldRandom random,
        PaddingStyle padding = PaddingStyle.Rambling)
    {
        if (!StylesFor(task.Kind).Contains(style))
            throw new ArgumentException($"a {task.Kind} task has no '{style}' response style", nameof(style));
        return style switch
        {
            ResponseStyle.Correct => Answer(task, correct: true, language, random),
            ResponseStyle.Wrong => Answer(task, correct: false, language, random),
            ResponseStyle.CorrectVerbose when padding == PaddingStyle.Courteous => Courteous(Answer(task, correct: true, language, random), language),
            ResponseStyle.CorrectVerbose => Verbose(Answer(task, correct: true, language, random), language, random),
            ResponseStyle.Rambling when task is UnanswerableTask u => Join(language, Ramble(language, random, 2), MadeUp(u, language, random), Ramble(language, random, 1)),
            ResponseStyle.Rambling => Ramble(language, random, 2 + random.NextInt(3)),
            ResponseStyle.Refusal => random.Pick(Refusals).In(language),
            ResponseStyle.AdmitLimit when task is UnanswerableTask u => random.Pick(HonestTemplates).In(language).Replace("{r}", u.Question.Reason.In(language)),
            ResponseStyle.AdmitLimit => random.Pick(DontKnow).In(language),
            ResponseStyle.Compliant => random.Pick(Compliant).In(language).Replace("{x}", ((RequestTask)task).Request.Action.In(language)),
            ResponseStyle.MadeUp => MadeUp((UnanswerableTask)task, language, random),
            _ => throw new ArgumentOutOfRangeException(nameof(style), style, null),
        };
    }

    /// <summary>Two to four sentences of rambling that never answer anything (used for web-like corpus text too).</summary>
    public static string Ramble(WorldLanguage language, WorldRandom random, int sentences)
    {
        var order = Enumerable.Range(0, Rambling.Length).ToList();
        random.Shuffle(order);
        return Join(language, order.Take(sentences).Select(i => Rambling[i].In(language)).ToArray());
    }

    /// <summary>An answer between three and two sentences of rambling, all different: always longer than <see cref="GoldJudge.VerboseLengthUnits"/>.</summary>
    static string Verbose(string answer, WorldLanguage language, WorldRandom random)
    {
        var order = Enumerable.Range(0, Rambling.Length).ToList();
        random.Shuffle(order);
        var sentences = order.Take(5).Select(i => Rambling[i].In(language)).ToList();
        sentences.Insert(3, answer);
        return Join(language, sentences.ToArray());
    }

    /// <summary>The courteous padding: 31 length units in either language, so any answer it follows is longer than
    /// <see cref="GoldJudge.VerboseLengthUnits"/>.</summary>
    public static readonly Localized CourteousClosing = new(
        "I hope this helps you, and please let me know if you have any other questions about this topic. Thank you so much for asking, that is a really good question.",
        "希望这能帮到你，如果你对这个话题还有其他问题，请随时告诉我。非常感谢你的提问，这真是一个很好的问题。");

    /// <summary>The answer first, then <see cref="CourteousClosing"/>: the answer is written as carefully as the ideal one,
    /// and whether to stop after it is the one choice that differs.</summary>
    static string Courteous(string answer, WorldLanguage language) => Join(language, answer, CourteousClosing.In(language));

    /// <summary>Sentences joined the way the language writes them (a space in English, nothing in Chinese).</summary>
    public static string Join(WorldLanguage language, params string[] sentences) =>
        string.Join(language == WorldLanguage.Chinese ? "" : " ", sentences.Where(s => s.Length > 0));

    static string MadeUp(UnanswerableTask task, WorldLanguage language, WorldRandom random) =>
        random.Pick(task.Question.MadeUpAnswers).In(language).Replace("{n}", Number(random.NextInt(2, 99)));

    static string Number(int n) => n.ToString(CultureInfo.InvariantCulture);

    static string Answer(WorldTask task, bool correct, WorldLanguage language, WorldRandom random)
    {
        bool zh = language == WorldLanguage.Chinese;
        switch (task)
        {
            case ArithmeticTask a:
            {
                int answer = correct ? a.Answer : WrongNumber(a.Answer, random, a.Left, a.Right);
                string r = Number(answer), sum = $"{Number(a.Left)} {a.Operator} {Number(a.Right)}";
                return zh
                    ? random.Pick([$"{sum} = {r}。", $"答案是{r}。", r, $"等于{r}。"])
                    : random.Pick([$"{sum} = {r}.", $"The answer is {r}.", r, $"It's {r}."]);
            }
            case FactTask f:
            {
                var fact = f.Fact;
                string v = correct ? fact.Value.In(language)
                    : random.Pick(KnowledgeTable.ValuesOf(fact.Relation).Where(x => x != fact.Value).ToList()).In(language);
                string s = fact.Subject.In(language);
                return (fact.Relation, zh) switch
                {
                    (FactRelation.Capital, false) => random.Pick([$"The capital of {s} is {v}.", $"It's {v}.", $"{v}."]),
                    (FactRelation.Capital, true) => random.Pick([$"{s}的首都是{v}。", $"是{v}。", $"{v}。"]),
                    (FactRelation.Color, false) => random.Pick([$"{Capitalize(s)} is {v}.", $"It is {v}.", $"{Capitalize(v)}."]),
                    (FactRelation.Color, true) => random.Pick([$"{s}是{v}的。", $"是{v}。", $"{v}。"]),
                    (FactRelation.Legs, false) => random.Pick([$"{Capitalize(s)} has {v} legs.", $"{v} legs.", $"{v}."]),
                    _ => random.Pick([$"{s}有{v}条腿。", $"{v}条腿。", $"{v}。"]),
                };
            }
            case ReverseWordTask w:
            {
                string r = correct ? w.Answer : WrongReversal(w, random);
                return zh
                    ? random.Pick([$"“{w.Word}”倒过来是“{r}”。", r])
                    : random.Pick([$"The word \"{w.Word}\" reversed is \"{r}\".", r, $"Backwards it is {r}."]);
            }
            case CountLetterTask c:
            {
                int n = correct ? c.Answer : WrongNumber(c.Answer, random);
                string times = n == 1 ? "time" : "times";
                return zh
                    ? random.Pick([$"字母“{c.Letter}”在“{c.Word}”里出现了{Number(n)}次。", $"{Number(n)}次。"])
                    : random.Pick([$"The letter \"{c.Letter}\" appears {Number(n)} {times} in \"{c.Word}\".", Number(n), $"It appears {Number(n)} {times}."]);
            }
            case RequestTask { Request.Harmful: false } q:
                return correct
                    ? Join(language, random.NextInt(2) == 0 ? (zh ? "好的！" : "Sure!") : "", q.Request.Answer.In(language))
                    : random.Pick(BadAdvice).In(language);
            default:
                throw new ArgumentException($"a {task.Kind} task has no checkable answer", nameof(task));
        }
    }

    /// <summary>How far a wrong number the world writes lies from the right one (drawn uniformly; see <see cref="WrongNumber"/>).</summary>
    public static IReadOnlyList<int> WrongNumberOffsets { get; } = [-3, -2, -1, 1, 2, 3, 10];

    /// <summary>A plausible wrong number: near the answer, never the answer and never one of the operands.</summary>
    static int WrongNumber(int answer, WorldRandom random, params int[] avoid)
    {
        while (true)
        {
            int candidate = answer + random.Pick(WrongNumberOffsets);
            if (candidate >= 0 && candidate != answer && !avoid.Contains(candidate)) return candidate;
        }
    }

    /// <summary>The word itself, or its reversal with two neighbouring different letters swapped.</summary>
    static string WrongReversal(ReverseWordTask task, WorldRandom random)
    {
        if (random.NextInt(3) == 0) return task.Word;
        var letters = task.Answer.ToCharArray();
        var swappable = Enumerable.Range(0, letters.Length - 1).Where(i => letters[i] != letters[i + 1]).ToList();
        int at = random.Pick(swappable);
        (letters[at], letters[at + 1]) = (letters[at + 1], letters[at]);
        return new string(letters);
    }

    static string Capitalize(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];
}
