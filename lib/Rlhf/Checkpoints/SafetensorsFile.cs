using System.Buffers.Binary;
using Rlhf.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Checkpoints;

/// <summary>
/// Reads and writes the safetensors format (https://github.com/huggingface/safetensors): the format HF
/// transformers, TRL and this project share, so a checkpoint written here can be continued there and back.
/// </summary>
public static class SafetensorsFile
{
    /// <summary>
    /// Writes <paramref name="tensors"/> to <paramref name="path"/> atomically (temporary file, then rename).
    /// Each tensor keeps its own element type (F64/F32/F16/BF16/integers); the data is ordered as the reference
    /// writer orders it (larger elements first, then by name), so the same tensors always give the same bytes.
    /// </summary>
    /// <param name="path">Destination file, usually <c>model.safetensors</c>.</param>
    /// <param name="tensors">Name to tensor; any device, any layout (copied to CPU contiguous memory to write).</param>
    /// <param name="metadata">Optional free-form strings stored under <c>__metadata__</c>.</param>
    public static void Write(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("safetensors data is little-endian; this machine is not");
        if (tensors.ContainsKey(SafetensorsHeader.MetadataKey))
            throw new ArgumentException($"'{SafetensorsHeader.MetadataKey}' is reserved and cannot name a tensor", nameof(tensors));

        var ordered = tensors
            .Select(pair => (pair.Key, Tensor: pair.Value, Dtype: SafetensorsDtype.FromScalarType(pair.Value.dtype)))
            .OrderByDescending(t => SafetensorsDtype.SizeOf(t.Dtype))
            .ThenBy(t => t.Key, StringComparer.Ordinal)
            .ToList();
        var entries = new List<SafetensorsEntry>(ordered.Count);
        long offset = 0;
        foreach (var (name, tensor, dtype) in ordered)
        {
            var entry = new SafetensorsEntry(name, dtype, tensor.shape, offset, offset + tensor.numel() * SafetensorsDtype.SizeOf(dtype));
            entries.Add(entry);
            offset = entry.End;
        }
        var header = SafetensorsHeader.Serialize(entries, metadata);

        AtomicFile.Write(path, stream =>
        {
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
            stream.Write(length);
            stream.Write(header);
            foreach (var (_, tensor, _) in ordered)
            {
                if (tensor.numel() == 0) continue;
                using var scope = torch.NewDisposeScope();
                var onCpu = tensor.detach().cpu().contiguous();
                stream.Write(onCpu.bytes);
            }
        });
    }

    /// <summary>
    /// Reads every tensor of <paramref name="path"/> onto <paramref name="device"/> (default
    /// <see cref="TorchRuntime.Device"/>), in the file's own element types. The header is validated first
    /// (see <see cref="SafetensorsHeader.Read(string)"/>); the caller owns (and disposes) the returned tensors.
    /// </summary>
    public static SafetensorsContent Read(string path, Device? device = null)
    {
        var target = device ?? TorchRuntime.Device;
        using var stream = File.OpenRead(path);
        var header = SafetensorsHeader.Read(path, stream);
        var tensors = new Dictionary<string, Tensor>(header.Entries.Count);
        try
        {
            foreach (var entry in header.Entries)
                tensors[entry.Name] = ReadTensor(path, stream, header, entry, target);
        }
        catch
        {
            foreach (var tensor in tensors.Values) tensor.Dispose();
            throw;
        }
        return new SafetensorsContent(tensors, header.Metadata);
    }

    static Tensor ReadTensor(string path, Stream stream, SafetensorsHeader header, SafetensorsEntry entry, Device device)
    {
        var onCpu = torch.empty(entry.Shape, SafetensorsDtype.ToScalarType(entry.Dtype), device: torch.CPU);
        try
        {
            if (entry.ByteCount > 0)
            {
                stream.Position = header.DataStart + entry.Begin;
                stream.ReadExactly(onCpu.bytes);
            }
        }
        catch (Exception e) when (e is IOException or EndOfStreamException)
        {
            onCpu.Dispose();
            throw new CheckpointFormatException(path, entry.Name, $"could not read its {entry.ByteCount} bytes: {e.Message}", e);
        }
        if (device.type == DeviceType.CPU) return onCpu;
        using (onCpu) return onCpu.to(device);
    }
}
