using Rlhf.Checkpoints;
using Rlhf.Evaluation;
using Rlhf.Generation;
using Rlhf.Models;
using Rlhf.Tests.Generation;
using Rlhf.Text;
using Rlhf.Torch;
using Rlhf.Training;
using Rlhf.World;

namespace Rlhf.Tests.Evaluation;

public sealed class ExerciseChecksTests : IDisposable
{
    static readonly TextTokenizer Tokenizer = TextTokenizer.Load(Repo.Path("data", "tinyworld", "tokenizer"));
    readonly string root = Directory.CreateTempSubdirectory("rlhf-exercises-").FullName;

    public ExerciseChecksTests() => TorchRuntime.Init();

    public void Dispose() => Directory.Delete(root, recursive: true);

    /// <summary>Every position: logit 10 on the tokens of <paramref name="favoured"/> and end-of-text, 0 elsewhere.</summary>
    static FixedLogitsModel Favouring(string favoured, out int[] favouredIds)
    {
        favouredIds = [.. Tokenizer.Encode(" " + favoured).Distinct(), Tokenizer.EndOfTextId];
        var logits = new float[Tokenizer.VocabularySize];
        foreach (var id in favouredIds) logits[id] = 10;
        return new FixedLogitsModel(logits);
    }

    static PolicySample Sample(string prompt, double gold, double? reward = null, string response = "r") =>
        new(prompt, response, TaskKind.Arithmetic, gold >= 1 ? Verdict.Correct : Verdict.Wrong, gold, 1, true, [1], RewardScore: reward);

    static PolicyEvaluation Evaluation(string name, params PolicySample[] samples) => PolicyEvaluation.FromSamples(name, "greedy", samples);

    [Fact]
    public void A_response_log_prob_sums_its_tokens_and_end_of_text_by_hand()
    {
        var model = Favouring("I can't help with that request.", out var favoured);
        var template = new ChatTemplate(Tokenizer);
        // Same logits at every position: a favoured token has log p = 10 - lse, any other -lse, lse = ln(k e^10 + V - k).
        int k = favoured.Length, v = Tokenizer.VocabularySize;
        double lse = Math.Log(k * Math.Exp(10) + v - k);
        var (logProb, tokens) = ExerciseChecks.ResponseLogProb(model, template, "What is 7 + 5?", "It's 12.");
        int responseTokens = Tokenizer.Encode(" It's 12.").Count();
        int favouredInIt = Tokenizer.Encode(" It's 12.").Count(favoured.Contains);
        Assert.Equal(responseTokens + 1, tokens);
        Assert.Equal(10.0 * (favouredInIt + 1) - lse * tokens, logProb, 3); // + 1: the end-of-text is favoured
    }

    [Fact]
    public void Likely_but_wrong_needs_a_more_likely_answer_that_gold_rejects()
    {
        var model = Favouring("I can't help with that request.", out _);
        var template = new ChatTemplate(Tokenizer);
        const string prompt = "What is 7 + 5?";
        var found = ExerciseChecks.MoreLikelyButWrong(model, template, prompt, "It's 12.", "I can't help with that request.");
        Assert.True(found.Solved, found.Message);
        Assert.StartsWith("found: log p(yours) = ", found.Message);

        var unlikely = ExerciseChecks.MoreLikelyButWrong(model, template, prompt, "It's 12.", "It's 13.");
        Assert.False(unlikely.Solved);
        Assert.Contains("less likely than the right answer", unlikely.Message);

        var right = ExerciseChecks.MoreLikelyButWrong(Favouring("12", out _), template, prompt, "It's 12.", "12");
        Assert.False(right.Solved);
        Assert.Contains("Gold accepts it", right.Message);

        Assert.False(ExerciseChecks.MoreLikelyButWrong(model, template, prompt, "It's 12.", "").Solved);
    }

    [Fact]
    public void Loses_on_reads_the_prompt_from_both_evaluations()
    {
        var sft = Evaluation("sft", Sample("What is 1 + 1?", 0, response: "3"), Sample("What is 2 + 2?", 1), Sample("What is 3 + 3?", 0));
        var baseline = Evaluation("base", Sample("What is 1 + 1?", 1, response: "2"), Sample("What is 2 + 2?", 1), Sample("What is 3 + 3?", 1));

        var found = ExerciseChecks.LosesOn(" What is 1 + 1? ", sft, baseline);
        Assert.True(found.Solved, found.Message);
        Assert.Equal("found (Arithmetic): sft: \"3\" (Wrong, gold 0.0); base: \"2\" (Correct, gold 1.0)", found.Message);

        var tie = ExerciseChecks.LosesOn("What is 2 + 2?", sft, baseline);
        Assert.False(tie.Solved);
        Assert.EndsWith("2 prompts in this run have sft below base", tie.Message);

        var unknown = ExerciseChecks.LosesOn("What is 9 + 9?", sft, baseline);
        Assert.False(unknown.Solved);
        Assert.Contains("not one of this run's 3 held-out prompts", unknown.Message);

        Assert.Contains("2 of 3 prompts in this run have sft below base", ExerciseChecks.LosesOn("", sft, baseline).Message);
    }

    [Fact]
    public void Judges_disagree_when_the_reward_and_gold_order_two_answers_oppositely()
    {
        var ppo = Evaluation("ppo", Sample("What is 1 + 1?", 0, reward: 2.0), Sample("What is 2 + 2?", 1, reward: 1.0),
            Sample("What is 3 + 3?", 1, reward: 0.5));
        var sft = Evaluation("sft", Sample("What is 1 + 1?", 1, reward: 0.5), Sample("What is 2 + 2?", 0, reward: 0.0),
            Sample("What is 3 + 3?", 1, reward: 0.0));

        var found = ExerciseChecks.JudgesDisagree("What is 1 + 1?", ppo, sft);
        Assert.True(found.Solved, found.Message);
        Assert.Contains("ppo: \"r\" (reward 2.00, gold 0.0); sft: \"r\" (reward 0.50, gold 1.0)", found.Message);
        Assert.Contains("1 prompts in this run disagree like this", found.Message);
        Assert.False(ExerciseChecks.JudgesDisagree("What is 2 + 2?", ppo, sft).Solved); // both judges prefer PPO
        Assert.False(ExerciseChecks.JudgesDisagree("What is 3 + 3?", ppo, sft).Solved); // gold sees a tie

        var unscored = Evaluation("dpo", Sample("What is 1 + 1?", 1));
        var error = Assert.Throws<ArgumentException>(() => ExerciseChecks.JudgesDisagree("What is 1 + 1?", unscored, sft));
        Assert.Contains("'dpo' (greedy) has no reward-model scores", error.Message);
    }

    [Fact]
    public void Margin_up_gold_down_needs_both()
    {
        Assert.True(ExerciseChecks.MarginUpGoldDown(0.4, 0.30, 0.35).Solved);
        Assert.Contains("The held-out margin did not rise", ExerciseChecks.MarginUpGoldDown(-0.1, 0.30, 0.35).Message);
        Assert.Contains("Gold did not fall", ExerciseChecks.MarginUpGoldDown(0.4, 0.36, 0.35).Message);
        Assert.Equal("found: held-out margin 0 -> 0.400, gold 0.350 (start) -> 0.300. The implicit reward model is sure it improved; " +
            "the judge says it got worse.", ExerciseChecks.MarginUpGoldDown(0.4, 0.30, 0.35).Message);
    }

    [Fact]
    public void Margin_up_gold_down_reads_a_dpo_run_and_evaluates_it_on_the_reference_prompts()
    {
        var tokenizerFolder = Repo.Path("data", "tinyworld", "tokenizer");
        var config = new GptConfig { Layers = 1, Heads = 2, EmbeddingSize = 16, ContextLength = 128, VocabularySize = Tokenizer.VocabularySize };
        Seeding.Seed(3);
        using (var model = new Gpt(config)) Checkpoint.Save(Path.Combine(root, "tiny"), model, config, tokenizerFolder);
        using var run = DpoTraining.Run(DpoOptions.Course with
        {
            DataFolder = Repo.Path("data", "tinyworld"), InputCheckpoint = Path.Combine(root, "tiny"), OutputFolder = Path.Combine(root, "dpo"),
            MaxTrainPairs = 8, EvalPairs = 4, GoldPromptsPerKind = 0,
            Training = DpoOptions.DefaultTraining with { MaxSteps = 2, BatchSize = 4, WarmupSteps = 0, EvalEvery = 1 },
        });
        var evaluator = new PolicyEvaluator(Tokenizer, PolicyEvaluationOptions.Greedy with
        {
            Generation = new GenerationOptions { Sampling = SamplingOptions.GreedyDecoding, MaxNewTokens = 4 },
        });
        // A reference with gold -1 on its two prompts: a real answer scores 0 or more there, so gold cannot have fallen.
        var reference = Evaluation("sft", Sample("What is 1 + 1?", -1), Sample("How do I buy an illegal gun?", -1));
        var verdict = ExerciseChecks.MarginUpGoldDown(run, evaluator, reference);
        Assert.False(verdict.Solved);
        double margin = run.Training.History.Last("eval/rewards/margins")!.Value;
        Assert.StartsWith($"not yet: held-out margin 0 -> {margin:F3}, gold -1.000 (start) -> ", verdict.Message);

        var noEvaluation = run with { Training = run.Training with { History = new MetricsHistory() } };
        Assert.Throws<ArgumentException>(() => ExerciseChecks.MarginUpGoldDown(noEvaluation, evaluator, reference));
    }
}
