using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Models;

/// <summary>
/// Keys and values of every attention layer for the tokens seen so far, preallocated once per generation
/// as (B, H, Tmax, hs) per layer so each new token costs one small write instead of re-running the prompt.
/// All rows of the batch advance together (prompts are left-padded), so one <see cref="Length"/> serves all.
/// The cache owns its tensors: create it with <c>using</c> and it frees them when disposed.
/// </summary>
public sealed class KvCache : IDisposable
{
    readonly Tensor[] keys;
    readonly Tensor[] values;
    bool disposed;

    /// <summary>Preallocates zeroed storage for <paramref name="layers"/> layers.</summary>
    /// <param name="layers">Number of attention layers (0 is allowed, for models without attention).</param>
    /// <param name="batchSize">Rows in the batch (B).</param>
    /// <param name="heads">Attention heads (H).</param>
    /// <param name="capacity">Most positions the cache can hold (Tmax): prompt plus new tokens.</param>
    /// <param name="headSize">Width of one head (hs).</param>
    /// <param name="device">Where the storage lives.</param>
    /// <param name="dtype">Element type; the model's parameter type.</param>
    public KvCache(int layers, int batchSize, int heads, int capacity, int headSize, Device device, ScalarType dtype = ScalarType.Float32)
    {
        if (layers < 0) throw new ArgumentOutOfRangeException(nameof(layers), layers, "must be 0 or more");
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "must be at least 1");
        if (capacity < 1) throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "must be at least 1");
        BatchSize = batchSize;
        Capacity = capacity;
        keys = new Tensor[layers];
        values = new Tensor[layers];
        // The cache outlives any dispose scope its creator is in: detached, only Dispose frees it.
        for (int i = 0; i < layers; i++)
        {
            keys[i] = zeros([batchSize, heads, capacity, headSize], dtype, device).DetachFromDisposeScope(); // (B, H, Tmax, hs)
            values[i] = zeros([batchSize, heads, capacity, headSize], dtype, device).DetachFromDisposeScope(); // (B, H, Tmax, hs)
        }
    }

    /// <summary>Rows in the batch (B).</summary>
    public int BatchSize { get; }

    /// <summary>Most positions the cache can hold (Tmax).</summary>
    public int Capacity { get; }

    /// <summary>Number of layers the cache holds.</summary>
    public int Layers => keys.Length;

    /// <summary>Positions already written (the same for every row).</summary>
    public int Length { get; private set; }

    /// <summary>
    /// Writes the keys and values (each (B, H, T, hs)) of T new positions for one layer at
    /// [<see cref="Length"/>, <see cref="Length"/> + T) and returns views of everything written so far,
    /// each (B, H, Length + T, hs). Call <see cref="Advance"/> once after all layers have been written.
    /// </summary>
    public (Tensor Keys, Tensor Values) Append(int layer, Tensor newKeys, Tensor newValues)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        long t = newKeys.shape[2];
        if (Length + t > Capacity)
            throw new InvalidOperationException($"KV cache is full: {Length} positions held, {t} more asked for, capacity {Capacity}.");
        keys[layer].narrow(2, Length, t).copy_(newKeys); // (B, H, T, hs) into (B, H, Tmax, hs)
        values[layer].narrow(2, Length, t).copy_(newValues);
        return (keys[layer].narrow(2, 0, Length + t), values[layer].narrow(2, 0, Length + t)); // (B, H, Length+T, hs)
    }

    /// <summary>Marks <paramref name="newTokens"/> more positions as written.</summary>
    public void Advance(int newTokens)
    {
        if (newTokens < 0 || Length + newTokens > Capacity)
            throw new ArgumentOutOfRangeException(nameof(newTokens), newTokens, $"cache holds {Length} of {Capacity} positions");
        Length += newTokens;
    }

    /// <summary>Forgets every position (the storage is kept and reused).</summary>
    public void Reset() => Length = 0;

    /// <summary>Frees the key and value storage.</summary>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        foreach (var t in keys.Concat(values)) t.Dispose();
    }
}
