namespace Rlhf.Notebooks;

/// <summary>Why a cell failed.</summary>
public enum CellFailureKind
{
    /// <summary>The cell's C# did not compile; <see cref="CellFailure.Details"/> lists the compiler's errors.</summary>
    CompileError,

    /// <summary>The cell compiled and threw an exception while running.</summary>
    Exception,

    /// <summary>The cell ran longer than the run's per-cell time limit; the kernel was stopped.</summary>
    Timeout,

    /// <summary>The kernel process ended while the cell ran (<c>Environment.Exit</c>, a crash, a stack overflow).</summary>
    KernelExited,
}

/// <summary>The first failing cell of a run: where it is and what went wrong.</summary>
/// <param name="CellNumber">1-based position in the notebook, counting markdown cells (as an editor shows it).</param>
/// <param name="FirstLine">The cell's first non-blank line, to recognise it.</param>
/// <param name="Kind">Compile error, exception, time limit, or the kernel gone.</param>
/// <param name="ErrorType">The exception's type name, or <c>CompilationError</c> / <c>CellTimeout</c> / <c>KernelExited</c>.</param>
/// <param name="Message">The exception message, or a one-line summary.</param>
/// <param name="Details">Compiler diagnostics (<c>(line,column): error CSxxxx: …</c>, cell-relative), or the stack trace lines.</param>
public sealed record CellFailure(int CellNumber, string FirstLine, CellFailureKind Kind, string ErrorType, string Message, IReadOnlyList<string> Details)
{
    /// <summary>A report a person can act on: notebook, cell number, the cell's first line, and the error.</summary>
    public string Describe(string notebookPath)
    {
        var what = Kind switch
        {
            CellFailureKind.CompileError => "compile error",
            CellFailureKind.Exception => "exception",
            CellFailureKind.Timeout => "time limit",
            _ => "kernel exited",
        };
        var lines = new List<string> { $"{notebookPath}: cell {CellNumber} failed ({what}): {FirstLine}", $"  {ErrorType}: {Message}" };
        lines.AddRange(Details.SkipWhile(d => d == $"{ErrorType}: {Message}").Select(d => "    " + d));
        return string.Join(Environment.NewLine, lines);
    }
}
