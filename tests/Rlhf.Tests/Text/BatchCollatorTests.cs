using Rlhf.Text;

namespace Rlhf.Tests.Text;

public class BatchCollatorTests
{
    const int Pad = 99;

    static readonly ChatExample Short = new([1, 2, 3], [0, 1, 1], 1, TruncationReport.None);
    static readonly ChatExample Long = new([4, 5, 6, 7, 8], [0, 0, 1, 1, 1], 2, TruncationReport.None);

    [Fact]
    public void Training_batches_are_right_padded_with_zero_loss_on_padding()
    {
        var batch = BatchCollator.ForTraining([Short, Long], Pad);

        Assert.Equal(PaddingSide.Right, batch.Side);
        Assert.Equal((2, 5), (batch.BatchSize, batch.Length));
        Assert.Equal(new long[,] { { 1, 2, 3, Pad, Pad }, { 4, 5, 6, 7, 8 } }, batch.InputIds);
        Assert.Equal(new long[,] { { 1, 1, 1, 0, 0 }, { 1, 1, 1, 1, 1 } }, batch.AttentionMask);
        Assert.Equal(new long[,] { { 0, 1, 1, 0, 0 }, { 0, 0, 1, 1, 1 } }, batch.LossMask);
    }

    [Fact]
    public void Generation_batches_are_left_padded()
    {
        var batch = BatchCollator.ForGeneration([new ChatPrompt([1, 2, 3], TruncationReport.None), new ChatPrompt([4, 5, 6, 7, 8], TruncationReport.None)], Pad);

        Assert.Equal(PaddingSide.Left, batch.Side);
        Assert.Equal(new long[,] { { Pad, Pad, 1, 2, 3 }, { 4, 5, 6, 7, 8 } }, batch.InputIds);
        Assert.Equal(new long[,] { { 0, 0, 1, 1, 1 }, { 1, 1, 1, 1, 1 } }, batch.AttentionMask);
        Assert.Equal(new long[2, 5], batch.LossMask);
    }

    [Fact]
    public void Left_padding_keeps_each_loss_mask_under_its_tokens()
    {
        var batch = BatchCollator.Pad([Short.InputIds, Long.InputIds], [Short.LossMask, Long.LossMask], Pad, PaddingSide.Left);
        Assert.Equal(new long[,] { { 0, 0, 0, 1, 1 }, { 0, 0, 1, 1, 1 } }, batch.LossMask);
    }

    [Fact]
    public void Inconsistent_input_is_refused()
    {
        Assert.Throws<ArgumentException>(() => BatchCollator.ForTraining([], Pad));
        var e = Assert.Throws<ArgumentException>(() => BatchCollator.Pad([[1, 2]], [[1]], Pad, PaddingSide.Right));
        Assert.Contains("sequence 0 has 2 tokens but its loss mask has 1", e.Message);
        Assert.Throws<ArgumentException>(() => BatchCollator.Pad([[1], []], null, Pad, PaddingSide.Right));
    }
}
