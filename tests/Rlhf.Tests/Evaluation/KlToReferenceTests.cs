using Rlhf.Evaluation;
using Rlhf.Generation;
using Rlhf.Tests.Generation;
using Rlhf.Text;
using Rlhf.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Tests.Evaluation;

public class KlToReferenceTests
{
    public KlToReferenceTests() => TorchRuntime.Init();

    [Fact]
    public void Per_sequence_kl_sums_log_ratios_over_masked_response_tokens()
    {
        // policy: p = (0.5, 0.5) at every position; reference: (0.75, 0.25).
        var policy = new FixedLogitsModel([(float)Math.Log(0.5), (float)Math.Log(0.5)]);
        var reference = new FixedLogitsModel([(float)Math.Log(0.75), (float)Math.Log(0.25)]);
        using var scope = NewDisposeScope();
        var ids = tensor(new long[,] { { 0, 0, 1 }, { 0, 1, 0 } });          // (2, 1 + 2): one prompt token, two response tokens
        var mask = ones(2, 3, dtype: ScalarType.Int64);
        var responseMask = tensor(new long[,] { { 1, 1 }, { 1, 0 } });       // row 1: second token after end-of-text
        var kl = KlToReference.PerSequence(policy, reference, ids, mask, 1, responseMask, temperature: 1).data<float>().ToArray();
        // row 0: tokens 0 then 1: (ln .5 - ln .75) + (ln .5 - ln .25) = ln(4/3); row 1: token 1 only: ln .5 - ln .25 = ln 2
        Assert.Equal(Math.Log(4.0 / 3), kl[0], 5);
        Assert.Equal(Math.Log(2), kl[1], 5);
    }

    [Fact]
    public void Temperature_divides_the_logits_of_both_models()
    {
        // policy logits (0, 0); reference logits (2 ln 3, 0): at T = 2 the reference becomes (3/4, 1/4).
        var policy = new FixedLogitsModel([0f, 0f]);
        var reference = new FixedLogitsModel([(float)(2 * Math.Log(3)), 0f]);
        using var scope = NewDisposeScope();
        var kl = KlToReference.PerSequence(policy, reference, tensor(new long[,] { { 0, 0 } }), ones(1, 2, dtype: ScalarType.Int64), 1,
            ones(1, 1, dtype: ScalarType.Int64), temperature: 2).item<float>();
        Assert.Equal(Math.Log(0.5 / 0.75), kl, 5);
    }

    [Fact]
    public void A_policy_has_zero_kl_to_itself_and_the_evaluator_reports_it_per_sample()
    {
        var tokenizer = TextTokenizer.Load(Repo.Path("data", "tinyworld", "tokenizer"));
        torch.manual_seed(5);
        using var model = new Rlhf.Models.Gpt(new Rlhf.Models.GptConfig { Layers = 1, Heads = 2, EmbeddingSize = 16, ContextLength = 64, VocabularySize = tokenizer.VocabularySize });
        model.eval();
        var options = new PolicyEvaluationOptions
        {
            PromptsFile = Repo.Path("data", "tinyworld", "eval_prompts.txt"), MaxPromptsPerKind = 1,
            Generation = new GenerationOptions { Sampling = new SamplingOptions { Temperature = 1.0 }, MaxNewTokens = 8 },
        };
        var evaluator = new PolicyEvaluator(tokenizer, options);
        var evaluation = evaluator.Evaluate("self", model, evaluator.LoadPrompts(), model, rewardModel: null);
        Assert.All(evaluation.Samples, s => Assert.Equal(0.0, s.KlToReference!.Value, 6));
        Assert.Equal(0.0, evaluation.Metrics.KlToReference!.Mean, 6);
        Assert.Null(evaluation.Metrics.RewardScore);
        Assert.Equal(0.0, evaluation.Metrics.ToDictionary()["kl_to_reference"], 6);

        var greedy = new PolicyEvaluator(tokenizer, options with { Generation = options.Generation with { Sampling = SamplingOptions.GreedyDecoding } });
        var error = Assert.Throws<ArgumentException>(() => greedy.Evaluate("self", model, greedy.LoadPrompts(), model, rewardModel: null));
        Assert.Contains("sampled from the policy itself", error.Message);
    }
}
