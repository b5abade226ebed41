using static TorchSharp.torch;

namespace Rlhf.Checkpoints;

/// <summary>The tensors and metadata read from one safetensors file. Disposing it disposes the tensors.</summary>
/// <param name="Tensors">Name to tensor, in the file's element types.</param>
/// <param name="Metadata">The <c>__metadata__</c> strings (empty when none).</param>
public sealed record SafetensorsContent(IReadOnlyDictionary<string, Tensor> Tensors, IReadOnlyDictionary<string, string> Metadata) : IDisposable
{
    /// <summary>Disposes every tensor.</summary>
    public void Dispose()
    {
        foreach (var tensor in Tensors.Values) tensor.Dispose();
    }
}
