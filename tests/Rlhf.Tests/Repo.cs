using System.Diagnostics;

namespace Rlhf.Tests;

/// <summary>Paths inside the repository and a way to run the built CLI, for tests that check the project as a newcomer sees it.</summary>
static class Repo
{
    public static string Root { get; } = FindRoot();

    /// <summary>The configuration this test assembly was built in (Debug or Release), read from its output path.</summary>
    public static string Configuration { get; } =
        AppContext.BaseDirectory.Split(System.IO.Path.DirectorySeparatorChar).Reverse().Skip(2).First();

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    public static string CliDll => Path("lib", "Rlhf.Cli", "bin", Configuration, "net10.0", "Rlhf.Cli.dll");

    /// <summary>Runs <c>dotnet Rlhf.Cli.dll args</c> and returns exit code and combined output.</summary>
    public static (int ExitCode, string Output) RunCli(IDictionary<string, string>? environment, params string[] args)
    {
        Assert.True(File.Exists(CliDll), $"the CLI is not built at {CliDll}");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Root };
        start.ArgumentList.Add(CliDll);
        foreach (var a in args) start.ArgumentList.Add(a);
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) start.Environment[k] = v;
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout + stderr.Result);
    }

    static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "RlhfNotebooks.sln"))) return dir.FullName;
        throw new InvalidOperationException($"RlhfNotebooks.sln not found above {AppContext.BaseDirectory}");
    }
}
