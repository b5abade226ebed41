using Rlhf.Checkpoints;
using Rlhf.Models;
using Rlhf.Tests.Data;
using Rlhf.Text;
using Rlhf.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Tests.Models;

public class RewardModelTests
{
    public RewardModelTests() => TorchRuntime.Init();

    static TextTokenizer CourseTokenizer() => TextTokenizer.Load(Repo.Path("data", "tinyworld", "tokenizer"));

    /// <summary>A tiny random reward model over the course tokenizer, with a nonzero head bias.</summary>
    static RewardModel Make(RewardNormalization normalization, int seed = 3)
    {
        var tokenizer = CourseTokenizer();
        torch.manual_seed(seed);
        var model = new ScalarHeadModel(TinyModels.Config with { VocabularySize = tokenizer.VocabularySize, ContextLength = 64 });
        using (no_grad()) model.state_dict()["score.bias"].fill_(0.5f);
        return new RewardModel(model, normalization, tokenizer);
    }

    [Fact]
    public void Score_reads_the_last_real_token_under_left_and_right_padding_and_normalises_it()
    {
        using var scope = NewDisposeScope();
        var normalization = new RewardNormalization(Mean: 0.25, Std: 2.0);
        using var rewardModel = Make(normalization);
        // The same three tokens alone, left-padded, right-padded; and a full row of five different tokens.
        var alone = rewardModel.Model.forward(TinyModels.Ids([9, 8, 7]))[0, 2].item<float>();
        var ids = TinyModels.Ids([0, 0, 9, 8, 7], [9, 8, 7, 0, 0], [1, 2, 3, 4, 5]);
        var mask = TinyModels.Ids([0, 0, 1, 1, 1], [1, 1, 1, 0, 0], [1, 1, 1, 1, 1]);
        var raw = rewardModel.RawScore(ids, mask).data<float>().ToArray();
        var scores = rewardModel.Score(ids, mask).data<float>().ToArray();
        Assert.Equal(alone, raw[0], 5);
        Assert.Equal(alone, raw[1], 5);
        Assert.NotEqual(alone, raw[2], 3);
        for (int row = 0; row < 3; row++) Assert.Equal((raw[row] - 0.25) / 2.0, scores[row], 5);
        Assert.False(rewardModel.Score(ids, mask).requires_grad);
    }

    [Fact]
    public void Text_scoring_equals_scoring_the_chat_template_ids()
    {
        using var scope = NewDisposeScope();
        using var rewardModel = Make(RewardNormalization.None);
        var example = rewardModel.Template.EncodeTraining("What is 2 + 3?", "5");
        Assert.Equal(rewardModel.Tokenizer.EndOfTextId, example.InputIds[^1]);
        var direct = rewardModel.Model.forward(tensor(example.InputIds.Select(i => (long)i).ToArray(), [1, example.Length]).to(TorchRuntime.Device))[0, -1].item<float>();
        // Batched with a longer conversation, so this row is right-padded.
        var scores = rewardModel.Score([("What is 2 + 3?", "5"), ("What is 2 + 3?", "Honestly it depends on who you ask, but I would say 5.")]);
        Assert.Equal(direct, scores[0], tolerance: 1e-5); // a tolerance, not rounding: rounding can split values 1e-7 apart
        Assert.Equal(direct, rewardModel.Score("What is 2 + 3?", "5"), tolerance: 1e-5);
        Assert.NotEqual(scores[0], scores[1], 4);
    }

    [Fact]
    public void Normalisation_from_samples_gives_them_mean_zero_and_std_one()
    {
        // Hand-checked: mean of 1, 2, 3, 6 is 3; squared deviations 4, 1, 0, 9 sum to 14; population std sqrt(14 / 4).
        double[] samples = [1, 2, 3, 6];
        var normalization = RewardNormalization.FromSamples(samples);
        Assert.Equal(3.0, normalization.Mean, 12);
        Assert.Equal(Math.Sqrt(3.5), normalization.Std, 12);
        var normalised = samples.Select(normalization.Apply).ToArray();
        Assert.Equal(0.0, normalised.Average(), 12);
        Assert.Equal(1.0, Math.Sqrt(normalised.Select(x => x * x).Average()), 12);
        Assert.Equal(-2.0 / Math.Sqrt(3.5), normalised[0], 12);

        var shiftOnly = RewardNormalization.FromSamples(samples, divideByStd: false);
        Assert.Equal(new RewardNormalization(3.0, 1.0), shiftOnly);
        Assert.Throws<ArgumentException>(() => RewardNormalization.FromSamples([2.0, 2.0]));
        Assert.Throws<ArgumentException>(() => RewardNormalization.FromSamples([1.0]));
    }

    [Fact]
    public void A_saved_reward_model_loads_back_with_the_same_scores_and_normalisation()
    {
        using var scope = NewDisposeScope();
        using var files = new TempFiles();
        var folder = files.PathOf("rm");
        using var rewardModel = Make(new RewardNormalization(-1.5, 0.75));
        rewardModel.Save(folder);
        Assert.Equal("rm", Checkpoint.ReadMetadata(folder)["stage"]);
        using var loaded = RewardModel.Load(folder);
        Assert.Equal(rewardModel.Normalization, loaded.Normalization);
        (string, string)[] conversations = [("Write \"paper\" backwards.", "repap"), ("Will it rain?", "I cannot know that.")];
        var before = rewardModel.Score(conversations);
        var after = loaded.Score(conversations);
        for (int i = 0; i < before.Length; i++) Assert.Equal(before[i], after[i], 5);
    }

    [Fact]
    public void A_missing_or_broken_normalisation_file_is_named()
    {
        using var files = new TempFiles();
        var folder = files.PathOf("rm");
        using (var rewardModel = Make(RewardNormalization.None)) rewardModel.Save(folder);
        File.WriteAllText(Path.Combine(folder, RewardNormalization.FileName), "{\"mean\": 1.0}");
        var broken = Assert.Throws<CheckpointFormatException>(() => RewardModel.Load(folder));
        Assert.Contains("'std'", broken.Message);
        Assert.Contains(RewardNormalization.FileName, broken.FilePath);
        File.WriteAllText(Path.Combine(folder, RewardNormalization.FileName), "{\"mean\": 1.0, \"std\": 0}");
        Assert.Contains("positive", Assert.Throws<CheckpointFormatException>(() => RewardModel.Load(folder)).Message);
        File.Delete(Path.Combine(folder, RewardNormalization.FileName));
        Assert.Contains("missing", Assert.Throws<CheckpointFormatException>(() => RewardModel.Load(folder)).Message);
    }
}
