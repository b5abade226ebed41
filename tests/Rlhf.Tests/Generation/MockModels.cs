using Rlhf.Models;
using Rlhf.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Tests.Generation;

/// <summary>A language model whose next-token logits are fixed in advance, to pin what the engine and sampler do.</summary>
abstract class MockModel(int vocabularySize) : ICausalLanguageModel
{
    public int VocabularySize { get; } = vocabularySize;
    public int ContextLength => 1000;
    public Device Device => TorchRuntime.Device;
    public int Calls { get; private set; }
    public List<long> LiveTensorsAtCall { get; } = [];

    public KvCache NewCache(int batchSize, int capacity) => new(0, batchSize, 1, capacity, 1, Device);

    public Tensor forward(Tensor inputIds, Tensor? attentionMask, KvCache? cache)
    {
        LiveTensorsAtCall.Add(DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        long batch = inputIds.shape[0], time = inputIds.shape[1];
        cache?.Advance((int)time);
        var next = NextLogits((int)batch, Calls++); // (B, V)
        return next.unsqueeze(1).expand(batch, time, VocabularySize).clone(); // (B, T, V)
    }

    protected abstract Tensor NextLogits(int batch, int call);
}

/// <summary>Every row, every step: the same logits.</summary>
sealed class FixedLogitsModel(float[] logits) : MockModel(logits.Length)
{
    protected override Tensor NextLogits(int batch, int call) =>
        tensor(logits, device: Device).unsqueeze(0).expand(batch, logits.Length);
}

/// <summary>Row b at step k makes script[b][k] overwhelmingly likely (logit 30, others 0).</summary>
sealed class ScriptedModel(int vocabularySize, params int[][] script) : MockModel(vocabularySize)
{
    protected override Tensor NextLogits(int batch, int call)
    {
        var logits = zeros(batch, VocabularySize, device: Device);
        for (int b = 0; b < batch; b++) logits[b, script[b][Math.Min(call, script[b].Length - 1)]] = tensor(30f);
        return logits;
    }
}

/// <summary>Delegates to a real model and records the live tensor count at every call.</summary>
sealed class RecordingModel(Gpt inner) : ICausalLanguageModel
{
    public int VocabularySize => inner.VocabularySize;
    public int ContextLength => inner.ContextLength;
    public Device Device => inner.Device;
    public List<long> LiveTensorsAtCall { get; } = [];
    public KvCache NewCache(int batchSize, int capacity) => inner.NewCache(batchSize, capacity);

    public Tensor forward(Tensor inputIds, Tensor? attentionMask, KvCache? cache)
    {
        LiveTensorsAtCall.Add(DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        return inner.forward(inputIds, attentionMask, cache);
    }
}
