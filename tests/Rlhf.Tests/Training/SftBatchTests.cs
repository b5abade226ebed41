using Rlhf.Models;
using Rlhf.Tests.Models;
using Rlhf.Text;
using Rlhf.Torch;
using Rlhf.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Tests.Training;

public class SftBatchTests
{
    const int Pad = 0;
    static readonly TextTokenizer Tokenizer = TextTokenizer.Load(Repo.Path("data", "tinyworld", "tokenizer"));

    public SftBatchTests() => TorchRuntime.Init();

    static ChatExample Example(int[] ids, int[] mask) => new(ids, mask, mask.TakeWhile(m => m == 0).Count(), TruncationReport.None);

    static long[] Longs(Tensor t) => t.cpu().to(ScalarType.Int64).data<long>().ToArray();

    [Fact]
    public void Shift_aligns_each_target_with_its_loss_mask_by_hand()
    {
        // Row 0: prompt 10 11, response 12 13, end-of-text 14. Row 1: prompt 20, response 21, end-of-text 22, then padding.
        using var scope = NewDisposeScope();
        var batch = SftBatch.From([Example([10, 11, 12, 13, 14], [0, 0, 1, 1, 1]), Example([20, 21, 22], [0, 1, 1])], Pad, TorchRuntime.Device);
        Assert.Equal([10L, 11, 12, 13, /**/ 20, 21, 22, Pad], Longs(batch.Inputs));
        Assert.Equal([11L, 12, 13, 14, /**/ 21, 22, Pad, Pad], Longs(batch.Targets));
        // Position 0 reads 10 and would predict 11 (prompt): not counted. Position 1 reads the last prompt token 11 and
        // predicts the first response token 12: counted. The last counted target is the end-of-text.
        Assert.Equal([0L, 1, 1, 1, /**/ 1, 1, 0, 0], Longs(batch.LossMask));
        Assert.Equal([1L, 1, 1, 1, /**/ 1, 1, 1, 0], Longs(batch.AttentionMask));
        Assert.Equal(5, batch.LossTokens);
        Assert.Equal(ScalarType.Float32, batch.LossMask.dtype);
    }

    [Fact]
    public void Counted_targets_of_a_chat_example_are_its_response_and_end_of_text()
    {
        using var scope = NewDisposeScope();
        var example = new ChatTemplate(Tokenizer).EncodeTraining("What is 5 + 4?", "It is 9.");
        var batch = SftBatch.From([example], Tokenizer.PadId, TorchRuntime.Device);
        var targets = Longs(batch.Targets);
        var mask = Longs(batch.LossMask);
        var counted = targets.Where((_, t) => mask[t] == 1).Select(id => (int)id).ToArray();
        Assert.Equal([.. Tokenizer.Encode(" It is 9."), Tokenizer.EndOfTextId], counted);
        // The first counted position reads the last prompt token (the ':' ending "### Assistant:").
        int first = Array.IndexOf(mask, 1L);
        Assert.Equal(example.PromptLength - 1, first);
        Assert.Equal(":", Tokenizer.TokenText((int)Longs(batch.Inputs)[first]));
    }

    [Fact]
    public void Padding_never_contributes_to_the_loss()
    {
        using var scope = NewDisposeScope();
        var model = TinyModels.Gpt(TinyModels.Config with { VocabularySize = 40 }, seed: 5);
        var longer = Example([3, 4, 5, 6, 7, 8, 9], [0, 0, 0, 1, 1, 1, 1]);
        var shorter = Example([11, 12, 13, 14], [0, 0, 1, 1]);
        var batch = SftBatch.From([longer, shorter], Pad, TorchRuntime.Device);
        double Loss(SftBatch b) => LanguageModelLoss.MaskedCrossEntropySum(model.forward(b.Inputs, b.AttentionMask, null), b.Targets, b.LossMask).item<float>();

        // Other ids at every padding position (inputs and targets) give the same loss...
        var padding = batch.AttentionMask.eq(0); // (B, T-1) input padding
        var targetPadding = batch.LossMask.eq(0) & padding.roll(-1, 1).logical_or(padding); // positions whose target is padding
        var scrambled = batch with
        {
            Inputs = batch.Inputs.masked_fill(padding, 37),
            Targets = batch.Targets.masked_fill(targetPadding, 31),
        };
        Assert.NotEqual(Longs(batch.Inputs), Longs(scrambled.Inputs));
        Assert.NotEqual(Longs(batch.Targets), Longs(scrambled.Targets));
        Assert.Equal(Loss(batch), Loss(scrambled), 4);
        // ...and the padded batch's loss is the sum of the rows' losses without any padding.
        double alone = Loss(SftBatch.From([longer], Pad, TorchRuntime.Device)) + Loss(SftBatch.From([shorter], Pad, TorchRuntime.Device));
        Assert.Equal(alone, Loss(batch), 4);
    }

    [Fact]
    public void An_example_of_one_token_cannot_be_trained_on()
    {
        using var scope = NewDisposeScope();
        Assert.Throws<ArgumentException>(() => SftBatch.From([Example([5], [1])], Pad, TorchRuntime.Device));
    }
}
