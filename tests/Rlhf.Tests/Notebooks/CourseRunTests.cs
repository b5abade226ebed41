namespace Rlhf.Tests.Notebooks;

/// <summary>The smoke-size setting: one variable, read each time, strict about its values.</summary>
[Collection(NotebookRuns.Name)]
public sealed class CourseRunTests
{
    static T With<T>(string? value, Func<T> read)
    {
        var saved = Environment.GetEnvironmentVariable(CourseRun.SmokeVariable);
        Environment.SetEnvironmentVariable(CourseRun.SmokeVariable, value);
        try
        {
            return read();
        }
        finally
        {
            Environment.SetEnvironmentVariable(CourseRun.SmokeVariable, saved);
        }
    }

    [Theory]
    [InlineData(null, 2000)]
    [InlineData("", 2000)]
    [InlineData("0", 2000)]
    [InlineData("false", 2000)]
    [InlineData("1", 20)]
    [InlineData("true", 20)]
    [InlineData(" TRUE ", 20)]
    public void Pick_chooses_the_smoke_size_only_when_asked(string? value, int expected)
    {
        Assert.Equal(expected, With(value, () => CourseRun.Pick(full: 2000, smoke: 20)));
    }

    [Fact]
    public void An_unknown_value_is_an_error_naming_the_variable()
    {
        var error = Assert.Throws<InvalidOperationException>(() => With("yes", () => CourseRun.IsSmoke));
        Assert.Contains("RLHF_SMOKE='yes'", error.Message);
    }
}
