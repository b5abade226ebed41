using Rlhf.Checkpoints;
using Rlhf.Data;
using Rlhf.Models;
using Rlhf.Text;
using Rlhf.Torch;
using Rlhf.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Tests.Training;

/// <summary>DPO's pieces: response log-probs, the concatenated forward, the precomputed reference, the step-0 identity,
/// the loss kinds' wiring, and an end-to-end tiny run whose held-out implicit-reward accuracy rises.</summary>
public sealed class DpoTests
{
    public DpoTests() => TorchRuntime.Init();

    static readonly string TokenizerFolder = Repo.Path("data", "tinyworld", "tokenizer");

    static GptConfig TinyConfig { get; } = new() { Layers = 2, Heads = 2, EmbeddingSize = 32, ContextLength = 48, VocabularySize = 2048 };

    static Gpt TinyPolicy(int seed = 3)
    {
        TorchRuntime.Init();
        manual_seed(seed);
        return new Gpt(TinyConfig);
    }

    static TokenizedPreferences Pairs(string file, int count)
    {
        var template = new ChatTemplate(TextTokenizer.Load(TokenizerFolder));
        return DpoTraining.Tokenize(Repo.Path("data", "tinyworld", file), count, template, TinyConfig.ContextLength);
    }

    static DpoOptions Options(bool precompute = true, DpoLossKind loss = DpoLossKind.Sigmoid) => new()
    {
        PrecomputeReference = precompute, Loss = loss, GoldPromptsPerKind = 0, SftWeight = 0,
        Training = new TrainingOptions { Seed = 5, BatchSize = 4, MaxSteps = 3, WarmupSteps = 0, WeightDecay = 0, EvalEvery = 0 },
    };

    static float[] Host(Tensor t) => t.detach().to(ScalarType.Float32).cpu().data<float>().ToArray();

    [Fact]
    public void Response_log_probs_sum_the_masked_tokens_with_logits_shifted_one_step()
    {
        // Row 0: ids [0, 1, 0], mask [0, 1, 1]. Position 0 (logits [0, 0]) predicts token 1: ln 1/2.
        // Position 1 (logits [ln 3, 0]) predicts token 0: ln 3/4. Position 2's logits predict nothing.
        // Row 1: same logits, mask [0, 0, 1]: only ln 3/4. Huge logits at the last position must not matter.
        var logits = tensor(new float[] { 0, 0, MathF.Log(3), 0, 100, -100, 0, 0, MathF.Log(3), 0, -100, 100 }, [2, 3, 2]);
        var ids = tensor(new long[] { 0, 1, 0, 0, 1, 0 }, [2, 3]);
        var mask = tensor(new long[] { 0, 1, 1, 0, 0, 1 }, [2, 3]);

        var (sum, tokens) = SequenceLogProbs.Summed(logits, ids, mask);

        Assert.Equal(Math.Log(3.0 / 8), Host(sum)[0], 5);
        Assert.Equal(Math.Log(3.0 / 4), Host(sum)[1], 5);
        Assert.Equal([2f, 1f], Host(tokens));
    }

    [Fact]
    public void The_concatenated_forward_equals_separate_unpadded_forwards()
    {
        using var policy = TinyPolicy();
        policy.eval();
        var data = Pairs("preferences_pairwise.jsonl", 6);
        int[] indices = [0, 3, 5];
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var (ids, lossMask) = data.Collate(indices);
        var together = DpoForward.PairLogProbs(policy, ids, lossMask);

        for (int i = 0; i < indices.Length; i++)
        {
            var (chosen, rejected) = data[indices[i]];
            foreach (var (example, expected) in new[] { (chosen, Host(together.Chosen)[i]), (rejected, Host(together.Rejected)[i]) })
            {
                var alone = tensor(example.InputIds.Select(x => (long)x).ToArray(), [1, example.Length], device: TorchRuntime.Device);
                var aloneMask = tensor(example.LossMask.Select(x => (long)x).ToArray(), [1, example.Length], device: TorchRuntime.Device);
                var (sum, tokens) = SequenceLogProbs.Summed(policy.forward(alone), alone, aloneMask);
                Assert.Equal(Host(sum)[0], expected, 3);
                Assert.Equal(example.LossMask.Skip(1).Sum(), (int)Host(tokens)[0]);
            }
        }
        Assert.NotEqual(Host(together.Chosen)[0], Host(together.Rejected)[0]);
    }

    [Fact]
    public void Precomputed_reference_log_probs_equal_the_ones_computed_on_the_fly()
    {
        var train = Pairs("preferences_pairwise.jsonl", 20);
        var eval = Pairs("eval_preferences_pairwise.jsonl", 8);
        using var policyA = TinyPolicy();
        // The same weights copied, not re-drawn from the seed: torch's generator is process-wide, and a test class running
        // in parallel can draw from it between manual_seed and the constructor (it did once in CI: log-probs 0.3 nats apart).
        using var policyB = new Gpt(TinyConfig);
        using (no_grad()) policyB.load_state_dict(policyA.state_dict());
        Assert.True(Host(policyA.parameters().First()).SequenceEqual(Host(policyB.parameters().First())));
        using var precomputed = new DpoStage(Options(precompute: true), policyA, DpoStage.FrozenCopy(policyA), train, eval, TokenizerFolder);
        using var onTheFly = new DpoStage(Options(precompute: false), policyB, DpoStage.FrozenCopy(policyB), train, eval, TokenizerFolder);
        Assert.False(precomputed.HoldsReferenceModel);
        Assert.True(onTheFly.HoldsReferenceModel);

        using var scope = NewDisposeScope();
        var a = precomputed.MicroBatches(7, 2);
        var b = onTheFly.MicroBatches(7, 2);
        for (int i = 0; i < a.Count; i++)
        {
            Assert.Equal(a[i].PairIndices, b[i].PairIndices);
            foreach (var (x, y) in new[] { (a[i].Reference.Chosen, b[i].Reference.Chosen), (a[i].Reference.Rejected, b[i].Reference.Rejected),
                         (a[i].Reference.ChosenTokens, b[i].Reference.ChosenTokens) })
                // Summed float32 log-probs of a random model are about -450; the two paths batch different rows together, and
                // MKL's kernels (blocking, threads) depend on the batch shape, so compare relatively: 1e-5 of the value.
                Assert.All(Host(x).Zip(Host(y)), pq => Assert.True(Math.Abs(pq.First - pq.Second) <= 1e-4 + 1e-5 * Math.Abs(pq.First),
                    $"precomputed {pq.First} vs on the fly {pq.Second}"));
        }
        Assert.True(Host(a[0].Reference.Chosen).All(v => v < 0));
    }

    [Fact]
    public void At_step_0_the_policy_is_the_reference_so_the_sigmoid_loss_is_ln_2_and_rewards_are_0()
    {
        var train = Pairs("preferences_pairwise.jsonl", 12);
        var eval = Pairs("eval_preferences_pairwise.jsonl", 6);
        using var policy = TinyPolicy();
        using var stage = new DpoStage(Options(), policy, DpoStage.FrozenCopy(policy), train, eval, TokenizerFolder);

        using var scope = NewDisposeScope();
        var batch = stage.MicroBatches(0, 1)[0];
        var output = stage.Loss(batch);

        Assert.Equal(Math.Log(2), output.LossSum.item<float>() / batch.Pairs, 4);
        foreach (var name in new[] { "rewards/chosen", "rewards/rejected", "rewards/margins", "rewards/accuracies" })
            Assert.Equal(0, output.MetricSums![name].item<float>(), 4);
        Assert.True(output.MetricSums!["logps/chosen"].item<float>() < 0);
        var held = stage.Evaluate();
        Assert.Equal(Math.Log(2), held["loss"], 4);
        Assert.Equal(0, held["rewards/margins"], 4);
    }

    [Fact]
    public void Ipo_uses_per_token_means_and_the_sft_term_adds_the_chosen_mean_nll()
    {
        Tensor T(params float[] v) => tensor(v);
        // policy: chosen -2 over 2 tokens, rejected -6 over 3; reference: chosen -4, rejected -3.
        var policy = new PairLogProbs(T(-2), T(-6), T(2), T(3));
        var reference = new PairLogProbs(T(-4), T(-3), T(2), T(3));

        // IPO on means: h = (-1 - -2) - (-2 - -1) = 2; beta 0.5 -> target 1 -> (2 - 1)^2 = 1 (sums would give (5 - 1)^2 = 16).
        var ipo = DpoObjective.Compute(new DpoOptions { Loss = DpoLossKind.Ipo, Beta = 0.5, SftWeight = 0 }, policy, reference);
        Assert.Equal(1, Host(ipo.Losses)[0], 5);
        Assert.Equal(0.5 * 1, ipo.MetricSums["rewards/chosen"].item<float>(), 5);
        Assert.Equal(-1, ipo.MetricSums["logps/chosen"].item<float>(), 5);

        // Sigmoid on sums: h = 2 - (-3) = 5, beta 0.1 -> -log sigmoid(0.5); the SFT term adds -(-2) / 2 = 1.
        var plain = DpoObjective.Compute(new DpoOptions { Beta = 0.1, SftWeight = 0 }, policy, reference);
        var withSft = DpoObjective.Compute(new DpoOptions { Beta = 0.1, SftWeight = 1 }, policy, reference);
        Assert.Equal(Math.Log(1 + Math.Exp(-0.5)), Host(plain.Losses)[0], 5);
        Assert.Equal(Host(plain.Losses)[0] + 1, Host(withSft.Losses)[0], 5);
        Assert.Equal(1, plain.MetricSums["rewards/accuracies"].item<float>());
        Assert.Equal(0.5, plain.MetricSums["rewards/margins"].item<float>(), 5);

        // cDPO with eps 0.25: -(0.75) log sigmoid(0.5) - 0.25 log sigmoid(-0.5).
        var conservative = DpoObjective.Compute(new DpoOptions { Beta = 0.1, Loss = DpoLossKind.Conservative, LabelSmoothing = 0.25, SftWeight = 0 }, policy, reference);
        Assert.Equal(0.75 * Math.Log(1 + Math.Exp(-0.5)) + 0.25 * Math.Log(1 + Math.Exp(0.5)), Host(conservative.Losses)[0], 5);

        // rDPO with eps 0.25: (0.75 (-log sigmoid(0.5)) - 0.25 (-log sigmoid(-0.5))) / 0.5, from the same label_smoothing field.
        var robust = DpoObjective.Compute(new DpoOptions { Beta = 0.1, Loss = DpoLossKind.Robust, LabelSmoothing = 0.25, SftWeight = 0 }, policy, reference);
        Assert.Equal((0.75 * Math.Log(1 + Math.Exp(-0.5)) - 0.25 * Math.Log(1 + Math.Exp(0.5))) / 0.5, Host(robust.Losses)[0], 5);

        // SimPO on means, no reference: 2 * (-1 - -2) - 0.5 = 1.5 -> -log sigmoid(1.5); rewards are beta * mean log pi.
        var simpo = DpoObjective.Compute(new DpoOptions { Beta = 2, Loss = DpoLossKind.Simpo, SimpoGamma = 0.5, SftWeight = 0 }, policy, reference);
        Assert.Equal(Math.Log(1 + Math.Exp(-1.5)), Host(simpo.Losses)[0], 5);
        Assert.Equal(-2, simpo.MetricSums["rewards/chosen"].item<float>(), 5);
        Assert.Equal(-1, simpo.MetricSums["logps/chosen"].item<float>(), 5);
        var otherReference = new PairLogProbs(T(-40), T(-1), T(2), T(3));
        Assert.Equal(Host(simpo.Losses)[0],
            Host(DpoObjective.Compute(new DpoOptions { Beta = 2, Loss = DpoLossKind.Simpo, SimpoGamma = 0.5, SftWeight = 0 }, policy, otherReference).Losses)[0]);
    }

    [Fact]
    public void Options_bind_the_loss_kind_by_name_and_reject_bad_values()
    {
        var options = OptionsBinder.Bind(new DpoOptions(), null, ["loss=ipo", "beta=0.5", "max_steps=7"]);
        Assert.Equal(DpoLossKind.Ipo, options.Loss);
        Assert.Equal(0.5, options.Beta);
        Assert.Equal(7, options.Training.MaxSteps);
        Assert.Equal(DpoLossKind.Conservative, OptionsBinder.Bind(new DpoOptions(), null, ["loss=conservative"]).Loss);
        Assert.Equal(DpoLossKind.Robust, OptionsBinder.Bind(new DpoOptions(), null, ["loss=robust"]).Loss);
        var simpo = OptionsBinder.Bind(new DpoOptions(), null, ["loss=simpo", "simpo_gamma=1", "beta=2"]);
        Assert.Equal((DpoLossKind.Simpo, 1.0, 2.0), (simpo.Loss, simpo.SimpoGamma, simpo.Beta));
        Assert.Contains("simpo_gamma", Assert.Throws<ArgumentException>(() => new DpoOptions { SimpoGamma = -1 }.Validate()).Message);
        Assert.Throws<ArgumentException>(() => OptionsBinder.Bind(new DpoOptions(), null, ["loss=hinge"]));
        Assert.Contains("label_smoothing", Assert.Throws<ArgumentException>(() => new DpoOptions { LabelSmoothing = 0.5 }.Validate()).Message);
        Assert.Contains("beta", Assert.Throws<ArgumentException>(() => new DpoOptions { Beta = 0 }.Validate()).Message);
        Assert.Contains("sigmoid, conservative, ipo, robust, simpo", Assert.Throws<ArgumentException>(() => new DpoOptions { Loss = (DpoLossKind)99 }.Validate()).Message);
    }

    [Fact]
    public void A_tiny_run_raises_held_out_implicit_reward_accuracy()
    {
        var train = Pairs("preferences_pairwise.jsonl", 480);
        var eval = Pairs("eval_preferences_pairwise.jsonl", 96);
        using var policy = TinyPolicy();
        var options = Options() with
        {
            Beta = 0.2,
            Training = new TrainingOptions { Seed = 5, BatchSize = 8, MaxSteps = 60, LearningRate = 2e-3, WarmupSteps = 2, WeightDecay = 0, EvalEvery = 0 },
        };
        using var stage = new DpoStage(options, policy, DpoStage.FrozenCopy(policy), train, eval, TokenizerFolder);
        var trainer = new Trainer<DpoBatch>(stage, options.Training);

        var result = trainer.Train();

        var final = result.FinalEvaluation;
        Assert.True(final["eval/rewards/accuracies"] > 0.55, $"held-out accuracy {final["eval/rewards/accuracies"]:F3}, margin {final["eval/rewards/margins"]:F3}, loss {final["eval/loss"]:F3}");
        Assert.True(final["eval/rewards/margins"] > 0);
        Assert.True(final["eval/loss"] < Math.Log(2));
        Assert.All(new[] { "rewards/chosen", "rewards/rejected", "rewards/accuracies", "rewards/margins", "logps/chosen", "logps/rejected" },
            name => Assert.Contains(name, result.History.Names));
    }
}
