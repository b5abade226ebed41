namespace Rlhf;

/// <summary>
/// How big a course run is: <b>full</b> (the sizes the notebooks and <c>rlhf</c> verbs document) or <b>smoke</b>
/// (the same code paths with tiny sizes: a few steps, a handful of samples) so CI can execute every notebook
/// in minutes. The notebook text is identical either way: library code asks <see cref="Pick{T}"/> for a size,
/// and the environment variable <c>RLHF_SMOKE</c> decides.
/// </summary>
/// <remarks>
/// <c>RLHF_SMOKE=1</c> (or <c>true</c>) selects smoke sizes; unset, empty, <c>0</c> or <c>false</c> selects full sizes;
/// anything else is an error. The notebook tests and <c>rlhf notebook run --smoke</c> set it. The variable is read
/// each time, so a process can switch between runs.
/// </remarks>
public static class CourseRun
{
    /// <summary>The environment variable that selects smoke sizes.</summary>
    public const string SmokeVariable = "RLHF_SMOKE";

    /// <summary>True when <c>RLHF_SMOKE</c> asks for a smoke run.</summary>
    /// <exception cref="InvalidOperationException">The variable holds something other than 1, 0, true, false or nothing.</exception>
    public static bool IsSmoke
    {
        get
        {
            var value = Environment.GetEnvironmentVariable(SmokeVariable)?.Trim() ?? "";
            if (value is "" || value == "0" || value.Equals("false", StringComparison.OrdinalIgnoreCase)) return false;
            if (value == "1" || value.Equals("true", StringComparison.OrdinalIgnoreCase)) return true;
            throw new InvalidOperationException($"{SmokeVariable}='{value}' is not understood: use 1 (smoke run, tiny sizes) or 0 (full run).");
        }
    }

    /// <summary>The size to use: <paramref name="full"/> in a full run, <paramref name="smoke"/> in a smoke run.</summary>
    /// <example><c>int steps = CourseRun.Pick(full: 2000, smoke: 20);</c></example>
    public static T Pick<T>(T full, T smoke) => IsSmoke ? smoke : full;
}
