using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Checkpoints;

/// <summary>
/// Copies named tensors into a module's parameters and buffers after checking that the names and shapes
/// match exactly: every tensor the module expects must be there with its shape, and nothing may be left over.
/// Nothing is copied unless everything matches.
/// </summary>
public static class StateDictLoader
{
    /// <summary>
    /// Checks <paramref name="tensors"/> against <paramref name="module"/>'s <c>state_dict()</c>, then copies each
    /// one in (converting element type and device as needed, without recording gradients).
    /// </summary>
    /// <param name="module">The model to fill.</param>
    /// <param name="tensors">Name to tensor, with the module's own state-dict names.</param>
    /// <param name="sourceFile">The file the tensors came from, for error messages.</param>
    /// <exception cref="CheckpointFormatException">A tensor is missing, unexpected, or has the wrong shape.</exception>
    public static void Load(nn.Module module, IReadOnlyDictionary<string, Tensor> tensors, string sourceFile)
    {
        var expected = module.state_dict();
        Check(expected.ToDictionary(p => p.Key, p => p.Value.shape), tensors.ToDictionary(p => p.Key, p => p.Value.shape), sourceFile);
        // A non-finite weight (a diverged run's checkpoint) would only show later, as "!!!!" text or a NaN loss: refuse it here.
        using (torch.NewDisposeScope())
            foreach (var (name, tensor) in tensors.OrderBy(p => p.Key, StringComparer.Ordinal))
                if (tensor.is_floating_point() && !tensor.isfinite().all().item<bool>())
                    throw new CheckpointFormatException(sourceFile, name,
                        $"holds {tensor.isfinite().logical_not().sum().item<long>()} NaN or infinite value(s): the checkpoint comes from a run that diverged");
        using var noGrad = torch.no_grad();
        foreach (var (name, target) in expected)
            target.copy_(tensors[name]);
    }

    /// <summary>
    /// Compares expected names and shapes with the ones found. Throws one error that lists every missing and
    /// every unexpected tensor (or the first wrong shape), naming <paramref name="sourceFile"/>.
    /// </summary>
    public static void Check(IReadOnlyDictionary<string, long[]> expected, IReadOnlyDictionary<string, long[]> found, string sourceFile)
    {
        var missing = expected.Keys.Where(name => !found.ContainsKey(name)).Order(StringComparer.Ordinal).ToList();
        var unexpected = found.Keys.Where(name => !expected.ContainsKey(name)).Order(StringComparer.Ordinal).ToList();
        if (missing.Count > 0 || unexpected.Count > 0)
        {
            var parts = new List<string>();
            if (missing.Count > 0) parts.Add($"{missing.Count} missing tensor(s): {List(missing)}");
            if (unexpected.Count > 0) parts.Add($"{unexpected.Count} unexpected tensor(s): {List(unexpected)}");
            throw new CheckpointFormatException(sourceFile, missing.Count > 0 ? missing[0] : unexpected[0], string.Join("; ", parts));
        }
        foreach (var (name, shape) in expected.OrderBy(p => p.Key, StringComparer.Ordinal))
            if (!shape.SequenceEqual(found[name]))
                throw new CheckpointFormatException(sourceFile, name,
                    $"shape [{string.Join(", ", found[name])}] where the model expects [{string.Join(", ", shape)}]");
    }

    // Names the first few of a long list: a GPT-2 checkpoint has 148 tensors, and a message should stay readable.
    static string List(List<string> names, int shown = 12) =>
        names.Count <= shown ? string.Join(", ", names) : $"{string.Join(", ", names.Take(shown))} and {names.Count - shown} more";
}
