namespace Rlhf.Checkpoints;

/// <summary>One tensor as the safetensors header describes it.</summary>
/// <param name="Name">The tensor's key, e.g. <c>h.0.attn.c_attn.weight</c>.</param>
/// <param name="Dtype">The safetensors dtype name, e.g. <c>F32</c> (see <see cref="SafetensorsDtype"/>).</param>
/// <param name="Shape">The tensor's shape; empty for a scalar.</param>
/// <param name="Begin">First byte of the tensor's data, counted from the end of the header.</param>
/// <param name="End">One past the last byte of the tensor's data, counted from the end of the header.</param>
public sealed record SafetensorsEntry(string Name, string Dtype, long[] Shape, long Begin, long End)
{
    /// <summary>Number of elements: the product of the shape (1 for a scalar).</summary>
    public long ElementCount => Shape.Aggregate(1L, (product, size) => product * size);

    /// <summary>Bytes the shape and dtype call for; a truthful header has <c>End - Begin</c> equal to this.</summary>
    public long ByteCount => ElementCount * SafetensorsDtype.SizeOf(Dtype);

    /// <summary>The shape written as <c>[a, b]</c>, for messages.</summary>
    public string ShapeText => $"[{string.Join(", ", Shape)}]";
}
