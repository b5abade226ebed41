using System.Reflection;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.Scripting;

namespace Rlhf.Notebooks;

/// <summary>
/// One notebook's C# session, like a .NET Interactive C# kernel: each cell is a Roslyn script submission that
/// continues the previous one (variables, types and usings carry over), with the kernel's default imports,
/// top-level <c>await</c>, and <see cref="NotebookGlobals"/> (<c>display</c>, <c>HTML</c>) in scope.
/// </summary>
sealed class CSharpSession(string notebookPath)
{
    /// <summary>The namespaces the .NET Interactive C# kernel imports into every cell.</summary>
    public static readonly IReadOnlyList<string> DefaultImports =
        ["System", "System.Text", "System.Collections", "System.Collections.Generic", "System.Threading.Tasks", "System.Linq"];

    /// <summary>The whole shared framework, as a kernel process sees it, plus the globals' assembly.</summary>
    static readonly Lazy<IReadOnlyList<MetadataReference>> baseReferences = new(() =>
        [.. ProvidedReferences.FrameworkAssemblyPaths().Select(p => MetadataReference.CreateFromFile(p)),
         MetadataReference.CreateFromFile(typeof(NotebookGlobals).Assembly.Location)]);

    readonly string notebookFolder = Path.GetDirectoryName(notebookPath)!;
    readonly string notebookName = Path.GetFileName(notebookPath);
    readonly NotebookGlobals globals = new();
    readonly HashSet<Assembly> referenced = [];
    ScriptOptions options = ScriptOptions.Default
        .WithReferences(baseReferences.Value)
        .WithImports(DefaultImports)
        .WithLanguageVersion(LanguageVersion.Latest)
        .WithEmitDebugInformation(true) // stack traces name the cell and line: "in 00-setup.ipynb cell 4:line 2"
        .WithFileEncoding(Encoding.UTF8);
    ScriptState<object>? state;
    int executionCount;

    /// <summary>Runs one code cell; its outputs go to <paramref name="outputs"/>. Never throws for the cell's own errors.</summary>
    public async Task<CellRun> ExecuteAsync(NotebookCell cell, CellOutputs outputs, CancellationToken cancellationToken)
    {
        var started = DateTimeOffset.UtcNow;
        int count = ++executionCount;
        CellFailure? failure;
        if (cell.KernelName is { } kernel && !kernel.Equals("csharp", StringComparison.OrdinalIgnoreCase))
        {
            failure = new CellFailure(cell.Number, cell.FirstLine, CellFailureKind.NotCSharp, "UnsupportedKernel",
                $"the cell is for the '{kernel}' kernel; the runner executes C# cells only", []);
            outputs.AddError(failure.ErrorType, failure.Message, [failure.Message]);
        }
        else
        {
            try
            {
                var source = CellSource.Parse(cell.Source);
                AddReferences(source.References);
                failure = await RunAsync(cell, source.Code, outputs, count, cancellationToken);
            }
            catch (DirectiveException e)
            {
                failure = new CellFailure(cell.Number, cell.FirstLine, CellFailureKind.Directive, "DirectiveError", e.Message, []);
                outputs.AddError(failure.ErrorType, e.Message, [e.Message]);
            }
        }
        return new CellRun(cell.Number, count, cell.FirstLine, started, DateTimeOffset.UtcNow, failure);
    }

    void AddReferences(IReadOnlyList<ReferenceDirective> directives)
    {
        var added = directives
            .SelectMany(d => ProvidedReferences.Resolve(d, notebookFolder)) // all resolved before any is added: a bad #r changes nothing
            .ToList()
            .Where(referenced.Add)
            .ToList();
        if (added.Count > 0) options = options.AddReferences(added);
    }

    async Task<CellFailure?> RunAsync(NotebookCell cell, string code, CellOutputs outputs, int count, CancellationToken cancellationToken)
    {
        var cellOptions = options.WithFilePath($"{notebookName} cell {cell.Number}");
        globals.Outputs = outputs;
        var (savedOut, savedError) = (Console.Out, Console.Error);
        Console.SetOut(new CapturingWriter(outputs, "stdout"));
        Console.SetError(new CapturingWriter(outputs, "stderr"));
        ScriptState<object> next;
        try
        {
            next = state is null
                ? await CSharpScript.Create<object>(code, cellOptions, typeof(NotebookGlobals)).RunAsync(globals, _ => true, cancellationToken)
                : await state.ContinueWithAsync<object>(code, cellOptions, _ => true, cancellationToken);
        }
        catch (CompilationErrorException e)
        {
            var errors = e.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(Describe).ToList();
            var summary = $"the cell does not compile ({errors.Count} error{(errors.Count == 1 ? "" : "s")})";
            outputs.AddError("CompilationError", summary, errors);
            return new CellFailure(cell.Number, cell.FirstLine, CellFailureKind.CompileError, "CompilationError", summary, errors);
        }
        finally
        {
            Console.SetOut(savedOut);
            Console.SetError(savedError);
        }

        state = next;
        var exception = next.Exception;
        if (exception is null)
        {
            try
            {
                if (next.ReturnValue is { } value) outputs.AddResult(DisplayFormatter.Format(value), count);
                return null;
            }
            catch (Exception e)
            {
                exception = e; // the cell's value could not be displayed: that fails the cell too
            }
        }
        var trace = Traceback(exception);
        outputs.AddError(exception.GetType().FullName ?? exception.GetType().Name, exception.Message, trace);
        return new CellFailure(cell.Number, cell.FirstLine, CellFailureKind.Exception, exception.GetType().FullName ?? exception.GetType().Name,
            exception.Message, trace) { Exception = exception };
    }

    /// <summary>A compiler error with cell-relative position: <c>(3,14): error CS0103: The name 'x' does not exist…</c>.</summary>
    static string Describe(Diagnostic diagnostic)
    {
        var position = diagnostic.Location.GetLineSpan().StartLinePosition;
        return $"({position.Line + 1},{position.Character + 1}): error {diagnostic.Id}: {diagnostic.GetMessage()}";
    }

    /// <summary>The exception as text without the runner's and Roslyn's own frames, which say nothing about the cell.</summary>
    static IReadOnlyList<string> Traceback(Exception exception)
    {
        var lines = exception.ToString().Split('\n')
            .Select(l => l.TrimEnd('\r'))
            .Where(l => !l.TrimStart().StartsWith("at Microsoft.CodeAnalysis.Scripting.") && !l.TrimStart().StartsWith("at Rlhf.Notebooks."))
            .ToList();
        while (lines.Count > 1 && lines[^1].StartsWith("--- End of")) lines.RemoveAt(lines.Count - 1);
        return lines;
    }
}
