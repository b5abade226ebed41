using Rlhf.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Benchmarks;

/// <summary>Live tensors on this thread before and after a number of training steps.</summary>
/// <param name="Before">Live tensors after the model, optimizer and data exist, before the first step.</param>
/// <param name="After">Live tensors after the last step (equal to <paramref name="Before"/> when no step leaks).</param>
/// <param name="Steps">Training steps run between the two counts.</param>
public sealed record LiveTensorCounts(long Before, long After, int Steps);

/// <summary>Counts live tensors around many training steps, to show the step disposes everything it makes.</summary>
public static class TensorLeakCheck
{
    /// <summary>
    /// Runs <paramref name="steps"/> next-token training steps (forward, cross-entropy, backward, AdamW) of a
    /// <paramref name="config"/> model on <paramref name="batchSize"/> x <paramref name="sequenceLength"/> random tokens,
    /// each in its own dispose scope, and counts the thread's live tensors
    /// (<c>DisposeScopeManager.Statistics.ThreadTotalLiveCount</c>) before the first step and after the last.
    /// The first step runs before the count: AdamW creates its moment tensors then, once.
    /// </summary>
    public static LiveTensorCounts Run(GptConfig config, int batchSize, int sequenceLength, int steps, Device device)
    {
        if (steps < 1) throw new ArgumentOutOfRangeException(nameof(steps), steps, "must be at least 1");
        using var model = new Gpt(config, device);
        model.train();
        using var optimizer = optim.AdamW(model.parameters(), lr: 3e-4);
        using var tokens = randint(0, config.VocabularySize, [batchSize, sequenceLength + 1], dtype: ScalarType.Int64, device: device); // (B, T+1)

        void Step()
        {
            using var scope = NewDisposeScope();
            var logits = model.forward(tokens.narrow(1, 0, sequenceLength)); // (B, T, V)
            var loss = nn.functional.cross_entropy(logits.reshape(-1, config.VocabularySize), tokens.narrow(1, 1, sequenceLength).reshape(-1));
            loss.backward();
            optimizer.step();
            optimizer.zero_grad();
        }

        Step();
        var statistics = DisposeScopeManager.Statistics;
        long before = statistics.ThreadTotalLiveCount;
        for (int i = 0; i < steps; i++) Step();
        return new LiveTensorCounts(before, statistics.ThreadTotalLiveCount, steps);
    }
}
