namespace Rlhf.Notebooks;

/// <summary>Why a cell failed.</summary>
public enum CellFailureKind
{
    /// <summary>The cell's C# did not compile; <see cref="CellFailure.Details"/> lists the compiler's errors.</summary>
    CompileError,

    /// <summary>The cell compiled and threw an exception while running.</summary>
    Exception,

    /// <summary>A <c>#r</c>, <c>#i</c> or <c>#!</c> directive the runner cannot honour (an unknown package, another DLL, a magic command).</summary>
    Directive,

    /// <summary>The cell is for another Polyglot kernel (F#, PowerShell, …); the runner executes C# only.</summary>
    NotCSharp,
}

/// <summary>The first failing cell of a run: where it is and what went wrong.</summary>
/// <param name="CellNumber">1-based position in the notebook, counting markdown cells (as an editor shows it).</param>
/// <param name="FirstLine">The cell's first non-blank line, to recognise it.</param>
/// <param name="Kind">Compile error, exception, directive or other kernel.</param>
/// <param name="ErrorType">The exception's type name, or <c>CompilationError</c> / <c>DirectiveError</c>.</param>
/// <param name="Message">The exception message, or a one-line summary.</param>
/// <param name="Details">Compiler diagnostics (<c>(line,column): error CSxxxx: …</c>, cell-relative), or the stack trace lines.</param>
public sealed record CellFailure(int CellNumber, string FirstLine, CellFailureKind Kind, string ErrorType, string Message, IReadOnlyList<string> Details)
{
    /// <summary>The exception the cell threw, when <see cref="Kind"/> is <see cref="CellFailureKind.Exception"/>.</summary>
    public Exception? Exception { get; init; }

    /// <summary>A report a person can act on: notebook, cell number, the cell's first line, and the error.</summary>
    public string Describe(string notebookPath)
    {
        var what = Kind switch
        {
            CellFailureKind.CompileError => "compile error",
            CellFailureKind.Exception => "exception",
            CellFailureKind.Directive => "unsupported directive",
            _ => "not a C# cell",
        };
        var lines = new List<string> { $"{notebookPath}: cell {CellNumber} failed ({what}): {FirstLine}", $"  {ErrorType}: {Message}" };
        lines.AddRange(Details.SkipWhile(d => d == $"{ErrorType}: {Message}").Select(d => "    " + d));
        return string.Join(Environment.NewLine, lines);
    }
}

/// <summary>One executed code cell.</summary>
/// <param name="CellNumber">1-based position in the notebook, counting markdown cells.</param>
/// <param name="ExecutionCount">1 for the first code cell run, 2 for the next, … (the <c>execution_count</c> written).</param>
/// <param name="FirstLine">The cell's first non-blank line.</param>
/// <param name="Started">When the cell started (UTC).</param>
/// <param name="Finished">When the cell finished (UTC).</param>
/// <param name="Failure">Why the cell failed, or null when it succeeded.</param>
public sealed record CellRun(int CellNumber, int ExecutionCount, string FirstLine, DateTimeOffset Started, DateTimeOffset Finished, CellFailure? Failure)
{
    /// <summary>How long the cell ran.</summary>
    public TimeSpan Duration => Finished - Started;

    /// <summary>True when the cell ran without error.</summary>
    public bool Succeeded => Failure is null;
}

/// <summary>A code cell about to run (for progress reports).</summary>
/// <param name="CellNumber">1-based position in the notebook, counting markdown cells.</param>
/// <param name="CodeCellIndex">1-based position among the code cells.</param>
/// <param name="CodeCellCount">How many code cells the notebook has.</param>
/// <param name="FirstLine">The cell's first non-blank line.</param>
public sealed record CellStart(int CellNumber, int CodeCellIndex, int CodeCellCount, string FirstLine);

/// <summary>The outcome of running a notebook.</summary>
/// <param name="NotebookPath">The notebook that ran (full path).</param>
/// <param name="Cells">The code cells that ran, in order, up to and including the first failing one.</param>
/// <param name="Failure">The first failing cell, or null when every code cell succeeded.</param>
/// <param name="OutputPath">Where the executed notebook was written, or null when no output path was given.</param>
/// <param name="ExecutedNotebook">The executed notebook as nbformat 4 JSON (outputs, execution counts, timings).</param>
public sealed record NotebookRunResult(
    string NotebookPath, IReadOnlyList<CellRun> Cells, CellFailure? Failure, string? OutputPath, string ExecutedNotebook)
{
    /// <summary>True when every code cell ran without error.</summary>
    public bool Succeeded => Failure is null;

    /// <summary>Total time spent in cells.</summary>
    public TimeSpan Duration => Cells.Aggregate(TimeSpan.Zero, (sum, c) => sum + c.Duration);
}

/// <summary>How to run a notebook.</summary>
public sealed record NotebookRunOptions
{
    /// <summary>Where to write the executed notebook (folders are created). Default: nowhere (the result still carries it).
    /// Must differ from the notebook itself: notebooks are kept without outputs.</summary>
    public string? OutputPath { get; init; }

    /// <summary>Called before each code cell runs (outside the cell's console capture). Default: none.</summary>
    public Action<CellStart>? CellStarting { get; init; }

    /// <summary>Called after each code cell ran (outside the cell's console capture). Default: none.</summary>
    public Action<CellRun>? CellFinished { get; init; }
}
