using Rlhf.Models;
using Rlhf.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Benchmarks;

/// <summary>What <see cref="ModelSpeed.MeasureTrainingStep"/> measured.</summary>
/// <param name="Config">The model shape measured.</param>
/// <param name="ParameterCount">Trainable parameters of that shape.</param>
/// <param name="BatchSize">Sequences per step (B).</param>
/// <param name="SequenceLength">Tokens per sequence (T).</param>
/// <param name="Steps">Timed steps (after the warm-up).</param>
/// <param name="MillisecondsPerStep">Median wall-clock time of one forward + backward + AdamW step.</param>
/// <param name="Device">Where it ran, with the CPU thread count.</param>
/// <param name="StepMilliseconds">Every timed step's wall-clock time, in order.</param>
public sealed record ModelSpeedReport(
    GptConfig Config, long ParameterCount, int BatchSize, int SequenceLength, int Steps, double MillisecondsPerStep, string Device,
    IReadOnlyList<double> StepMilliseconds)
{
    /// <summary>Training tokens processed per second (B · T / step time).</summary>
    public double TokensPerSecond => BatchSize * SequenceLength / (MillisecondsPerStep / 1000.0);
}

/// <summary>Times a training step of a <see cref="Gpt"/>, to choose a model size that fits a time budget.</summary>
public static class ModelSpeed
{
    /// <summary>
    /// Builds a freshly initialised model of <paramref name="config"/> and times <paramref name="steps"/> steps of
    /// next-token cross-entropy on random tokens (forward of B x T tokens, backward, AdamW update at
    /// <paramref name="learningRate"/>), after <paramref name="warmupSteps"/> untimed ones.
    /// </summary>
    public static ModelSpeedReport MeasureTrainingStep(GptConfig config, int batchSize, int sequenceLength, int steps, int warmupSteps = 1,
        double learningRate = 3e-4)
    {
        config.Validate();
        if (sequenceLength < 1 || sequenceLength > config.ContextLength)
            throw new ArgumentOutOfRangeException(nameof(sequenceLength), sequenceLength, $"must be in [1, {config.ContextLength}] (the context length)");
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "must be at least 1");
        if (steps < 1) throw new ArgumentOutOfRangeException(nameof(steps), steps, "must be at least 1");
        var device = TorchRuntime.Device;
        using var model = new Gpt(config, device);
        model.train();
        using var optimizer = optim.AdamW(model.parameters(), lr: learningRate);
        using var tokens = randint(0, config.VocabularySize, [batchSize, sequenceLength + 1], dtype: ScalarType.Int64, device: device); // (B, T+1)

        void Step()
        {
            using var scope = NewDisposeScope();
            var logits = model.forward(tokens.narrow(1, 0, sequenceLength)); // (B, T, V)
            var targets = tokens.narrow(1, 1, sequenceLength); // (B, T): the next token of each input position
            var loss = nn.functional.cross_entropy(logits.reshape(-1, config.VocabularySize), targets.reshape(-1));
            loss.backward();
            optimizer.step();
            optimizer.zero_grad();
            if (device.type == DeviceType.CUDA) cuda.synchronize(device);
        }

        var milliseconds = Timing.Seconds(warmupSteps, steps, Step).Select(s => s * 1000).ToArray();
        var where = device.type == DeviceType.CUDA ? device.ToString() : $"cpu, {get_num_threads()} threads";
        return new ModelSpeedReport(config, config.ParameterCount(), batchSize, sequenceLength, steps, Timing.Median(milliseconds), where, milliseconds);
    }
}
