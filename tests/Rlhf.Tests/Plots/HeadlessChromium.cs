using System.Diagnostics;

namespace Rlhf.Tests.Plots;

/// <summary>
/// Debian's <c>chromium</c> run headless to load a local page and print the DOM after its scripts ran.
/// Install it with <c>apt-get install chromium</c> (<c>.ci/run</c> does so in CI).
/// </summary>
static class HeadlessChromium
{
    /// <summary>Set to 1 (as <c>.ci/run</c> does) to make a missing Chromium a test failure instead of a skip.</summary>
    public const string RequireVariable = "RLHF_REQUIRE_CHROMIUM";

    /// <summary>The browser's path: /usr/bin/chromium, else chromium or chromium-browser on PATH; null when absent.</summary>
    public static string? Path { get; } = Find();

    public static bool Required => Environment.GetEnvironmentVariable(RequireVariable) == "1";

    public static string MissingReason =>
        "Chromium is not installed (looked for /usr/bin/chromium, then chromium and chromium-browser on PATH); " +
        "install it with `sudo apt-get install chromium` to run the chart rendering test";

    static string? Find()
    {
        if (File.Exists("/usr/bin/chromium")) return "/usr/bin/chromium";
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var name in new[] { "chromium", "chromium-browser" })
            foreach (var dir in path.Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
                if (File.Exists(System.IO.Path.Combine(dir, name))) return System.IO.Path.Combine(dir, name);
        return null;
    }

    /// <summary>Loads <paramref name="htmlFile"/> with networking features off and returns the serialised DOM after its scripts ran.</summary>
    public static string DumpDom(string htmlFile)
    {
        Assert.True(Path is not null, MissingReason);
        var profile = Directory.CreateTempSubdirectory("rlhf-chromium-profile-");
        try
        {
            var start = new ProcessStartInfo(Path) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in new[]
            {
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                $"--user-data-dir={profile.FullName}",
                "--run-all-compositor-stages-before-draw", "--virtual-time-budget=5000",
                "--dump-dom", new Uri(htmlFile).AbsoluteUri,
            })
                start.ArgumentList.Add(argument);
            using var process = Process.Start(start)!;
            var stderr = process.StandardError.ReadToEndAsync();
            var dom = process.StandardOutput.ReadToEndAsync();
            // A hang guard, not a timing assertion: a healthy run takes seconds.
            if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail($"{Path} did not finish within 3 minutes; stderr so far:\n{Tail(stderr)}");
            }
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, $"{Path} exited with {process.ExitCode}:\n{Tail(stderr)}");
            return dom.Result;
        }
        finally
        {
            try { profile.Delete(recursive: true); } catch (IOException) { /* the browser may still hold a lock file; the temp folder is cleaned by the OS */ }
        }
    }

    static string Tail(Task<string> text) => text.IsCompletedSuccessfully ? text.Result[Math.Max(0, text.Result.Length - 4000)..] : "(not available)";
}

/// <summary>
/// A fact that needs Chromium: reported as skipped, with the reason, where Chromium is absent — unless
/// <see cref="HeadlessChromium.RequireVariable"/> is 1, then it runs and fails (CI must really render).
/// </summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public ChromiumFactAttribute()
    {
        if (HeadlessChromium.Path is null && !HeadlessChromium.Required) Skip = HeadlessChromium.MissingReason;
    }
}
