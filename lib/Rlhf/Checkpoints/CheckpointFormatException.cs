namespace Rlhf.Checkpoints;

/// <summary>
/// A checkpoint file or folder that cannot be read as promised: a missing or unexpected tensor, a wrong
/// shape, an unknown dtype, a truncated file, or a header whose offsets lie. The message always names the
/// file, and the tensor when one is at fault.
/// </summary>
public sealed class CheckpointFormatException : Exception
{
    /// <summary>Creates the exception; the message is prefixed with the file (and tensor, when given).</summary>
    /// <param name="filePath">The file (or folder) that is at fault.</param>
    /// <param name="tensorName">The tensor that is at fault, or null when the problem is not one tensor's.</param>
    /// <param name="problem">What is wrong, in words.</param>
    /// <param name="inner">The underlying error, if any.</param>
    public CheckpointFormatException(string filePath, string? tensorName, string problem, Exception? inner = null)
        : base(tensorName is null ? $"{filePath}: {problem}" : $"{filePath}: tensor '{tensorName}': {problem}", inner)
    {
        FilePath = filePath;
        TensorName = tensorName;
    }

    /// <summary>The file (or folder) that is at fault.</summary>
    public string FilePath { get; }

    /// <summary>The tensor that is at fault, or null when the problem is not one tensor's.</summary>
    public string? TensorName { get; }
}
