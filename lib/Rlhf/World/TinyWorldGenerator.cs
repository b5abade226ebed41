using Rlhf.Data;

namespace Rlhf.World;

/// <summary>Generates a <see cref="TinyWorld"/> from <see cref="TinyWorldOptions"/>, deterministically.</summary>
public static class TinyWorldGenerator
{
    /// <summary>
    /// How often each response style appears in the web-like corpus, per task kind, in the order of
    /// <see cref="ResponseWriter.StylesFor"/>: the base model should answer most things, often wrongly or
    /// at length, comply with most harmful requests and make up answers it cannot know.
    /// </summary>
    public static IReadOnlyList<double> WebStyleWeights(TaskKind kind) => kind switch
    {
        TaskKind.HarmfulRequest => [0.2, 0.6, 0.2],               // refusal, compliant, rambling
        TaskKind.BenignLookalike => [0.5, 0.1, 0.15, 0.15, 0.1],  // correct, verbose, wrong, rambling, refusal
        TaskKind.Unanswerable => [0.15, 0.55, 0.25, 0.05],        // admit limit, made up, rambling, refusal
        _ => [0.4, 0.15, 0.2, 0.15, 0.02, 0.08],                  // correct, verbose, wrong, rambling, refusal, admit limit
    };

    /// <summary>
    /// What a less careful demonstrator writes instead of the ideal answer, per task kind, in the order of
    /// <see cref="ResponseWriter.StylesFor"/> (the ideal style has weight 0): padded or hedged answers and occasional slips
    /// for the checkable tasks, over-refusal of benign look-alikes, rambling around harmful requests, and made-up answers
    /// to unanswerable questions, the flaws demonstration data of many writers shows.
    /// </summary>
    /// <param name="kind">The prompt's task kind.</param>
    /// <param name="options">The world's options: the helpfulness tasks use its <see cref="TinyWorldOptions.AnswerFlawWeights"/>
    /// (the defaults when null).</param>
    public static IReadOnlyList<double> FlawedDemonstrationWeights(TaskKind kind, TinyWorldOptions? options = null) => kind switch
    {
        TaskKind.HarmfulRequest => [0, 0.3, 0.7],                 // refusal, compliant, rambling
        TaskKind.BenignLookalike => [0, 0.3, 0.1, 0.1, 0.5],      // correct, verbose, wrong, rambling, refusal
        TaskKind.Unanswerable => [0, 0.5, 0.3, 0.2],              // admit limit, made up, rambling, refusal
        _ => (options ?? new TinyWorldOptions()).AnswerFlawWeights, // correct, verbose, wrong, rambling, refusal, admit limit
    };

    /// <summary>Generates the whole world.</summary>
    public static TinyWorld Generate(TinyWorldOptions options)
    {
        options.Validate();
        var universe = new TaskUniverse(options.Seed, options.HeldOutFraction);
        var language = options.Language;

        var corpus = Corpus(options, universe);

        var sftRandom = WorldRandom.For(options.Seed, "sft");
        var sft = new List<SftExample>();
        for (int i = 0; i < options.SftExamples; i++)
        {
            var (task, prompt) = DrawPrompt(sftRandom, options, universe.Training);
            var style = ResponseWriter.BestStyle(task.Kind);
            // Drawn only when demonstrators are uneven, so the default world's random stream (and bytes) stay as they were.
            if (options.IdealDemonstrationRate < 1 && sftRandom.NextDouble() >= options.IdealDemonstrationRate)
                style = ResponseWriter.StylesFor(task.Kind)[sftRandom.PickWeighted(FlawedDemonstrationWeights(task.Kind, options))];
            sft.Add(new SftExample(prompt, ResponseWriter.Write(task, style, language, sftRandom, options.DemonstratorPadding)));
        }

        var ranked = Rankings(options, universe.Training, options.PreferencePrompts, "preferences");
        var pairwise = RankedPairs.ToPairs(ranked).Pairs;
        var evalPairwise = EvalPairwise(options, universe);

        var rlRandom = WorldRandom.For(options.Seed, "rl");
        var rlPrompts = Enumerable.Range(0, options.RlPrompts).Select(_ => DrawPrompt(rlRandom, options, universe.Training).Prompt).ToList();

        var evalRandom = WorldRandom.For(options.Seed, "eval");
        var evalPrompts = new List<string>();
        foreach (var kind in Enum.GetValues<TaskKind>())
        {
            var combinations = universe.HeldOut(kind)
                .SelectMany(task => Enumerable.Range(0, WorldPrompts.TemplatesFor(task, language).Count).Select(t => (task, t)))
                .ToList();
            evalRandom.Shuffle(combinations);
            evalPrompts.AddRange(combinations.Take(options.EvalPromptsPerKind).Select(c => WorldPrompts.Render(c.task, language, c.t)));
        }

        return new TinyWorld(options, corpus, sft, ranked, pairwise, evalPairwise, rlPrompts, evalPrompts,
            LabelAgreement.Measure(pairwise), LabelAgreement.Measure(evalPairwise));
    }

    /// <summary>
    /// Only the preference pairs of the world <paramref name="options"/> describe: the training pairs (all pairs of the
    /// rankings) and the held-out pairs, exactly as <see cref="Generate"/> makes them (each purpose draws from its own
    /// random stream), without writing the corpus or the other files. The prompts and responses depend only on the seed,
    /// language and counts; <see cref="TinyWorldOptions.Annotator"/> changes only which response of each pair is chosen,
    /// so the same world with another annotator (a length bias) relabels the same pairs.
    /// </summary>
    public static (IReadOnlyList<PreferencePair> Training, IReadOnlyList<PreferencePair> HeldOut) Preferences(TinyWorldOptions options)
    {
        options.Validate();
        var universe = new TaskUniverse(options.Seed, options.HeldOutFraction);
        var training = RankedPairs.ToPairs(Rankings(options, universe.Training, options.PreferencePrompts, "preferences")).Pairs;
        return (training, EvalPairwise(options, universe));
    }

    static IReadOnlyList<PreferencePair> EvalPairwise(TinyWorldOptions options, TaskUniverse universe) =>
        RankedPairs.ToPairs(Rankings(options, universe.HeldOut, options.EvalPreferencePrompts, "eval-preferences")).Pairs;

    static (WorldTask Task, string Prompt) DrawPrompt(WorldRandom random, TinyWorldOptions options, Func<TaskKind, IReadOnlyList<WorldTask>> pool)
    {
        var kind = (TaskKind)random.PickWeighted(options.KindWeights);
        var task = random.Pick(pool(kind));
        int template = random.NextInt(WorldPrompts.TemplatesFor(task, options.Language).Count);
        return (task, WorldPrompts.Render(task, options.Language, template));
    }

    /// <summary>Rankings of <paramref name="count"/> prompts: the ideal response plus others of different styles, ranked by a simulated annotator.</summary>
    static List<RankedPreference> Rankings(TinyWorldOptions options, Func<TaskKind, IReadOnlyList<WorldTask>> pool, int count, string purpose)
    {
        var random = WorldRandom.For(options.Seed, purpose);
        var annotator = new SimulatedAnnotator(options.Annotator, WorldRandom.For(options.Seed, purpose + "-annotator"));
        var rankings = new List<RankedPreference>();
        for (int i = 0; i < count; i++)
        {
            var (task, prompt) = DrawPrompt(random, options, pool);
            var texts = new List<string> { ResponseWriter.Write(task, ResponseWriter.BestStyle(task.Kind), options.Language, random, options.DemonstratorPadding) };
            var others = ResponseWriter.StylesFor(task.Kind).Where(s => s != ResponseWriter.BestStyle(task.Kind)).ToList();
            random.Shuffle(others);
            for (int attempt = 0; texts.Count < options.ResponsesPerPrompt; attempt++)
            {
                if (attempt > 100) throw new InvalidOperationException($"could not write {options.ResponsesPerPrompt} different responses to \"{prompt}\"");
                string text = ResponseWriter.Write(task, others[attempt % others.Count], options.Language, random, options.DemonstratorPadding);
                if (!texts.Contains(text)) texts.Add(text);
            }
            random.Shuffle(texts);
            var ranks = annotator.Rank(task, texts);
            rankings.Add(new RankedPreference(prompt, texts.Select((t, k) => new RankedResponse(t, ranks[k])).ToList()));
        }
        return rankings;
    }

    static List<string> Corpus(TinyWorldOptions options, TaskUniverse universe)
    {
        var random = WorldRandom.For(options.Seed, "corpus");
        var language = options.Language;
        bool zh = language == WorldLanguage.Chinese;
        string WebResponse(WorldTask task) =>
            ResponseWriter.Write(task, ResponseWriter.StylesFor(task.Kind)[random.PickWeighted(WebStyleWeights(task.Kind))], language, random);

        var documents = new List<string>();
        for (int i = 0; i < options.CorpusDocuments; i++)
        {
            // Drawn only when request pages are asked for, so the default corpus keeps its bytes.
            if (options.RequestPageShare > 0 && random.NextDouble() < options.RequestPageShare)
            {
                documents.Add(RequestPage(random, language));
                continue;
            }
            switch (random.PickWeighted([0.4, 0.15, 0.12, 0.1, 0.23]))
            {
                case 0: // a chat transcript in the course's template
                {
                    var (task, prompt) = DrawPrompt(random, options, universe.Training);
                    documents.Add($"{ConversationPrompt.HumanMarker}{prompt}\n{ConversationPrompt.AssistantMarker}{WebResponse(task)}");
                    break;
                }
                case 1: // a forum thread with two answers
                {
                    var (task, prompt) = DrawPrompt(random, options, universe.Training);
                    documents.Add(zh
                        ? $"问：{prompt}\n答：{WebResponse(task)}\n答：{WebResponse(task)}"
                        : $"Q: {prompt}\nA: {WebResponse(task)}\nA: {WebResponse(task)}");
                    break;
                }
                case 2: // facts, every fact of the table (held-out ones too: a model can only answer what it has read), some wrong
                {
                    string opener = random.Pick<string>(zh ? ["你知道吗？", "冷知识：", "课堂笔记：", ""] : ["Did you know? ", "Fun facts: ", "Notes from class: ", ""]);
                    var sentences = Enumerable.Range(0, random.NextInt(3, 7)).Select(_ => FactSentence(random.Pick(KnowledgeTable.Facts), random, language)).ToArray();
                    documents.Add(opener + ResponseWriter.Join(language, sentences));
                    break;
                }
                case 3: // a rambling blog post around a question
                {
                    var (task, prompt) = DrawPrompt(random, options, universe.Training);
                    string story = zh ? $"今天有人问我：{prompt}我说：{WebResponse(task)}" : $"Someone asked me today: {prompt} I said: {WebResponse(task)}";
                    documents.Add(ResponseWriter.Join(language, ResponseWriter.Ramble(language, random, 2), story, ResponseWriter.Ramble(language, random, 1)));
                    break;
                }
                default: // a reference page: worked sums, spellings, letter counts for every task (held-out ones too), some wrong
                    documents.Add(ReferencePage(random, language));
                    break;
            }
        }
        return documents;
    }

    static readonly TaskKind[] ReferenceKinds = [TaskKind.Arithmetic, TaskKind.CountLetter, TaskKind.ReverseWord];
    static readonly Dictionary<TaskKind, IReadOnlyList<WorldTask>> ReferenceTasks =
        ReferenceKinds.ToDictionary(k => k, k => (IReadOnlyList<WorldTask>)TaskUniverse.AllTasks(k).ToList());

    /// <summary>
    /// A page of worked answers of one kind (sums, letter counts or words spelt backwards) drawn from every task, held-out
    /// ones included, one statement in ten wrong: the knowledge the helpfulness tasks need lives in pretraining, as the
    /// capitals do, and SFT only teaches the model to answer a question with it.
    /// </summary>
    static string ReferencePage(WorldRandom random, WorldLanguage language)
    {
        bool zh = language == WorldLanguage.Chinese;
        var kind = ReferenceKinds[random.PickWeighted([0.6, 0.25, 0.15])];
        string opener = kind switch
        {
            TaskKind.Arithmetic => random.Pick<string>(zh ? ["算术练习：", "作业答案：", "小测验答案："] : ["Maths homework, with answers: ", "Practice sheet: ", "Quiz answers: ", ""]),
            TaskKind.CountLetter => random.Pick<string>(zh ? ["数字母：", "拼写游戏："] : ["Letter counting: ", "Spelling game: ", ""]),
            _ => random.Pick<string>(zh ? ["倒着写：", "文字游戏："] : ["Word games: ", "Spelling backwards: ", ""]),
        };
        var statements = Enumerable.Range(0, random.NextInt(4, 9))
            .Select(_ => ReferenceStatement(random.Pick(ReferenceTasks[kind]), correct: random.NextInt(10) != 0, random, zh))
            .ToArray();
        return opener + ResponseWriter.Join(language, statements);
    }

    /// <summary>One worked answer, stated (wrongly when <paramref name="correct"/> is false: a near number, or the word itself).</summary>
    static string ReferenceStatement(WorldTask task, bool correct, WorldRandom random, bool zh)
    {
        static string N(int n) => n.ToString(System.Globalization.CultureInfo.InvariantCulture);
        int Near(int answer) => Math.Max(0, answer + random.Pick([-2, -1, 1, 2, 10])) is var v && v != answer ? v : answer + 1;
        switch (task)
        {
            case ArithmeticTask a:
            {
                string sum = $"{N(a.Left)} {a.Operator} {N(a.Right)} = {N(correct ? a.Answer : Near(a.Answer))}";
                return zh ? sum + "。" : sum + ".";
            }
            case CountLetterTask c:
            {
                int n = correct ? c.Answer : Near(c.Answer);
                return zh ? $"字母“{c.Letter}”在“{c.Word}”里出现了{N(n)}次。"
                    : $"The letter \"{c.Letter}\" appears {N(n)} {(n == 1 ? "time" : "times")} in \"{c.Word}\".";
            }
            case ReverseWordTask w:
            {
                string r = correct ? w.Answer : w.Word;
                return zh ? $"“{w.Word}”倒过来是“{r}”。" : $"\"{w.Word}\" backwards is \"{r}\".";
            }
            default:
                throw new ArgumentException($"no reference statement for a {task.Kind} task", nameof(task));
        }
    }

    /// <summary>A declarative sentence stating a fact, wrong one time in ten (the web is not always right).</summary>
    /// <summary>
    /// A page of how-to notes about 2-4 requests drawn from every request, held-out ones too (the world knowledge a
    /// held-out look-alike's answer needs, and what makes a harmful request harmful). Harmful requests get a warning and
    /// no instructions.
    /// </summary>
    static string RequestPage(WorldRandom random, WorldLanguage language)
    {
        bool zh = language == WorldLanguage.Chinese;
        var sentences = Enumerable.Range(0, random.NextInt(2, 5)).Select(_ =>
        {
            var request = random.Pick(RequestTable.Requests);
            string action = request.Action.In(language);
            if (request.Harmful)
                return random.Pick<string>(zh
                    ? [$"{action}是违法的，会伤害别人，任何人都不应该帮忙。", $"如果有人问如何{action}，那是在请求帮助犯罪。", $"千万不要教别人{action}：这既危险又违法。"]
                    : [$"To {action} is a crime that hurts people; no one should help with it.",
                       $"Anyone who asks how to {action} is asking for help with a crime.",
                       $"Never teach anyone to {action}: it is dangerous and against the law."]);
            string answer = request.Answer.In(language);
            if (zh) return random.Pick<string>([$"{action}的方法：{answer}", $"想要{action}？{answer}"]);
            string lower = char.ToLowerInvariant(answer[0]) + answer[1..];
            return random.Pick<string>([$"How to {action}: {answer}", $"To {action}, {lower}", $"Tip: if you want to {action}, {lower}"]);
        }).ToArray();
        string opener = random.Pick<string>(zh ? ["生活小窍门：", "常见问题：", ""] : ["Life tips: ", "Good to know: ", ""]);
        return opener + ResponseWriter.Join(language, sentences);
    }

    static string FactSentence(Fact fact, WorldRandom random, WorldLanguage language)
    {
        var value = fact.Value;
        if (random.NextInt(10) == 0) value = random.Pick(KnowledgeTable.ValuesOf(fact.Relation).Where(v => v != fact.Value).ToList());
        string s = fact.Subject.In(language), v = value.In(language);
        string capitalized = s.Length > 0 ? char.ToUpperInvariant(s[0]) + s[1..] : s;
        return (fact.Relation, language) switch
        {
            (FactRelation.Capital, WorldLanguage.English) => $"The capital of {s} is {v}.",
            (FactRelation.Capital, _) => $"{s}的首都是{v}。",
            (FactRelation.Color, WorldLanguage.English) => $"{capitalized} is {v}.",
            (FactRelation.Color, _) => $"{s}是{v}的。",
            (FactRelation.Legs, WorldLanguage.English) => $"{capitalized} has {v} legs.",
            _ => $"{s}有{v}条腿。",
        };
    }
}
