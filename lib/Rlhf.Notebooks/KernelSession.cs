using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace Rlhf.Notebooks;

/// <summary>
/// One notebook's kernel: the stock .NET Interactive kernel (the <c>dotnet-interactive</c> tool pinned in
/// <c>.config/dotnet-tools.json</c>, the engine VS Code's Polyglot Notebooks start) in its own process, driven over
/// its standard-I/O protocol as VS Code drives it: one <c>SubmitCode</c> command per cell, then the kernel's events
/// (console output, displays and their updates, the cell's value, diagnostics, success or failure) until the command ends.
/// </summary>
sealed class KernelSession : IAsyncDisposable
{
    /// <summary>How long the kernel may take to start (first start restores nothing: the tool is restored by the build).</summary>
    static readonly TimeSpan startTimeout = TimeSpan.FromMinutes(3);

    readonly Process process;
    readonly Channel<JsonObject> events = Channel.CreateUnbounded<JsonObject>();
    readonly StringBuilder standardError = new();
    readonly Task reading;
    int commands;

    KernelSession(Process process)
    {
        this.process = process;
        reading = Task.Run(ReadEventsAsync);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (standardError)
            {
                standardError.AppendLine(e.Data);
                if (standardError.Length > 20_000) standardError.Remove(0, standardError.Length - 20_000);
            }
        };
        process.BeginErrorReadLine();
    }

    /// <summary>The last lines the kernel process wrote to its standard error (for reports when it dies).</summary>
    public string StandardErrorTail
    {
        get { lock (standardError) return standardError.ToString().Trim(); }
    }

    /// <summary>Starts a kernel whose working directory is <paramref name="workingDirectory"/>, with
    /// <paramref name="environment"/> added to this process's environment, and waits until it is ready.</summary>
    /// <exception cref="KernelException">The tool is not restored or the kernel did not start.</exception>
    public static async Task<KernelSession> StartAsync(
        string workingDirectory, IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken)
    {
        var toolRoot = KernelTool.ManifestFolder(workingDirectory);
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = toolRoot,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardInputEncoding = new UTF8Encoding(false),
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "tool", "run", KernelTool.Command, "--", "stdio", "--working-dir", workingDirectory })
            start.ArgumentList.Add(argument);
        start.Environment["DOTNET_INTERACTIVE_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (name, value) in environment) start.Environment[name] = value;

        var process = Process.Start(start) ?? throw new KernelException("could not start 'dotnet tool run dotnet-interactive'");
        var session = new KernelSession(process);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(startTimeout);
        try
        {
            while (true)
            {
                var e = await session.NextEventAsync(timeout.Token);
                if (e is null)
                    throw new KernelException($"the kernel exited (code {await session.ExitCodeAsync()}) before it was ready. Run 'dotnet tool restore' in {toolRoot}; "
                        + $"the kernel said:\n{session.StandardErrorTail}");
                if ((string?)e["eventType"] == "KernelReady") return session;
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            await session.DisposeAsync();
            throw new KernelException($"the kernel did not become ready within {startTimeout.TotalSeconds:F0} s:\n{session.StandardErrorTail}");
        }
        catch
        {
            await session.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs <paramref name="code"/> in the kernel named <paramref name="kernelName"/> (<c>csharp</c>, …) and reports
    /// every event it causes to <paramref name="outputs"/>. Returns how the command ended.</summary>
    public async Task<SubmissionEnd> SubmitAsync(string code, string kernelName, CellOutputs outputs, int executionCount,
        TimeSpan timeout, CancellationToken cancellationToken)
    {
        var token = $"cell-{++commands}";
        var command = new JsonObject
        {
            ["commandType"] = "SubmitCode",
            ["command"] = new JsonObject { ["code"] = code, ["targetKernelName"] = kernelName },
            ["token"] = token,
        };
        try
        {
            await process.StandardInput.WriteLineAsync(command.ToJsonString().AsMemory(), cancellationToken);
            await process.StandardInput.FlushAsync(cancellationToken);
        }
        catch (IOException)
        {
            return new SubmissionEnd.KernelExited(await ExitCodeAsync(), StandardErrorTail); // it died after the previous cell
        }

        var diagnostics = new List<string>();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        while (true)
        {
            JsonObject? e;
            try
            {
                e = await NextEventAsync(deadline.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return new SubmissionEnd.TimedOut(timeout);
            }
            if (e is null) return new SubmissionEnd.KernelExited(await ExitCodeAsync(), StandardErrorTail);

            var eventToken = (string?)e["command"]?["token"];
            if (eventToken is null || !(eventToken == token || eventToken.StartsWith(token + ".", StringComparison.Ordinal))) continue;
            var body = e["event"] as JsonObject ?? [];
            switch ((string?)e["eventType"])
            {
                case "StandardOutputValueProduced":
                    outputs.Write("stdout", PlainText(body));
                    break;
                case "StandardErrorValueProduced":
                    outputs.Write("stderr", PlainText(body));
                    break;
                case "DisplayedValueProduced":
                    outputs.AddDisplay((string?)body["valueId"], MimeBundle(body));
                    break;
                case "DisplayedValueUpdated":
                    outputs.UpdateDisplay((string?)body["valueId"], MimeBundle(body));
                    break;
                case "ReturnValueProduced":
                    if (MimeBundle(body) is { Count: > 0 } value) outputs.AddResult(value, executionCount);
                    break;
                case "ErrorProduced":
                    outputs.Write("stderr", ((string?)body["message"] ?? PlainText(body)).TrimEnd() + "\n");
                    break;
                case "DiagnosticsProduced":
                    // From the structured diagnostics, whose positions the kernel maps to the cell's own lines (the formatted
                    // text counts from the first line of C#, after any #r or #! lines).
                    foreach (var d in body["diagnostics"]?.AsArray() ?? [])
                        if ((string?)d?["severity"] == "error")
                            diagnostics.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                                $"({(int?)d!["linePositionSpan"]?["start"]?["line"] + 1},{(int?)d["linePositionSpan"]?["start"]?["character"] + 1}): error {(string?)d["code"]}: {(string?)d["message"]}"));
                    break;
                case "CommandSucceeded" when eventToken == token:
                    return new SubmissionEnd.Succeeded();
                case "CommandFailed" when eventToken == token:
                    return new SubmissionEnd.Failed((string?)body["message"] ?? "(no message)", diagnostics);
            }
        }
    }

    /// <summary>The exit code, once the process has exited (waited for at most 10 s; -1 if it has not).</summary>
    async Task<int> ExitCodeAsync()
    {
        try
        {
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            return process.ExitCode;
        }
        catch (TimeoutException)
        {
            return -1;
        }
    }

    async Task<JsonObject?> NextEventAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await events.Reader.ReadAsync(cancellationToken);
        }
        catch (ChannelClosedException)
        {
            return null;
        }
    }

    /// <summary>Reads the kernel's standard output: one JSON event per line (the start-up banner is not JSON and is skipped).</summary>
    async Task ReadEventsAsync()
    {
        try
        {
            while (await process.StandardOutput.ReadLineAsync() is { } line)
            {
                if (!line.StartsWith('{')) continue;
                JsonObject? e;
                try
                {
                    e = JsonNode.Parse(line) as JsonObject;
                }
                catch (JsonException)
                {
                    continue; // a line of console text that happens to start with '{'
                }
                if (e is not null) await events.Writer.WriteAsync(e);
            }
        }
        finally
        {
            events.Writer.TryComplete();
        }
    }

    static string PlainText(JsonObject body) =>
        body["formattedValues"]?.AsArray().Select(v => (string?)v?["value"]).FirstOrDefault(v => v is not null) ?? "";

    /// <summary>The event's formatted values as an nbformat MIME bundle (values the kernel marks <c>suppressDisplay</c> left out).</summary>
    static Dictionary<string, string> MimeBundle(JsonObject body)
    {
        var bundle = new Dictionary<string, string>();
        foreach (var value in body["formattedValues"]?.AsArray() ?? [])
        {
            if (value is null || (bool?)value["suppressDisplay"] == true) continue;
            if ((string?)value["mimeType"] is { } mime) bundle[mime] = (string?)value["value"] ?? "";
        }
        return bundle;
    }

    /// <summary>Stops the kernel process and everything it started (the tool host, any process a cell started), then waits a
    /// bounded time for its output to close: a child holding the pipes open must not hang the run.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!process.HasExited)
            {
                try { process.StandardInput.Close(); }
                catch (IOException) { /* the kernel is already gone */ }
                if (!process.WaitForExit(2000)) process.Kill(entireProcessTree: true);
            }
            else
            {
                process.Kill(entireProcessTree: true); // children of an exited kernel may still run
            }
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException or System.ComponentModel.Win32Exception)
        {
            // already gone, or it would not die in time: nothing more can be done from here
        }
        try
        {
            await reading.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (TimeoutException)
        {
            // a grandchild still holds the output pipe open; the events that matter have been read
        }
        process.Dispose();
    }
}

/// <summary>How a submitted cell ended.</summary>
abstract record SubmissionEnd
{
    /// <summary>The kernel reported success.</summary>
    public sealed record Succeeded : SubmissionEnd;

    /// <summary>The kernel reported failure: a compile error (with its diagnostics) or an exception (message and stack trace).</summary>
    public sealed record Failed(string Message, IReadOnlyList<string> Diagnostics) : SubmissionEnd;

    /// <summary>The cell ran longer than allowed; the kernel was stopped.</summary>
    public sealed record TimedOut(TimeSpan Limit) : SubmissionEnd;

    /// <summary>The kernel process ended while the cell ran (<c>Environment.Exit</c>, a crash, a stack overflow).</summary>
    public sealed record KernelExited(int ExitCode, string StandardError) : SubmissionEnd;
}

/// <summary>The kernel could not be started.</summary>
public sealed class KernelException(string message) : Exception(message);
