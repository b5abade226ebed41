using static Rlhf.Tests.TensorAssert;
using Rlhf.Data;
using Rlhf.Evaluation;
using Rlhf.Models;
using Rlhf.Tests.Models;
using Rlhf.Torch;
using Rlhf.Training;
using Rlhf.World;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Tests.Training;

/// <summary>The machinery of notebook 07: ensemble rewards, the length penalty, PPO-ptx, forgetting and diversity metrics,
/// and length-biased preference labels.</summary>
[Collection(GlobalRandomRuns.Name)]
public class PitfallsTests
{
    const int EndOfText = 48, Pad = 49;

    public PitfallsTests() => TorchRuntime.Init();


    [Fact]
    public void Ensemble_mean_and_min_combine_member_scores_per_sequence()
    {
        // Members (rows) x sequences (columns): mean (1+3)/2 = 2, (-2+0)/2 = -1, (0.5-0.5)/2 = 0; min 1, -2, -0.5.
        var scores = tensor(new float[] { 1, -2, 0.5f, 3, 0, -0.5f }, [2, 3]);
        Near([2, -1, 0], RewardEnsemble.Aggregate(scores, EnsembleAggregation.Mean));
        Near([1, -2, -0.5], RewardEnsemble.Aggregate(scores, EnsembleAggregation.Min));

        // Through the scorer interface: three constant members.
        var ids = zeros(2, 5, ScalarType.Int64);
        var mask = ones(2, 5, ScalarType.Int64);
        IRewardScorer[] members = [new Constant([1, 4]), new Constant([2, -2]), new Constant([6, 1])];
        Near([3, 1], new RewardEnsemble(members, EnsembleAggregation.Mean).Score(ids, mask, 2));
        Near([1, -2], new RewardEnsemble(members, EnsembleAggregation.Min).Score(ids, mask, 2));
        Assert.Throws<ArgumentException>(() => new RewardEnsemble([], EnsembleAggregation.Mean));
    }

    [Fact]
    public void Length_penalty_subtracts_coefficient_times_kept_response_tokens()
    {
        // Row 0 keeps 3 tokens, row 1 keeps 5: 1.0 - 0.1 * 3 = 0.7, 0.5 - 0.1 * 5 = 0.0.
        var mask = tensor(new float[] { 1, 1, 1, 0, 0, 1, 1, 1, 1, 1 }, [2, 5]);
        Near([0.7, 0.0], PpoRewards.PenalizeLength(tensor(new float[] { 1.0f, 0.5f }), mask, 0.1));
    }

    [Fact]
    public void Ptx_loss_is_the_mean_next_token_loss_per_token()
    {
        // Position 0: logits (0, 0), target 0 -> -log(1/2) = ln 2. Position 1: logits (ln 3, 0), target 0 -> -log(3/4) = ln(4/3).
        // Mean = (ln 2 + ln(4/3)) / 2 = ln(8/3) / 2 = 0.490415.
        var logits = tensor(new float[] { 0, 0, (float)Math.Log(3), 0 }, [1, 2, 2]);
        var targets = tensor(new long[] { 0, 0 }, [1, 2]);
        Assert.Equal(Math.Log(8.0 / 3.0) / 2, PretrainingText.MeanTokenLoss(logits, targets).item<float>(), 5);
    }

    [Fact]
    public void Ptx_coef_0_leaves_the_update_unchanged()
    {
        var options = new PpoOptions { Training = PpoOptions.DefaultTraining with { MaxSteps = 1, LearningRate = 1e-2 }, Ptx = PpoOptions.DefaultPtx with { Coef = 0, WindowLength = 8 }, RolloutBatchSize = 4, PpoEpochs = 2, NumMiniBatches = 2, ResponseLength = 6 };
        using var plain = Setup(options, pretraining: null);
        using var withText = Setup(options, TinyPretraining());
        plain.Trainer.Iterate(0);
        var metrics = withText.Trainer.Iterate(0).Metrics;
        Assert.DoesNotContain("loss/ptx", metrics.Keys);
        var after = plain.Policy.parameters().Zip(withText.Policy.parameters()).ToList();
        Assert.All(after, p => Assert.True(p.First.allclose(p.Second, rtol: 0, atol: 0), "ptx.coef 0 must not change the update"));
        // ...and the iteration did change the policy, so the comparison means something.
        using var fresh = TinyModels.Gpt(seed: 3);
        Assert.Contains(plain.Policy.parameters().Zip(fresh.parameters()), p => !p.First.allclose(p.Second, rtol: 0, atol: 0));
    }

    [Fact]
    public void With_ptx_coef_the_gradient_is_the_ppo_gradient_plus_gamma_times_the_lm_gradient()
    {
        const double gamma = 0.5;
        var options = new PpoOptions { Training = PpoOptions.DefaultTraining with { MaxSteps = 1 }, Ptx = PpoOptions.DefaultPtx with { Coef = gamma, Windows = 3, WindowLength = 8 }, RolloutBatchSize = 4, PpoEpochs = 1, NumMiniBatches = 1, ResponseLength = 6 };
        using var setup = Setup(options, TinyPretraining());
        using var rollout = setup.Trainer.Rollout(0);
        int[] rows = [0, 1, 2, 3];
        var parameters = setup.Policy.parameters().ToList();
        Tensor[] Gradient(Func<Tensor> loss)
        {
            foreach (var p in parameters) p.grad?.zero_();
            setup.Critic.zero_grad();
            loss().backward();
            return parameters.Select(p => p.grad!.clone()).ToArray();
        }

        PpoTrainer.MiniBatchLosses? losses = null;
        var total = Gradient(() => (losses = setup.Trainer.MiniBatchLoss(rollout, rows, 7)).Total);
        Assert.NotNull(losses!.Pretraining);
        double expectedTotal = losses.Policy.Loss.item<float>() + options.VfCoef * losses.Value.item<float>() + gamma * losses.Pretraining!.item<float>();
        Assert.Equal(expectedTotal, losses.Total.item<float>(), 5);

        var ppo = Gradient(() => { var l = setup.Trainer.MiniBatchLoss(rollout, rows, 7); return l.Policy.Loss + options.VfCoef * l.Value; });
        var (inputs, targets) = setup.Trainer.PtxWindows(7);
        var lm = Gradient(() => PretrainingText.MeanTokenLoss(setup.Policy, inputs, targets));
        for (int i = 0; i < parameters.Count; i++)
            Assert.True((ppo[i] + gamma * lm[i]).allclose(total[i], rtol: 1e-4, atol: 1e-6), $"parameter {i}: total gradient != ppo + gamma * lm");
        Assert.Contains(Enumerable.Range(0, parameters.Count), i => lm[i].abs().max().item<float>() > 1e-4); // the LM term is really there
        // Windows are a pure function of the step, and differ between steps.
        Assert.True(setup.Trainer.PtxWindows(7).Inputs.allclose(inputs, rtol: 0, atol: 0));
        Assert.False(setup.Trainer.PtxWindows(8).Inputs.allclose(inputs, rtol: 0, atol: 0));
    }

    [Fact]
    public void Rollout_metrics_report_diversity_raw_scores_the_length_penalty_and_forgetting()
    {
        var options = new PpoOptions
        { Training = PpoOptions.DefaultTraining with { MaxSteps = 2 }, Ptx = PpoOptions.DefaultPtx with { Coef = 0, WindowLength = 8 }, RolloutBatchSize = 6, PpoEpochs = 1, NumMiniBatches = 1, ResponseLength = 6, LengthPenalty = 0.05, PretrainEvalEvery = 1, PretrainEvalWindows = 3, MissingEosPenalty = -1 };
        using var setup = Setup(options, TinyPretraining());
        using (var rollout = setup.Trainer.Rollout(0))
        {
            // Scores PPO optimises = raw score + end-of-text penalty - 0.05 * kept tokens.
            var expected = rollout.RawScores - rollout.Ended.logical_not().to(ScalarType.Float32) - 0.05 * rollout.ResponseMask.sum(1);
            Assert.True(expected.allclose(rollout.Scores, atol: 1e-5));
            var metrics = setup.Trainer.RolloutMetrics(rollout);
            Assert.Equal(Statistics.DistinctN(rollout.Responses, 2), metrics["response/distinct_2"], 9);
            Assert.Equal(rollout.RawScores.mean().item<float>(), metrics["objective/rm_score"], 5);
            // Entropy of a near-uniform tiny policy over 50 ids at T = 0.7: positive, at most ln 50.
            Assert.InRange(metrics["response/entropy"], 0.5, Math.Log(50));
        }
        var history = setup.Trainer.Train().History;
        Assert.Equal(2, history.Series("pretrain/lm_loss").Count);
        Assert.Equal(setup.Trainer.PretrainLoss(), history.Last("pretrain/lm_loss")!.Value, 5);
        // The held-out loss of a random 50-id model is near ln 50.
        Assert.InRange(history.Last("pretrain/lm_loss")!.Value, Math.Log(50) - 1, Math.Log(50) + 1);
    }

    [Fact]
    public void Pretraining_options_need_pretraining_text_and_are_validated()
    {
        var error = Assert.Throws<ArgumentException>(() => Setup(new PpoOptions { Ptx = PpoOptions.DefaultPtx with { Coef = 0.1, WindowLength = 8 }, ResponseLength = 6 }, pretraining: null));
        Assert.Contains("ptx.coef", error.Message);
        Assert.Contains("ptx.coef", Assert.Throws<ArgumentException>(() => new PpoOptions { Ptx = PpoOptions.DefaultPtx with { Coef = -1 } }.Validate()).Message);
        Assert.Contains("length_penalty", Assert.Throws<ArgumentException>(() => new PpoOptions { LengthPenalty = -0.1 }.Validate()).Message);
        Assert.Contains("ptx.window_length", Assert.Throws<ArgumentException>(() => Setup(new PpoOptions { PretrainEvalEvery = 1, ResponseLength = 6 }, TinyPretraining())).Message);
        var bound = OptionsBinder.Bind(new PpoOptions(), null, ["reward_ensemble=[\"a\",\"b\"]", "ensemble_aggregation=min", "ptx.coef=0.5"]);
        Assert.Equal(["a", "b"], bound.RewardEnsemble);
        Assert.Equal(EnsembleAggregation.Min, bound.EnsembleAggregation);
        Assert.Equal(0.5, bound.Ptx.Coef);
    }

    [Fact]
    public void Length_biased_annotators_relabel_the_shipped_pairs_towards_longer_answers()
    {
        var training = SeedFormats.LoadPairwise(Repo.Path("data", "tinyworld", RewardModelTraining.TrainingFile)).Records;
        var heldOut = SeedFormats.LoadPairwise(Repo.Path("data", "tinyworld", RewardModelTraining.HeldOutFile)).Records;
        var world = WorldFolder.ReadOptions(Repo.Path("data", "tinyworld")); // the shipped world.json

        // Bias 0 regenerates the shipped files exactly, from the options in the folder's world.json.
        var (same, sameHeldOut) = RewardModelTraining.RelabelWithLengthBias(training, heldOut, 0.0, "train", "held-out", world);
        Assert.Equal(training, same);
        Assert.Equal(heldOut, sameHeldOut);

        var (biased, _) = RewardModelTraining.RelabelWithLengthBias(training, heldOut, 0.5, "train", "held-out", world);
        static double LongerChosen(IEnumerable<PreferencePair> pairs) =>
            pairs.Average(p => GoldJudge.LengthUnits(p.Chosen) > GoldJudge.LengthUnits(p.Rejected) ? 1.0 : 0.0);
        Assert.True(LongerChosen(biased) > LongerChosen(training) + 0.15, $"longer chosen: biased {LongerChosen(biased):P1}, shipped {LongerChosen(training):P1}");
        Assert.True(LabelAgreement.Measure(biased).Rate < LabelAgreement.Measure(training).Rate - 0.1, "the biased labels agree less with the gold order");

        // A pair that is not the world's is refused, naming the file and line; so are the shipped pairs read as another world's.
        var altered = training.ToList();
        altered[6] = altered[6] with { Rejected = altered[6].Rejected + " (edited)" };
        var error = Assert.Throws<InvalidDataException>(() => RewardModelTraining.RelabelWithLengthBias(altered, heldOut, 0.5, "prefs.jsonl", "held-out", world));
        Assert.Contains("prefs.jsonl line 7", error.Message);
        var otherWorld = world with { Seed = world.Seed + 1 };
        Assert.Contains("prefs.jsonl", Assert.Throws<InvalidDataException>(() => RewardModelTraining.RelabelWithLengthBias(training, heldOut, 0.5, "prefs.jsonl", "held-out", otherWorld)).Message);
    }

    /// <summary>Fixed scores, one per row.</summary>
    sealed class Constant(float[] scores) : IRewardScorer
    {
        public Tensor Score(Tensor sequenceIds, Tensor sequenceMask, int promptLength) => tensor(scores);
    }

    /// <summary>40 random documents of 5-20 ids below 48, the last 10 held out.</summary>
    static PretrainingText TinyPretraining()
    {
        var random = new Random(17);
        var documents = Enumerable.Range(0, 40).Select(_ => Enumerable.Range(0, random.Next(5, 21)).Select(_ => random.Next(48)).ToArray()).ToList();
        return new PretrainingText(new PretrainData(documents, EndOfText, 0.25));
    }

    static TinyPpo.Setup Setup(PpoOptions options, PretrainingText? pretraining) => TinyPpo.Create(options, pretraining);
}
