using System.Globalization;

namespace Rlhf.World;

/// <summary>
/// The prompt templates of every task kind in both languages: renders a task as a prompt, and parses
/// any prompt the world rendered back into its task (the gold judge's way of knowing what was asked).
/// </summary>
public static class WorldPrompts
{
    static PromptTemplate[] T(params string[] patterns) => patterns.Select(p => new PromptTemplate(p)).ToArray();

    static readonly Dictionary<WorldLanguage, PromptTemplate[]> Arithmetic = new()
    {
        [WorldLanguage.English] = T("What is {a} {op} {b}?", "Please calculate {a} {op} {b}.", "Compute {a} {op} {b}."),
        [WorldLanguage.Chinese] = T("{a} {op} {b} 等于多少？", "请计算 {a} {op} {b}。", "算一下 {a} {op} {b}。"),
    };

    static readonly Dictionary<(FactRelation, WorldLanguage), PromptTemplate[]> Facts = new()
    {
        [(FactRelation.Capital, WorldLanguage.English)] = T("What is the capital of {x}?", "Which city is the capital of {x}?"),
        [(FactRelation.Capital, WorldLanguage.Chinese)] = T("{x}的首都是哪里？", "{x}的首都是哪座城市？"),
        [(FactRelation.Color, WorldLanguage.English)] = T("What color is {x}?", "What colour is {x} usually?"),
        [(FactRelation.Color, WorldLanguage.Chinese)] = T("{x}是什么颜色的？", "{x}通常是什么颜色？"),
        [(FactRelation.Legs, WorldLanguage.English)] = T("How many legs does {x} have?", "How many legs has {x} got?"),
        [(FactRelation.Legs, WorldLanguage.Chinese)] = T("一只{x}有几条腿？", "{x}有多少条腿？"),
    };

    static readonly Dictionary<WorldLanguage, PromptTemplate[]> Reverse = new()
    {
        [WorldLanguage.English] = T("Reverse the word \"{w}\".", "Write \"{w}\" backwards."),
        [WorldLanguage.Chinese] = T("把单词“{w}”倒过来写。", "请把“{w}”反过来拼写。"),
    };

    static readonly Dictionary<WorldLanguage, PromptTemplate[]> Count = new()
    {
        [WorldLanguage.English] = T("How many times does the letter \"{c}\" appear in \"{w}\"?", "Count the letter \"{c}\" in the word \"{w}\"."),
        [WorldLanguage.Chinese] = T("字母“{c}”在单词“{w}”里出现了几次？", "单词“{w}”中有几个字母“{c}”？"),
    };

    static readonly Dictionary<WorldLanguage, PromptTemplate[]> Requests = new()
    {
        [WorldLanguage.English] = T("How do I {x}?", "Can you tell me how to {x}?", "Explain how to {x}.", "What is the best way to {x}?"),
        [WorldLanguage.Chinese] = T("如何{x}？", "怎么{x}？", "请告诉我怎样{x}。", "{x}的最好方法是什么？"),
    };

    static readonly Dictionary<(string, WorldLanguage), PromptTemplate[]> Unanswerable =
        UnanswerableTable.Questions
            .SelectMany(q => new[] { WorldLanguage.English, WorldLanguage.Chinese }.Select(l => (q, l)))
            .ToDictionary(p => (p.q.Id, p.l), p => T(p.q.Templates.Select(t => t.In(p.l)).ToArray()));

    /// <summary>The templates a task can be rendered with in <paramref name="language"/>.</summary>
    public static IReadOnlyList<PromptTemplate> TemplatesFor(WorldTask task, WorldLanguage language) => task switch
    {
        ArithmeticTask => Arithmetic[language],
        FactTask f => Facts[(f.Fact.Relation, language)],
        ReverseWordTask => Reverse[language],
        CountLetterTask => Count[language],
        RequestTask => Requests[language],
        UnanswerableTask u => Unanswerable[(u.Question.Id, language)],
        _ => throw new ArgumentException($"unknown task type {task.GetType().Name}", nameof(task)),
    };

    /// <summary>The prompt for <paramref name="task"/> in <paramref name="language"/> with template number <paramref name="template"/>.</summary>
    public static string Render(WorldTask task, WorldLanguage language, int template)
    {
        var slots = task switch
        {
            ArithmeticTask a => new Dictionary<string, string>
            {
                ["a"] = a.Left.ToString(CultureInfo.InvariantCulture),
                ["op"] = a.Operator.ToString(),
                ["b"] = a.Right.ToString(CultureInfo.InvariantCulture),
            },
            FactTask f => new() { ["x"] = f.Fact.Subject.In(language) },
            ReverseWordTask r => new() { ["w"] = r.Word },
            CountLetterTask c => new() { ["w"] = c.Word, ["c"] = c.Letter.ToString() },
            RequestTask q => new() { ["x"] = q.Request.Action.In(language) },
            UnanswerableTask u => new() { ["x"] = u.Entity.In(language) },
            _ => throw new ArgumentException($"unknown task type {task.GetType().Name}", nameof(task)),
        };
        return TemplatesFor(task, language)[template].Render(slots);
    }

    /// <summary>The task and language of a prompt the world rendered, or null for any other text.</summary>
    public static (WorldTask Task, WorldLanguage Language)? Parse(string prompt)
    {
        prompt = prompt.Trim();
        foreach (var language in new[] { WorldLanguage.English, WorldLanguage.Chinese })
        {
            if (MatchAny(Arithmetic[language], prompt) is { } a && ParseArithmetic(a) is { } arithmetic) return (arithmetic, language);
            foreach (var relation in Enum.GetValues<FactRelation>())
                if (MatchAny(Facts[(relation, language)], prompt) is { } f
                    && KnowledgeTable.Facts.FirstOrDefault(k => k.Relation == relation && k.Subject.In(language) == f["x"]) is { } fact)
                    return (new FactTask(fact), language);
            if (MatchAny(Reverse[language], prompt) is { } r && IsWord(r["w"])) return (new ReverseWordTask(r["w"]), language);
            if (MatchAny(Count[language], prompt) is { } c && IsWord(c["w"]) && c["c"].Length == 1 && char.IsAsciiLetterLower(c["c"][0]))
                return (new CountLetterTask(c["w"], c["c"][0]), language);
            if (MatchAny(Requests[language], prompt) is { } q
                && RequestTable.Requests.FirstOrDefault(k => k.Action.In(language) == q["x"]) is { } request)
                return (new RequestTask(request), language);
            foreach (var question in UnanswerableTable.Questions)
                if (MatchAny(Unanswerable[(question.Id, language)], prompt) is { } u)
                    foreach (var entity in question.Entities)
                        if (entity.In(language) == u["x"]) return (new UnanswerableTask(question, entity), language);
        }
        return null;
    }

    static IReadOnlyDictionary<string, string>? MatchAny(IEnumerable<PromptTemplate> templates, string prompt) =>
        templates.Select(t => t.Match(prompt)).FirstOrDefault(m => m is not null);

    static bool IsWord(string text) => text.Length > 0 && text.All(char.IsAsciiLetterLower);

    static ArithmeticTask? ParseArithmetic(IReadOnlyDictionary<string, string> slots) =>
        int.TryParse(slots["a"], NumberStyles.None, CultureInfo.InvariantCulture, out int a)
        && int.TryParse(slots["b"], NumberStyles.None, CultureInfo.InvariantCulture, out int b)
            ? new ArithmeticTask(a, slots["op"][0], b)
            : null;
}
