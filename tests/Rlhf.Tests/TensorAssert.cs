using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Tests;

/// <summary>Tensor checks shared by the loss and trainer tests: values on the host, and element-wise closeness to hand-computed numbers.</summary>
public static class TensorAssert
{
    /// <summary>The tensor's elements as float32 on the host, in row-major order.</summary>
    public static float[] Values(Tensor t) => t.detach().cpu().to(ScalarType.Float32).data<float>().ToArray();

    /// <summary>Asserts that <paramref name="actual"/> has exactly the elements of <paramref name="expected"/>, each within <paramref name="tolerance"/>.</summary>
    public static void Near(double[] expected, Tensor actual, double tolerance = 1e-5)
    {
        var values = Values(actual);
        Assert.Equal(expected.Length, values.Length);
        Assert.All(expected.Zip(values), p => Assert.True(Math.Abs(p.First - p.Second) < tolerance, $"expected {p.First}, got {p.Second}"));
    }
}
