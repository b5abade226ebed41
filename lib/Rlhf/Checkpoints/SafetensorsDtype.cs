using static TorchSharp.torch;

namespace Rlhf.Checkpoints;

/// <summary>
/// The safetensors element types this project reads and writes, with their Torch equivalents.
/// Floating point: <c>F64</c>, <c>F32</c>, <c>F16</c>, <c>BF16</c>; integers: <c>I64</c>, <c>I32</c>,
/// <c>I16</c>, <c>I8</c>, <c>U8</c>; and <c>BOOL</c>. Every one is stored little-endian.
/// </summary>
public static class SafetensorsDtype
{
    static readonly (string Name, ScalarType Type, int Size)[] known =
    [
        ("F64", ScalarType.Float64, 8),
        ("F32", ScalarType.Float32, 4),
        ("F16", ScalarType.Float16, 2),
        ("BF16", ScalarType.BFloat16, 2),
        ("I64", ScalarType.Int64, 8),
        ("I32", ScalarType.Int32, 4),
        ("I16", ScalarType.Int16, 2),
        ("I8", ScalarType.Int8, 1),
        ("U8", ScalarType.Byte, 1),
        ("BOOL", ScalarType.Bool, 1),
    ];

    /// <summary>True when <paramref name="name"/> (e.g. <c>"BF16"</c>) is a dtype this project can read.</summary>
    public static bool IsKnown(string name) => known.Any(k => k.Name == name);

    /// <summary>The Torch element type for a safetensors dtype name; throws for an unknown name.</summary>
    public static ScalarType ToScalarType(string name) =>
        known.FirstOrDefault(k => k.Name == name) is { Name: not null } k
            ? k.Type
            : throw new ArgumentException($"unknown safetensors dtype '{name}' (known: {string.Join(", ", known.Select(x => x.Name))})", nameof(name));

    /// <summary>The safetensors dtype name for a Torch element type; throws for types safetensors cannot hold here.</summary>
    public static string FromScalarType(ScalarType type) =>
        known.FirstOrDefault(k => k.Type == type) is { Name: not null } k
            ? k.Name
            : throw new ArgumentException($"Torch type {type} has no safetensors dtype in this project", nameof(type));

    /// <summary>Bytes per element of a safetensors dtype (e.g. 2 for <c>F16</c>).</summary>
    public static int SizeOf(string name) =>
        known.FirstOrDefault(k => k.Name == name) is { Name: not null } k
            ? k.Size
            : throw new ArgumentException($"unknown safetensors dtype '{name}'", nameof(name));
}
