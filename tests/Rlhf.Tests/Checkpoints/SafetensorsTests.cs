using System.Buffers.Binary;
using System.Text;
using Rlhf.Checkpoints;
using Rlhf.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Tests.Checkpoints;

public sealed class SafetensorsTests : IDisposable
{
    readonly string folder = Directory.CreateTempSubdirectory("rlhf-safetensors-").FullName;

    public SafetensorsTests() => TorchRuntime.Init();

    public void Dispose() => Directory.Delete(folder, recursive: true);

    string PathOf(string name) => Path.Combine(folder, name);

    /// <summary>Builds a safetensors file byte by byte from a header string and raw data, as the format spec describes it.</summary>
    static byte[] HandBuilt(string headerJson, byte[] data, long? claimedHeaderLength = null)
    {
        var header = Encoding.UTF8.GetBytes(headerJson);
        var length = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)(claimedHeaderLength ?? header.Length));
        return [.. length, .. header, .. data];
    }

    static byte[] Floats(params float[] values) => values.SelectMany(BitConverter.GetBytes).ToArray();

    [Fact]
    public void A_file_built_by_hand_from_the_spec_reads_back_its_values_and_metadata()
    {
        var path = PathOf("hand.safetensors");
        File.WriteAllBytes(path, HandBuilt(
            """{"__metadata__":{"format":"pt"},"b":{"dtype":"F32","shape":[2,2],"data_offsets":[8,24]},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""",
            Floats(1.5f, -2f, 1, 2, 3, 4)));

        using var content = SafetensorsFile.Read(path, torch.CPU);

        Assert.Equal(new float[] { 1.5f, -2f }, content.Tensors["a"].data<float>().ToArray());
        Assert.Equal(new long[] { 2, 2 }, content.Tensors["b"].shape);
        Assert.Equal(new float[] { 1, 2, 3, 4 }, content.Tensors["b"].data<float>().ToArray());
        Assert.Equal("pt", content.Metadata["format"]);
    }

    [Fact]
    public void Writing_gives_the_reference_layout_padded_header_and_sorted_tensors()
    {
        var path = PathOf("layout.safetensors");
        using var half = torch.tensor(new float[] { 1, -2 }).to(ScalarType.Float16);
        using var b = torch.tensor(new float[] { 3 });
        using var a = torch.tensor(new float[] { 4 });
        SafetensorsFile.Write(path, new Dictionary<string, Tensor> { ["h"] = half, ["b"] = b, ["a"] = a },
            new Dictionary<string, string> { ["step"] = "7" });

        var bytes = File.ReadAllBytes(path);
        var headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0, headerLength % 8);
        var header = Encoding.UTF8.GetString(bytes, 8, headerLength);
        // 4-byte elements first, then 2-byte; by name within a size; metadata first.
        const string expectedJson =
            """{"__metadata__":{"step":"7"},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]},"h":{"dtype":"F16","shape":[2],"data_offsets":[8,12]}}""";
        Assert.Equal(expectedJson, header.TrimEnd(' '));
        Assert.True(header.Length - expectedJson.Length < 8);
        // Data: 4f, 3f, then F16 1.0 = 0x3C00 and -2.0 = 0xC000, little-endian.
        byte[] expectedData = [.. Floats(4f, 3f), 0x00, 0x3C, 0x00, 0xC0];
        Assert.Equal(expectedData, bytes[(8 + headerLength)..]);
    }

    [Theory]
    [InlineData(ScalarType.Float32)]
    [InlineData(ScalarType.Float16)]
    [InlineData(ScalarType.BFloat16)]
    [InlineData(ScalarType.Int64)]
    public void Round_trip_is_bit_identical(ScalarType type)
    {
        var path = PathOf($"round-{type}.safetensors");
        using var scope = torch.NewDisposeScope();
        var generator = new torch.Generator(1234);
        var tensors = new Dictionary<string, Tensor>
        {
            ["matrix"] = (torch.randn(new long[] { 5, 7 }, generator: generator) * 100).to(type),
            ["vector"] = (torch.randn(new long[] { 3 }, generator: generator) * 1e-3).to(type),
            ["scalar"] = torch.tensor(-0.0f).to(type),
            ["empty"] = torch.zeros(new long[] { 0, 4 }).to(type),
        };
        SafetensorsFile.Write(path, tensors);

        using var content = SafetensorsFile.Read(path, torch.CPU);

        Assert.Equal(tensors.Keys.Order(), content.Tensors.Keys.Order());
        foreach (var (name, original) in tensors)
        {
            var read = content.Tensors[name];
            Assert.Equal(type, read.dtype);
            Assert.Equal(original.shape, read.shape);
            Assert.Equal(original.contiguous().bytes.ToArray(), read.bytes.ToArray());
        }
    }

    [Fact]
    public void Half_and_bfloat16_store_the_standard_bit_patterns_and_convert_back_exactly()
    {
        // Values exactly representable in both formats; the IEEE half and bfloat16 patterns are computed by hand:
        // 1 = 0x3C00 / 0x3F80, -2 = 0xC000 / 0xC000, 0.5 = 0x3800 / 0x3F00, 0.375 = 0x3600 / 0x3EC0.
        float[] values = [1f, -2f, 0.5f, 0.375f];
        ushort[] half = [0x3C00, 0xC000, 0x3800, 0x3600];
        ushort[] bfloat = [0x3F80, 0xC000, 0x3F00, 0x3EC0];
        var path = PathOf("bits.safetensors");
        using var scope = torch.NewDisposeScope();
        var source = torch.tensor(values);
        SafetensorsFile.Write(path, new Dictionary<string, Tensor> { ["h"] = source.to(ScalarType.Float16), ["b"] = source.to(ScalarType.BFloat16) });

        var header = SafetensorsHeader.Read(path);
        var data = File.ReadAllBytes(path)[(int)header.DataStart..];
        ushort[] Words(SafetensorsEntry e) =>
            Enumerable.Range(0, (int)e.ElementCount).Select(i => BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan((int)e.Begin + 2 * i))).ToArray();
        Assert.Equal(half, Words(header.Find("h")!));
        Assert.Equal(bfloat, Words(header.Find("b")!));

        using var content = SafetensorsFile.Read(path, torch.CPU);
        Assert.Equal(values, content.Tensors["h"].to(ScalarType.Float32).data<float>().ToArray());
        Assert.Equal(values, content.Tensors["b"].to(ScalarType.Float32).data<float>().ToArray());
    }

    [Fact]
    public void Tensors_are_read_onto_the_project_device_by_default()
    {
        var path = PathOf("device.safetensors");
        using var t = torch.ones(2);
        SafetensorsFile.Write(path, new Dictionary<string, Tensor> { ["t"] = t });
        using var content = SafetensorsFile.Read(path);
        Assert.Equal(TorchRuntime.Device.type, content.Tensors["t"].device_type);
    }

    CheckpointFormatException ReadBad(string name, byte[] bytes)
    {
        var path = PathOf(name);
        File.WriteAllBytes(path, bytes);
        var error = Assert.Throws<CheckpointFormatException>(() => SafetensorsFile.Read(path, torch.CPU).Dispose());
        Assert.Equal(path, error.FilePath);
        Assert.Contains(path, error.Message);
        return error;
    }

    [Fact]
    public void An_unknown_dtype_is_reported_with_file_and_tensor()
    {
        var error = ReadBad("dtype.safetensors", HandBuilt("""{"w":{"dtype":"F8_E9","shape":[1],"data_offsets":[0,1]}}""", [0]));
        Assert.Equal("w", error.TensorName);
        Assert.Contains("unknown dtype 'F8_E9'", error.Message);
    }

    [Fact]
    public void A_truncated_file_is_reported_with_the_tensor_that_runs_past_the_end()
    {
        var full = HandBuilt("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"w":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""", Floats(1, 2, 3));
        var error = ReadBad("truncated.safetensors", full[..^2]);
        Assert.Equal("w", error.TensorName);
        Assert.Contains("truncated", error.Message);
    }

    [Fact]
    public void A_header_length_larger_than_the_file_is_reported()
    {
        var error = ReadBad("long-header.safetensors", HandBuilt("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", Floats(1), claimedHeaderLength: 10_000));
        Assert.Null(error.TensorName);
        Assert.Contains("header length 10000 is larger than the file", error.Message);
    }

    [Fact]
    public void A_file_too_short_for_the_length_field_is_reported()
    {
        var error = ReadBad("tiny.safetensors", [1, 2, 3]);
        Assert.Contains("too short", error.Message);
    }

    [Fact]
    public void Overlapping_offsets_are_reported()
    {
        var error = ReadBad("overlap.safetensors",
            HandBuilt("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""", Floats(1, 2, 3)));
        Assert.Equal("b", error.TensorName);
        Assert.Contains("overlap tensor 'a'", error.Message);
    }

    [Fact]
    public void A_gap_between_tensors_is_reported()
    {
        var error = ReadBad("gap.safetensors",
            HandBuilt("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}""", Floats(1, 2, 3)));
        Assert.Equal("b", error.TensorName);
        Assert.Contains("uncovered", error.Message);
    }

    [Fact]
    public void Data_not_covered_by_the_header_is_reported()
    {
        var error = ReadBad("trailing.safetensors", HandBuilt("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", Floats(1, 2)));
        Assert.Contains("covers 4 bytes of data but the file holds 8", error.Message);
    }

    [Fact]
    public void Offsets_that_disagree_with_shape_and_dtype_are_reported()
    {
        var error = ReadBad("size.safetensors", HandBuilt("""{"a":{"dtype":"F16","shape":[3],"data_offsets":[0,8]}}""", Floats(1, 2)));
        Assert.Equal("a", error.TensorName);
        Assert.Contains("span 8 bytes but shape [3] of F16 needs 6", error.Message);
    }

    [Fact]
    public void Offsets_out_of_order_are_reported()
    {
        var error = ReadBad("reversed.safetensors", HandBuilt("""{"a":{"dtype":"F32","shape":[0],"data_offsets":[4,0]}}""", Floats(1)));
        Assert.Equal("a", error.TensorName);
        Assert.Contains("not an increasing pair", error.Message);
    }

    [Fact]
    public void A_header_that_is_not_json_is_reported()
    {
        var error = ReadBad("garbage.safetensors", HandBuilt("{\"a\": nope", Floats(1)));
        Assert.Contains("not valid JSON", error.Message);
    }

    [Fact]
    public void Missing_unexpected_and_misshaped_tensors_are_named()
    {
        var expected = new Dictionary<string, long[]> { ["a"] = [2, 3], ["b"] = [4], ["c"] = [1] };

        var missing = Assert.Throws<CheckpointFormatException>(() => StateDictLoader.Check(expected,
            new Dictionary<string, long[]> { ["a"] = [2, 3], ["c"] = [1], ["z"] = [1] }, "m.safetensors"));
        Assert.Equal("b", missing.TensorName);
        Assert.Contains("missing tensor(s): b", missing.Message);
        Assert.Contains("unexpected tensor(s): z", missing.Message);
        Assert.StartsWith("m.safetensors", missing.Message);

        var shape = Assert.Throws<CheckpointFormatException>(() => StateDictLoader.Check(expected,
            new Dictionary<string, long[]> { ["a"] = [3, 2], ["b"] = [4], ["c"] = [1] }, "m.safetensors"));
        Assert.Equal("a", shape.TensorName);
        Assert.Contains("shape [3, 2] where the model expects [2, 3]", shape.Message);

        StateDictLoader.Check(expected, new Dictionary<string, long[]> { ["a"] = [2, 3], ["b"] = [4], ["c"] = [1] }, "m.safetensors");
    }

    [Fact]
    public void Loading_copies_values_into_a_module_only_when_everything_matches()
    {
        using var scope = torch.NewDisposeScope();
        var layer = nn.Linear(3, 2);
        var weight = torch.arange(6, dtype: ScalarType.Float32).reshape(2, 3);
        var bias = torch.tensor(new float[] { -1, 1 });
        var before = layer.weight!.clone();

        Assert.Throws<CheckpointFormatException>(() =>
            StateDictLoader.Load(layer, new Dictionary<string, Tensor> { ["weight"] = weight }, "x.safetensors"));
        Assert.Equal(before.data<float>().ToArray(), layer.weight!.data<float>().ToArray());

        StateDictLoader.Load(layer, new Dictionary<string, Tensor> { ["weight"] = weight, ["bias"] = bias.to(ScalarType.Float16) }, "x.safetensors");
        Assert.Equal(new float[] { 0, 1, 2, 3, 4, 5 }, layer.weight!.data<float>().ToArray());
        Assert.Equal(new float[] { -1, 1 }, layer.bias!.data<float>().ToArray());
    }

    [Fact]
    public void A_failed_atomic_write_leaves_the_previous_file_intact_and_no_temporary_behind()
    {
        var path = PathOf("keep.safetensors");
        using var t = torch.ones(3);
        SafetensorsFile.Write(path, new Dictionary<string, Tensor> { ["t"] = t });
        var before = File.ReadAllBytes(path);

        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write(new byte[100]);
            throw new InvalidOperationException("disk full");
        }));

        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFiles(folder));
    }

    [Fact]
    public void A_tensor_named_twice_in_the_header_is_reported()
    {
        var error = ReadBad("twice.safetensors", HandBuilt(
            """{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", Floats(1, 2)));
        Assert.Equal("a", error.TensorName);
        Assert.Contains("appears twice", error.Message);
    }
}
