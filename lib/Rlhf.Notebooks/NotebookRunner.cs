using System.Text.Json.Nodes;

namespace Rlhf.Notebooks;

/// <summary>
/// Executes a Polyglot notebook headless in the stock .NET Interactive kernel (<see cref="KernelSession"/>), as VS Code
/// runs it: one kernel process per notebook with the notebook's folder as working directory, code cells in order, each
/// cell's console output, displays, value and error recorded as nbformat outputs, and a stop at the first failing cell
/// (or one that runs past <see cref="NotebookRunOptions.CellTimeout"/>, or whose kernel dies). The executed notebook is
/// written after every cell, so a run that is stopped keeps what its finished cells showed.
/// </summary>
/// <remarks>Nothing here writes to the console: progress goes to <see cref="NotebookRunOptions.CellStarting"/> and
/// <see cref="NotebookRunOptions.CellFinished"/>.</remarks>
public static class NotebookRunner
{
    /// <summary>Runs every code cell of the notebook at <paramref name="notebookPath"/> and returns what happened;
    /// the executed notebook is in the result and, when <see cref="NotebookRunOptions.OutputPath"/> is set, in that file
    /// (written even when a cell fails, with the error as the failing cell's output).</summary>
    /// <exception cref="NotebookFormatException">The file cannot be read or is not an nbformat 4 notebook.</exception>
    /// <exception cref="KernelException">The kernel could not be started.</exception>
    /// <exception cref="ArgumentException">The output path is the notebook itself.</exception>
    public static async Task<NotebookRunResult> RunAsync(string notebookPath, NotebookRunOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new NotebookRunOptions();
        var fullPath = Path.GetFullPath(notebookPath);
        var outputPath = options.OutputPath is null ? null : Path.GetFullPath(options.OutputPath);
        if (outputPath is not null && string.Equals(outputPath, fullPath, StringComparison.Ordinal))
            throw new ArgumentException($"The output path {outputPath} is the notebook itself; notebooks are kept without outputs. Choose another file.", nameof(options));
        if (!File.Exists(fullPath)) throw new NotebookFormatException($"{notebookPath}: no such notebook");
        var document = NotebookDocument.Load(fullPath);
        var codeCells = document.Cells.Where(c => c.IsCode).ToList();
        foreach (var cell in codeCells) ClearOutputs(cell);
        if (outputPath is not null) Directory.CreateDirectory(Path.GetDirectoryName(outputPath)!);

        var runs = new List<CellRun>();
        CellFailure? failure = null;
        await using (var kernel = await KernelSession.StartAsync(Path.GetDirectoryName(fullPath)!, options.Environment, cancellationToken))
        {
            for (int i = 0; i < codeCells.Count && failure is null; i++)
            {
                var cell = codeCells[i];
                options.CellStarting?.Invoke(new CellStart(cell.Number, i + 1, codeCells.Count, cell.FirstLine));
                var started = DateTimeOffset.UtcNow;
                var outputs = new CellOutputs();
                var end = await kernel.SubmitAsync(cell.Source, cell.KernelName ?? "csharp", outputs, i + 1, options.CellTimeout, cancellationToken);
                failure = Failure(cell, end);
                if (failure is not null && !outputs.HasError)
                    outputs.AddError(failure.ErrorType, failure.Message, [.. failure.Details.DefaultIfEmpty(failure.Message)]);
                var run = new CellRun(cell.Number, i + 1, cell.FirstLine, started, DateTimeOffset.UtcNow, failure);
                Record(cell, run, outputs);
                runs.Add(run);
                if (outputPath is not null) Checkpoints.AtomicFile.WriteText(outputPath, document.ToJson()); // never half-written
                options.CellFinished?.Invoke(run);
            }
        }
        return new NotebookRunResult(fullPath, runs, failure, outputPath, document.ToJson());
    }

    /// <summary>Why the cell failed, from how its command ended; null when it succeeded.</summary>
    static CellFailure? Failure(NotebookCell cell, SubmissionEnd end) => end switch
    {
        SubmissionEnd.Succeeded => null,
        SubmissionEnd.Failed { Diagnostics.Count: > 0 } compile => new CellFailure(cell.Number, cell.FirstLine, CellFailureKind.CompileError,
            "CompilationError", compile.Diagnostics.Count == 1 ? compile.Diagnostics[0] : $"{compile.Diagnostics.Count} compile errors", compile.Diagnostics),
        SubmissionEnd.Failed thrown => ExceptionFailure(cell, thrown.Message),
        SubmissionEnd.TimedOut timedOut => new CellFailure(cell.Number, cell.FirstLine, CellFailureKind.Timeout, "CellTimeout",
            $"the cell ran longer than {timedOut.Limit.TotalSeconds:F0} s and the kernel was stopped", []),
        SubmissionEnd.KernelExited exited => new CellFailure(cell.Number, cell.FirstLine, CellFailureKind.KernelExited, "KernelExited",
            $"the kernel process exited with code {exited.ExitCode} while the cell ran", [.. exited.StandardError.Split('\n').Select(l => l.TrimEnd()).Where(l => l.Length > 0).TakeLast(20)]),
        _ => throw new InvalidOperationException($"unknown end {end}"),
    };

    /// <summary>The kernel reports an exception as its <c>ToString()</c>: "Type: message", then the stack trace.</summary>
    static CellFailure ExceptionFailure(NotebookCell cell, string report)
    {
        var lines = report.Replace("\r\n", "\n").Split('\n');
        var stackStart = Array.FindIndex(lines, l => l.TrimStart().StartsWith("at ", StringComparison.Ordinal));
        var header = string.Join("\n", stackStart < 0 ? lines : lines[..stackStart]).Trim();
        var colon = header.IndexOf(": ", StringComparison.Ordinal);
        var type = colon > 0 && !header[..colon].Contains(' ') ? header[..colon] : "Exception";
        var message = colon > 0 && type != "Exception" ? header[(colon + 2)..] : header;
        return new CellFailure(cell.Number, cell.FirstLine, CellFailureKind.Exception, type, message,
            [.. lines.Select(l => l.Trim()).Where(l => l.Length > 0)]);
    }

    static void ClearOutputs(NotebookCell cell)
    {
        cell.Json["outputs"] = new JsonArray();
        cell.Json["execution_count"] = null;
        NotebookDocument.ObjectAt(cell.Json, "metadata").Remove("execution");
    }

    /// <summary>Writes the cell's outputs, execution count and timings (nbclient's <c>metadata.execution</c> keys,
    /// as papermill and JupyterLab record them) into the notebook.</summary>
    static void Record(NotebookCell cell, CellRun run, CellOutputs outputs)
    {
        cell.Json["execution_count"] = run.ExecutionCount;
        cell.Json["outputs"] = outputs.ToJson();
        NotebookDocument.ObjectAt(cell.Json, "metadata")["execution"] = new JsonObject
        {
            ["iopub.status.busy"] = Timestamp(run.Started),
            ["iopub.execute_input"] = Timestamp(run.Started),
            ["shell.execute_reply"] = Timestamp(run.Finished),
            ["iopub.status.idle"] = Timestamp(run.Finished),
        };
    }

    static string Timestamp(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'");
}
