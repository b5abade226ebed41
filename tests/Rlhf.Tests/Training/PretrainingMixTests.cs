using Rlhf.Data;
using Rlhf.Models;
using Rlhf.Text;
using Rlhf.Torch;
using Rlhf.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Tests.Training;

/// <summary>The pretraining mix (ptx term) of the SFT, reward-model and DPO stages: the loss is the stage's own loss plus coef times
/// the mean next-token loss on the micro-batch's pretraining windows, weighted so the trainer's division gives the mean.</summary>
public sealed class PretrainingMixTests
{
    static readonly TextTokenizer Tokenizer = TextTokenizer.Load(Repo.Path("data", "tinyworld", "tokenizer"));

    public PretrainingMixTests() => TorchRuntime.Init();

    static GptConfig TinyConfig(bool tied = true) => new()
    {
        Layers = 2, Heads = 2, EmbeddingSize = 32, ContextLength = 64, VocabularySize = Tokenizer.VocabularySize, TieWeights = tied,
    };

    static PretrainingMix Mix(double coef)
    {
        var random = new Random(23);
        var documents = Enumerable.Range(0, 30).Select(_ => Enumerable.Range(0, random.Next(10, 40)).Select(_ => random.Next(1, 500)).ToArray()).ToList();
        return new PretrainingMix(new PretrainingText(new PretrainData(documents, Tokenizer.EndOfTextId, 0.2)), new PretrainingMixOptions { Coef = coef, Windows = 3, WindowLength = 16 });
    }

    static SftDataset SftData() => SftDataset.Encode(
        SeedFormats.LoadSft(Repo.Path("data", "tinyworld", SftDataset.FileName)).Records.Take(20).ToList(),
        new ChatTemplate(Tokenizer), 64, evalExamples: 4, seed: 5);

    [Fact]
    public void Sft_loss_adds_coef_times_the_mean_pretraining_loss_per_response_token()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(3);
        using var model = new Gpt(TinyConfig());
        model.eval();
        var training = new TrainingOptions { Seed = 9, BatchSize = 4 };
        var data = SftData();
        var plain = new SftStage(model, data, training, Repo.Path("data", "tinyworld", "tokenizer"), Tokenizer.PadId);
        var mixed = new SftStage(model, data, training, Repo.Path("data", "tinyworld", "tokenizer"), Tokenizer.PadId, mix: Mix(2.5));

        var batch = mixed.MicroBatches(4, 2)[1];
        Assert.Null(plain.MicroBatches(4, 2)[1].Pretraining);
        var windows = batch.Pretraining!.Value;
        Assert.Equal([3L, 16], windows.Inputs.shape);
        // Windows are a function of (seed, step, micro-batch): the same again, others for another micro-batch.
        Assert.Equal(windows.Inputs.cpu().data<long>().ToArray(), mixed.MicroBatches(4, 2)[1].Pretraining!.Value.Inputs.cpu().data<long>().ToArray());
        Assert.NotEqual(windows.Inputs.cpu().data<long>().ToArray(), mixed.MicroBatches(4, 2)[0].Pretraining!.Value.Inputs.cpu().data<long>().ToArray());

        double sftSum = plain.Loss(batch).LossSum.item<float>();
        double lm = PretrainingText.MeanTokenLoss(model, windows.Inputs, windows.Targets).item<float>();
        Assert.True(lm > 1, $"an untrained model's loss is near ln V, got {lm}");
        var output = mixed.Loss(batch);
        Assert.Equal(sftSum + 2.5 * batch.LossTokens * lm, output.LossSum.item<float>(), 2);
        Assert.Equal(lm * batch.LossTokens, output.MetricSums!["ptx_loss"].item<float>(), 2);
        Assert.False(plain.Loss(batch).MetricSums!.ContainsKey("ptx_loss"));
    }

    [Fact]
    public void Reward_model_loss_adds_coef_times_the_mean_pretraining_loss_per_pair_through_the_tied_head()
    {
        using var scope = NewDisposeScope();
        var template = new ChatTemplate(Tokenizer);
        var pairs = Enumerable.Range(0, 8)
            .Select(i => PreferenceExample.Encode(new PreferencePair($"What is {i} + 2?", $"{i + 2}", "I can't help with that."), template, 48))
            .ToList();
        torch.manual_seed(4);
        using var model = new ScalarHeadModel(TinyConfig());
        model.eval();
        Assert.True(model.Transformer.HasLanguageModelHead); // tied: the embedding is the head
        var options = new RewardModelOptions { InitFrom = null, Training = new TrainingOptions { BatchSize = 4, Seed = 2 } };
        var plain = new RewardModelStage(options, model, Tokenizer, pairs, pairs);
        var mixed = new RewardModelStage(options, model, Tokenizer, pairs, pairs, Mix(0.5));

        var batch = mixed.MicroBatches(1, 1)[0];
        var windows = batch.Pretraining!.Value;
        double bt = plain.Loss(batch).LossSum.item<float>();
        double lm = PretrainingText.MeanTokenLoss(model.Transformer, windows.Inputs, windows.Targets).item<float>();
        var output = mixed.Loss(batch);
        Assert.Equal(bt + 0.5 * batch.Pairs * lm, output.LossSum.item<float>(), 3);
        Assert.Equal(lm * batch.Pairs, output.MetricSums!["ptx_loss"].item<float>(), 3);

        // The gradient reaches the embedding through the language-model term too.
        model.zero_grad();
        output.LossSum.backward();
        var embeddingGradient = model.named_parameters().Single(p => p.name == "transformer.wte.weight").parameter.grad!;
        Assert.True(embeddingGradient.abs().sum().item<float>() > 0);
    }

    [Fact]
    public void Dpo_loss_adds_coef_times_the_mean_pretraining_loss_per_pair_to_training_batches_only()
    {
        var template = new ChatTemplate(Tokenizer);
        var train = DpoTraining.Tokenize(Repo.Path("data", "tinyworld", "preferences_pairwise.jsonl"), 12, template, 64);
        var eval = DpoTraining.Tokenize(Repo.Path("data", "tinyworld", "eval_preferences_pairwise.jsonl"), 6, template, 64);
        var options = new DpoOptions
        {
            GoldPromptsPerKind = 0, SftWeight = 0, Ptx = Mix(1.5).Options,
            Training = new TrainingOptions { Seed = 5, BatchSize = 4, MaxSteps = 3, WarmupSteps = 0, WeightDecay = 0, EvalEvery = 0 },
        };
        torch.manual_seed(3);
        using var policy = new Gpt(TinyConfig());
        using var plain = new DpoStage(options with { Ptx = new() }, policy, DpoStage.FrozenCopy(policy), train, eval, Repo.Path("data", "tinyworld", "tokenizer"));
        using var mixed = new DpoStage(options, policy, DpoStage.FrozenCopy(policy), train, eval, Repo.Path("data", "tinyworld", "tokenizer"), mix: Mix(1.5));

        using var scope = NewDisposeScope();
        Assert.Null(plain.MicroBatches(2, 2)[1].Pretraining);
        var batch = mixed.MicroBatches(2, 2)[1];
        var windows = batch.Pretraining!.Value;
        Assert.Equal([3L, 16], windows.Inputs.shape);
        Assert.Equal(windows.Inputs.cpu().data<long>().ToArray(), mixed.MicroBatches(2, 2)[1].Pretraining!.Value.Inputs.cpu().data<long>().ToArray());
        Assert.NotEqual(windows.Inputs.cpu().data<long>().ToArray(), mixed.MicroBatches(2, 2)[0].Pretraining!.Value.Inputs.cpu().data<long>().ToArray());

        double dpo = plain.Loss(batch).LossSum.item<float>();
        double lm = PretrainingText.MeanTokenLoss(policy, windows.Inputs, windows.Targets).item<float>();
        Assert.True(lm > 1, $"an untrained model's loss is near ln V, got {lm}");
        var output = mixed.Loss(batch);
        Assert.Equal(dpo + 1.5 * batch.Pairs * lm, output.LossSum.item<float>(), 3);
        Assert.Equal(lm * batch.Pairs, output.MetricSums!["ptx_loss"].item<float>(), 3);
        Assert.False(mixed.Evaluate().ContainsKey("ptx_loss")); // held-out batches carry no windows: the held-out loss stays DPO's
    }

    [Fact]
    public void A_backbone_without_a_tied_head_cannot_take_the_mix_and_bad_options_name_their_field()
    {
        using var scope = NewDisposeScope();
        using var untied = new ScalarHeadModel(TinyConfig(tied: false));
        Assert.False(untied.Transformer.HasLanguageModelHead);
        var pairs = new[] { PreferenceExample.Encode(new PreferencePair("What is 1 + 2?", "3", "4"), new ChatTemplate(Tokenizer), 48) };
        var options = new RewardModelOptions { InitFrom = null };
        var error = Assert.Throws<ArgumentException>(() => new RewardModelStage(options, untied, Tokenizer, pairs, pairs, Mix(1)));
        Assert.Contains("tied", error.Message);

        var sft = Assert.Throws<ArgumentException>(() => new SftOptions { Ptx = new PretrainingMixOptions { Coef = -1 } }.Validate());
        Assert.Contains("sft option 'ptx.coef'", sft.Message);
        var rm = Assert.Throws<ArgumentException>(() => new RewardModelOptions { Ptx = new PretrainingMixOptions { Coef = 1, WindowLength = 1 } }.Validate());
        Assert.Contains("rm option 'ptx.window_length'", rm.Message);
        var dpo = Assert.Throws<ArgumentException>(() => new DpoOptions { Ptx = new PretrainingMixOptions { Coef = -1 } }.Validate());
        Assert.Contains("dpo option 'ptx.coef'", dpo.Message);
        Assert.Null(new PretrainingMixOptions().Load("no/such/corpus.jsonl", Tokenizer)); // off: nothing is read
        Assert.Throws<FileNotFoundException>(() => new PretrainingMixOptions { Coef = 1 }.Load("no/such/corpus.jsonl", Tokenizer));
    }
}
