using System.Text.Json.Nodes;

namespace Rlhf.Notebooks;

/// <summary>
/// Executes a Polyglot notebook headless, the way the .NET Interactive C# kernel would in VS Code: code cells in
/// order in one C# session (see <see cref="CSharpSession"/>), with the working directory set to the notebook's
/// folder, console output and displays captured as cell outputs, and a stop at the first failing cell.
/// </summary>
/// <remarks>
/// The working directory and <see cref="Console.Out"/> belong to the whole process, so runs in one process
/// take turns (a second call waits for the first to finish). Nothing here writes to the console: progress
/// goes to <see cref="NotebookRunOptions.CellStarting"/> and <see cref="NotebookRunOptions.CellFinished"/>.
/// </remarks>
public static class NotebookRunner
{
    static readonly SemaphoreSlim oneAtATime = new(1, 1);

    /// <summary>Runs every code cell of the notebook at <paramref name="notebookPath"/> and returns what happened;
    /// the executed notebook is in the result and, when <see cref="NotebookRunOptions.OutputPath"/> is set, in that file
    /// (written even when a cell fails, with the error as the failing cell's output).</summary>
    /// <exception cref="NotebookFormatException">The file cannot be read or is not an nbformat 4 notebook.</exception>
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
        var runs = new List<(NotebookCell Cell, CellRun Run, CellOutputs Outputs)>();
        CellFailure? failure = null;

        await oneAtATime.WaitAsync(cancellationToken);
        var savedDirectory = Environment.CurrentDirectory;
        try
        {
            Environment.CurrentDirectory = Path.GetDirectoryName(fullPath)!;
            var session = new CSharpSession(fullPath);
            for (int i = 0; i < codeCells.Count && failure is null; i++)
            {
                var cell = codeCells[i];
                options.CellStarting?.Invoke(new CellStart(cell.Number, i + 1, codeCells.Count, cell.FirstLine));
                var outputs = new CellOutputs();
                var run = await session.ExecuteAsync(cell, outputs, cancellationToken);
                runs.Add((cell, run, outputs));
                failure = run.Failure;
                options.CellFinished?.Invoke(run);
            }
        }
        finally
        {
            Environment.CurrentDirectory = savedDirectory;
            oneAtATime.Release();
        }

        // Recorded at the end, so a display updated after its cell finished (by a background task) shows its last content.
        foreach (var (cell, run, outputs) in runs) Record(cell, run, outputs);
        var json = document.ToJson();
        if (outputPath is not null)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(outputPath)!);
            await File.WriteAllTextAsync(outputPath, json, cancellationToken);
        }
        return new NotebookRunResult(fullPath, [.. runs.Select(r => r.Run)], failure, outputPath, json);
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
