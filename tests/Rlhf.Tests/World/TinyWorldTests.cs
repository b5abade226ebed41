using Rlhf.Data;
using Rlhf.Text;
using Rlhf.World;

namespace Rlhf.Tests.World;

/// <summary>The default world, generated once for the tests that read it.</summary>
public sealed class DefaultWorld
{
    public TinyWorld World { get; } = TinyWorldGenerator.Generate(new TinyWorldOptions());
}

public class TinyWorldTests(DefaultWorld fixture) : IClassFixture<DefaultWorld>
{
    readonly TinyWorld world = fixture.World;

    static string Key(string prompt) => WorldPrompts.Parse(prompt)?.Task.QualifiedKey ?? throw new Xunit.Sdk.XunitException($"unparsable prompt '{prompt}'");

    [Fact]
    public void Held_out_prompts_share_no_combination_with_any_training_prompt()
    {
        var training = world.Sft.Select(e => e.Prompt)
            .Concat(world.Ranked.Select(r => r.Prompt))
            .Concat(world.RlPrompts)
            .Concat(world.Corpus.Where(d => d.StartsWith(ConversationPrompt.HumanMarker, StringComparison.Ordinal))
                .Select(d => d[ConversationPrompt.HumanMarker.Length..d.IndexOf('\n')]))
            .Select(Key).ToHashSet();
        var heldOut = world.EvalPrompts.Concat(world.EvalPairwise.Select(p => p.Prompt)).Select(Key).ToHashSet();
        Assert.True(training.Count > 500);
        Assert.True(heldOut.Count > 100);
        Assert.Empty(heldOut.Intersect(training));
    }

    [Fact]
    public void Eval_prompts_cover_every_task_kind()
    {
        var kinds = world.EvalPrompts.Select(p => WorldPrompts.Parse(p)!.Value.Task.Kind).ToHashSet();
        Assert.Equal(Enum.GetValues<TaskKind>().ToHashSet(), kinds);
    }

    [Fact]
    public void Sft_responses_are_all_gold_successes()
    {
        Assert.Equal(new TinyWorldOptions().SftExamples, world.Sft.Count);
        Assert.All(world.Sft, e => Assert.True(GoldJudge.Score(e.Prompt, e.Response).Success, $"{e.Prompt} -> {e.Response}"));
    }

    [Fact]
    public void Pairwise_data_is_every_pair_of_the_rankings()
    {
        var options = new TinyWorldOptions();
        Assert.Equal(options.PreferencePrompts * options.ResponsesPerPrompt * (options.ResponsesPerPrompt - 1) / 2, world.Pairwise.Count);
        Assert.Equal(RankedPairs.ToPairs(world.Ranked).Pairs, world.Pairwise);
        Assert.All(world.Ranked, r =>
        {
            Assert.Equal(Enumerable.Range(1, options.ResponsesPerPrompt), r.Responses.Select(x => x.Rank).Order());
            Assert.Equal(r.Responses.Count, r.Responses.Select(x => x.Text).Distinct().Count());
        });
        Assert.DoesNotContain(world.Pairwise, p => p.Chosen == p.Rejected);
    }

    [Fact]
    public void Default_label_noise_disagrees_with_gold_on_ten_to_fifteen_percent()
    {
        Assert.InRange(world.Agreement.Rate, 0.85, 0.90);
        Assert.Equal(LabelAgreement.Measure(world.Pairwise), world.Agreement);
    }

    [Fact]
    public void Every_preference_set_contains_the_ideal_response_and_a_worse_one()
    {
        Assert.All(world.Ranked, r =>
        {
            var scores = r.Responses.Select(x => GoldJudge.Score(r.Prompt, x.Text).Score).ToList();
            Assert.Equal(1.0, scores.Max());
            Assert.True(scores.Min() < 1.0);
        });
    }

    [Fact]
    public void Temperature_zero_labels_agree_with_gold_completely()
    {
        var options = new TinyWorldOptions { CorpusDocuments = 10, SftExamples = 10, PreferencePrompts = 200, EvalPreferencePrompts = 10, RlPrompts = 10, Annotator = new AnnotatorOptions { Temperature = 0 } };
        Assert.Equal(1.0, TinyWorldGenerator.Generate(options).Agreement.Rate);
    }

    [Fact]
    public void Generation_is_deterministic_and_depends_on_the_seed()
    {
        var small = new TinyWorldOptions { CorpusDocuments = 200, SftExamples = 50, PreferencePrompts = 30, EvalPreferencePrompts = 10, RlPrompts = 20 };
        var a = TinyWorldGenerator.Generate(small);
        var b = TinyWorldGenerator.Generate(small);
        var c = TinyWorldGenerator.Generate(small with { Seed = 99 });
        Assert.Equal(a.Corpus, b.Corpus);
        Assert.Equal(a.Sft, b.Sft);
        Assert.Equal(a.Pairwise, b.Pairwise);
        Assert.Equal(a.EvalPrompts, b.EvalPrompts);
        Assert.NotEqual(a.Sft, c.Sft);
    }

    [Fact]
    public void Chinese_world_is_chinese_throughout_and_judged_the_same_way()
    {
        var options = new TinyWorldOptions { Language = WorldLanguage.Chinese, CorpusDocuments = 300, SftExamples = 300, PreferencePrompts = 100, EvalPreferencePrompts = 20, RlPrompts = 100 };
        var zh = TinyWorldGenerator.Generate(options);
        var prompts = zh.Sft.Select(e => e.Prompt).Concat(zh.RlPrompts).Concat(zh.EvalPrompts).Concat(zh.Ranked.Select(r => r.Prompt));
        Assert.All(prompts, p => Assert.Equal(WorldLanguage.Chinese, WorldPrompts.Parse(p)!.Value.Language));
        Assert.All(zh.Sft, e => Assert.True(GoldJudge.Score(e.Prompt, e.Response).Success, $"{e.Prompt} -> {e.Response}"));
        Assert.InRange(zh.Agreement.Rate, 0.8, 0.95);
        Assert.All(zh.Corpus, d => Assert.Contains(d, c => c >= '\u4e00' && c <= '\u9fff'));
    }

    [Fact]
    public void Options_are_validated()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new TinyWorldOptions { SftExamples = 0 }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new TinyWorldOptions { HeldOutFraction = 0.6 }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new TinyWorldOptions { ResponsesPerPrompt = 1 }.Validate());
        Assert.Throws<ArgumentException>(() => new TinyWorldOptions { KindWeights = [1, 2] }.Validate());
    }

    [Fact]
    public void Regenerating_with_the_shipped_options_reproduces_the_shipped_data_byte_for_byte()
    {
        string shipped = Repo.Path("data", "tinyworld");
        string fresh = Path.Combine(Path.GetTempPath(), "tinyworld-" + Guid.NewGuid().ToString("N"));
        try
        {
            var options = Rlhf.Training.WorldFolder.ReadOptions(shipped); // world.json: the options that made the folder
            Assert.NotEqual(new TinyWorldOptions().IdealDemonstrationRate, options.IdealDemonstrationRate); // not the default world
            var changes = Rlhf.Training.OptionsChanges.Assignments(new TinyWorldOptions { Seed = options.Seed, Language = options.Language }, options);
            TinyWorldWriter.Write(TinyWorldGenerator.Generate(options), fresh, new BpeTrainerOptions(), changes);
            var shippedFiles = Files(shipped);
            Assert.Equal(shippedFiles, Files(fresh));
            Assert.Contains(Path.Combine("tokenizer", "vocab.json"), shippedFiles);
            foreach (var file in shippedFiles)
                Assert.True(File.ReadAllBytes(Path.Combine(shipped, file)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(fresh, file))),
                    $"{file} differs from a regeneration: run the command in data/tinyworld/README.md and commit the result");
        }
        finally { if (Directory.Exists(fresh)) Directory.Delete(fresh, recursive: true); }
    }

    [Fact]
    public void A_regeneration_that_fails_midway_leaves_the_old_world_exactly_as_it_was()
    {
        string parent = Directory.CreateTempSubdirectory("tinyworld-atomic-").FullName, folder = Path.Combine(parent, "world");
        try
        {
            TinyWorldWriter.Write(world, folder, new BpeTrainerOptions { VocabularySize = 300 });
            var before = Files(folder).ToDictionary(f => f, f => File.ReadAllBytes(Path.Combine(folder, f)));

            // The data files are written first, then the tokenizer training fails (as a full disk would fail a write).
            var other = TinyWorldGenerator.Generate(new TinyWorldOptions { Seed = 7, SftExamples = 50 });
            Assert.Throws<ArgumentOutOfRangeException>(() => TinyWorldWriter.Write(other, folder, new BpeTrainerOptions { VocabularySize = 10 }));

            Assert.Equal(before.Keys.Order(StringComparer.Ordinal), Files(folder));
            foreach (var (file, bytes) in before) Assert.True(bytes.AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(folder, file))), $"{file} changed");
            Assert.Equal(["world"], Directory.GetFileSystemEntries(parent).Select(Path.GetFileName)); // no temporary folder left behind
        }
        finally { Directory.Delete(parent, recursive: true); }
    }

    [Fact]
    public void A_folder_with_files_the_writer_does_not_own_is_refused_before_anything_is_written()
    {
        string folder = Directory.CreateTempSubdirectory("tinyworld-foreign-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "my-notes.txt"), "keep me");
            Directory.CreateDirectory(Path.Combine(folder, "tokenizer"));
            File.WriteAllText(Path.Combine(folder, "tokenizer", "special_tokens_map.json"), "{}");
            var error = Assert.Throws<IOException>(() => TinyWorldWriter.Write(world, folder, null));
            Assert.Contains("my-notes.txt", error.Message);
            Assert.Contains(Path.Combine("tokenizer", "special_tokens_map.json"), error.Message);
            Assert.Equal(["my-notes.txt", "tokenizer"], Directory.GetFileSystemEntries(folder).Select(Path.GetFileName).Order());
        }
        finally { Directory.Delete(folder, recursive: true); }
    }

    [Fact]
    public void Request_pages_put_every_request_in_the_corpus_held_out_ones_too_with_no_harmful_instructions()
    {
        var options = new TinyWorldOptions { CorpusDocuments = 600, SftExamples = 50, PreferencePrompts = 30, EvalPreferencePrompts = 10, RlPrompts = 20 };
        var plain = TinyWorldGenerator.Generate(options);
        var withPages = TinyWorldGenerator.Generate(options with { RequestPageShare = 0.2 });
        Assert.Equal(plain.Corpus, TinyWorldGenerator.Generate(options with { RequestPageShare = 0 }).Corpus);
        Assert.Equal(plain.Sft, withPages.Sft);
        Assert.Equal(plain.EvalPrompts, withPages.EvalPrompts);

        var universe = new TaskUniverse(options.Seed, options.HeldOutFraction);
        var heldOut = universe.HeldOut(TaskKind.BenignLookalike).Concat(universe.HeldOut(TaskKind.HarmfulRequest)).Cast<RequestTask>().ToList();
        Assert.NotEmpty(heldOut);
        // A request page is the one document that names a request outside a question (chat, forum thread or blog post).
        static bool AsksAQuestion(string d) => d.StartsWith(ConversationPrompt.HumanMarker, StringComparison.Ordinal)
            || d.StartsWith("Q: ", StringComparison.Ordinal) || d.Contains("Someone asked me today", StringComparison.Ordinal);
        static bool NamesARequest(string d) => RequestTable.Requests.Any(r => d.Contains(r.Action.English, StringComparison.Ordinal));
        Assert.DoesNotContain(plain.Corpus, d => !AsksAQuestion(d) && NamesARequest(d));
        var pages = withPages.Corpus.Where(d => !AsksAQuestion(d) && NamesARequest(d)).ToList();
        Assert.InRange(pages.Count, 80, 160); // about 20% of 600
        foreach (var task in heldOut)
        {
            var about = pages.Where(d => d.Contains(task.Request.Action.English, StringComparison.Ordinal)).ToList();
            Assert.True(about.Count > 0, $"no page about held-out request '{task.Request.Action.English}'");
            if (task.Request.Harmful)
                Assert.Contains(about, d => d.Contains("crime", StringComparison.Ordinal));
            else
                Assert.Contains(about, d => d.Contains(task.Request.Keyword.English, StringComparison.Ordinal));
        }
        // No page carries a compliant answer, and no held-out request is asked in a chat transcript.
        Assert.DoesNotContain(pages, d => d.Contains("[details removed]", StringComparison.Ordinal) || d.Contains("[placeholder]", StringComparison.Ordinal));
        var chatKeys = withPages.Corpus.Where(d => d.StartsWith(ConversationPrompt.HumanMarker, StringComparison.Ordinal))
            .Select(d => Key(d[ConversationPrompt.HumanMarker.Length..d.IndexOf('\n')])).ToHashSet();
        Assert.DoesNotContain(heldOut, t => chatKeys.Contains(t.QualifiedKey));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TinyWorldOptions { RequestPageShare = 1 }.Validate());
    }

    [Fact]
    public void Uneven_demonstrators_write_some_demonstrations_below_the_ideal_and_leave_the_rest_of_the_world_alone()
    {
        var options = new TinyWorldOptions { SftExamples = 400, CorpusDocuments = 50, PreferencePrompts = 40, EvalPreferencePrompts = 20, RlPrompts = 20 };
        var ideal = TinyWorldGenerator.Generate(options);
        var uneven = TinyWorldGenerator.Generate(options with { IdealDemonstrationRate = 0.6 });

        static double GoldMean(TinyWorld w) => w.Sft.Average(e => GoldJudge.Score(e.Prompt, e.Response).Score);
        Assert.Equal(1.0, GoldMean(ideal), 6); // every ideal demonstration is judged perfect
        double flawed = uneven.Sft.Count(e => GoldJudge.Score(e.Prompt, e.Response).Score < 1) / (double)uneven.Sft.Count;
        Assert.InRange(flawed, 0.25, 0.45); // about 40% by construction; a few flawed styles still score full marks
        Assert.Equal(ideal.Sft.Select(e => e.Prompt).Take(1), uneven.Sft.Select(e => e.Prompt).Take(1));
        Assert.Equal(ideal.Pairwise, uneven.Pairwise);   // comparisons are unchanged
        Assert.Equal(ideal.Corpus, uneven.Corpus);
        Assert.Equal(ideal.EvalPrompts, uneven.EvalPrompts);
        Assert.Throws<ArgumentOutOfRangeException>(() => new TinyWorldOptions { IdealDemonstrationRate = 1.5 }.Validate());
    }

    [Fact]
    public void Answer_flaw_weights_choose_what_careless_demonstrators_write_on_the_helpfulness_tasks()
    {
        var options = new TinyWorldOptions
        {
            SftExamples = 400, CorpusDocuments = 50, PreferencePrompts = 40, EvalPreferencePrompts = 20, RlPrompts = 20,
            IdealDemonstrationRate = 0.4, AnswerFlawWeights = [0, 1, 0, 0, 0, 0],
        };
        var padded = TinyWorldGenerator.Generate(options);
        var helpful = padded.Sft.Select(e => GoldJudge.Score(e.Prompt, e.Response))
            .Where(r => r.Task.Kind is TaskKind.Arithmetic or TaskKind.Fact or TaskKind.ReverseWord or TaskKind.CountLetter).ToList();
        // Every helpfulness demonstration is right: 40% ideal (gold 1), the rest padded past the verbose length (gold 0.7).
        Assert.All(helpful, r => Assert.Equal(Verdict.Correct, r.Verdict));
        Assert.InRange(helpful.Count(r => r.Score == 0.7) / (double)helpful.Count, 0.5, 0.7);
        Assert.Equal(helpful.Count, helpful.Count(r => r.Score is 0.7 or 1.0));
        // The other kinds keep their own flaws: some harmful requests are complied with.
        Assert.Contains(padded.Sft, e => GoldJudge.Score(e.Prompt, e.Response).Verdict == Verdict.Complied);
        // With every demonstration ideal the weights are never drawn: the world is the same whatever they say.
        Assert.Equal(TinyWorldGenerator.Generate(options with { IdealDemonstrationRate = 1 }).Sft,
            TinyWorldGenerator.Generate(options with { IdealDemonstrationRate = 1, AnswerFlawWeights = new TinyWorldOptions().AnswerFlawWeights }).Sft);
        var error = Assert.Throws<ArgumentException>(() => new TinyWorldOptions { AnswerFlawWeights = [0, 1] }.Validate());
        Assert.Contains("AnswerFlawWeights needs 6", error.Message);
    }

    [Theory]
    [InlineData(WorldLanguage.English)]
    [InlineData(WorldLanguage.Chinese)]
    public void Courteous_padding_is_the_same_every_time_scores_as_verbose_and_leaves_the_corpus_alone(WorldLanguage language)
    {
        var options = new TinyWorldOptions
        {
            Language = language, SftExamples = 300, CorpusDocuments = 50, PreferencePrompts = 40, EvalPreferencePrompts = 20, RlPrompts = 20,
            IdealDemonstrationRate = 0.4, AnswerFlawWeights = [0, 1, 0, 0, 0, 0],
        };
        var courteous = TinyWorldGenerator.Generate(options with { DemonstratorPadding = PaddingStyle.Courteous });
        string closing = ResponseWriter.CourteousClosing.In(language);
        var padded = courteous.Sft.Where(e => GoldJudge.Score(e.Prompt, e.Response) is { Verdict: Verdict.Correct, Score: 0.7 }).ToList();
        Assert.InRange(padded.Count, 60, 200); // about 60% of the helpfulness demonstrations
        Assert.All(padded, e => Assert.EndsWith(closing, e.Response, StringComparison.Ordinal));
        // The answer comes first, as the ideal demonstration writes it: cut the closing off and gold gives full marks.
        Assert.All(padded, e => Assert.Equal(1.0, GoldJudge.Score(e.Prompt, e.Response[..^closing.Length].Trim()).Score));
        // The compared responses are padded the same way; the web pages of the corpus are not.
        Assert.Contains(courteous.Ranked.SelectMany(r => r.Responses), r => r.Text.EndsWith(closing, StringComparison.Ordinal));
        var rambling = TinyWorldGenerator.Generate(options);
        Assert.Equal(rambling.Corpus, courteous.Corpus);
        Assert.DoesNotContain(rambling.Sft, e => e.Response.EndsWith(closing, StringComparison.Ordinal));
    }

    [Fact]
    public void Shipped_data_loads_with_the_loaders_and_stays_small()
    {
        string dir = Repo.Path("data", "tinyworld");
        var world = TinyWorldGenerator.Generate(Rlhf.Training.WorldFolder.ReadOptions(dir)); // the shipped world, not the default
        Assert.Equal(world.Sft, SeedFormats.LoadSft(Path.Combine(dir, TinyWorldWriter.SftFile)).Records);
        Assert.Equal(world.Pairwise, SeedFormats.LoadPairwise(Path.Combine(dir, TinyWorldWriter.PairwiseFile)).Records);
        var ranked = SeedFormats.LoadRanked(Path.Combine(dir, TinyWorldWriter.RankedFile));
        Assert.Equal(world.Pairwise, RankedPairs.ToPairs(ranked.Records).Pairs);
        Assert.Equal(world.Corpus, TextCorpus.Load(Path.Combine(dir, TinyWorldWriter.CorpusFile)).Records);
        long total = Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
        Assert.InRange(total, 1_000_000, 6_000_000);
        var tokenizer = TextTokenizer.Load(Path.Combine(dir, TinyWorldWriter.TokenizerFolder));
        Assert.Equal(world.Sft[0].Prompt, tokenizer.Decode(tokenizer.Encode(world.Sft[0].Prompt)));
    }

    static List<string> Files(string root) =>
        Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(root, f)).Order(StringComparer.Ordinal).ToList();
}
