using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Rlhf.Notebooks;

/// <summary>
/// The rules every course notebook keeps, so that it opens in VS Code (Polyglot Notebooks), runs in the headless
/// runner, and reads well:
/// <list type="number">
/// <item>named <c>NN-title.ipynb</c> (two digits, lower-case words joined by '-');</item>
/// <item>Polyglot format: nbformat 4, <c>kernelspec.name</c> <c>.net-csharp</c>,
/// <c>metadata.polyglot_notebook.kernelInfo.defaultKernelName</c> <c>csharp</c>, and every code cell's
/// <c>metadata.polyglot_notebook.kernelName</c> and <c>metadata.dotnet_interactive.language</c> <c>csharp</c>;</item>
/// <item>saved without outputs (empty <c>outputs</c>, <c>execution_count</c> null);</item>
/// <item>only plain C# in cells: no <c>namespace</c>, no extension methods or extension blocks (the kernel nests
/// every cell inside a script class, where they do not compile); real code lives in <c>lib/</c>;</item>
/// <item>a markdown cell right before every code cell, saying why the code is there;</item>
/// <item>the first code cell starts with <see cref="LibraryLoadingLines"/>, the one way the course loads the library;</item>
/// <item>every other code cell has at most <see cref="MaxCodeLines"/> non-blank lines (one idea per cell) and no line over
/// <see cref="MaxLineLength"/> characters (longer ones are cut off in the HTML pages);</item>
/// <item>it opens with a markdown title (<c># …</c>) that says "What you will learn", has an "Exercises" section,
/// and ends with a markdown cell linking to another notebook (<c>[Next: …](NN-title.ipynb)</c>).</item>
/// </list>
/// </summary>
public static class NotebookConventions
{
    static readonly Regex fileName = new(@"^\d\d-[a-z0-9]+(-[a-z0-9]+)*\.ipynb$", RegexOptions.CultureInvariant);
    static readonly Regex notebookLink = new(@"\]\(\d\d-[a-z0-9]+(-[a-z0-9]+)*\.ipynb\)", RegexOptions.CultureInvariant);
    static readonly Regex exercisesHeading = new(@"^#+\s*Exercises?\b", RegexOptions.CultureInvariant | RegexOptions.Multiline | RegexOptions.IgnoreCase);

    /// <summary>The lines every notebook's first code cell starts with: the NuGet packages the library is built
    /// against (ids and versions from <c>Directory.Packages.props</c>), then the library and its kernel side
    /// (<c>Rlhf.Interactive</c>: live displays) as <c>dotnet build</c> leaves them. The kernel resolves them.</summary>
    public static IReadOnlyList<string> LibraryLoadingLines { get; } =
    [
        .. new[] { "TorchSharp-cpu", "Microsoft.ML.Tokenizers" }.Select(id => $"#r \"nuget: {id}, {PackageVersions.Of(id)}\""),
        "#r \"../lib/Rlhf/bin/Debug/net10.0/Rlhf.dll\"",
        "#r \"../lib/Rlhf.Interactive/bin/Debug/net10.0/Rlhf.Interactive.dll\"",
    ];

    /// <summary>Every way the notebook at <paramref name="notebookPath"/> breaks the conventions, one line each
    /// (naming the file and the cell); empty when it keeps them all.</summary>
    public static IReadOnlyList<string> Check(string notebookPath)
    {
        var name = Path.GetFileName(notebookPath);
        var problems = new List<string>();
        void Problem(string text) => problems.Add($"{name}: {text}");

        NotebookDocument document;
        try
        {
            document = NotebookDocument.Load(notebookPath);
        }
        catch (NotebookFormatException e)
        {
            return [e.Message];
        }

        if (!fileName.IsMatch(name)) Problem("the file name must be NN-title.ipynb (two digits, then lower-case words joined by '-')");
        var metadata = document.Metadata;
        if (NotebookDocument.StringAt(metadata["kernelspec"]?["name"]) != ".net-csharp")
            Problem("metadata.kernelspec.name must be \".net-csharp\"");
        if (NotebookDocument.StringAt(metadata["polyglot_notebook"]?["kernelInfo"]?["defaultKernelName"]) != "csharp")
            Problem("metadata.polyglot_notebook.kernelInfo.defaultKernelName must be \"csharp\"");

        NotebookCell? previous = null;
        bool firstCode = true;
        foreach (var cell in document.Cells)
        {
            if (cell.IsCode)
            {
                void CellProblem(string text) => Problem($"cell {cell.Number}: {text}");
                if (NotebookDocument.StringAt(cell.Json["metadata"]?["polyglot_notebook"]?["kernelName"]) != "csharp")
                    CellProblem("metadata.polyglot_notebook.kernelName must be \"csharp\"");
                if (NotebookDocument.StringAt(cell.Json["metadata"]?["dotnet_interactive"]?["language"]) != "csharp")
                    CellProblem("metadata.dotnet_interactive.language must be \"csharp\"");
                if (cell.Json["outputs"] is not JsonArray { Count: 0 } || cell.Json["execution_count"] is not null)
                    CellProblem("has outputs or an execution count: save notebooks without outputs (clear all outputs first)");
                if (previous is not { CellType: "markdown" })
                    CellProblem("needs a markdown cell right before it, explaining why the code is there");
                foreach (var construct in ForbiddenConstructs(cell.Source))
                    CellProblem($"{construct}: cells hold plain C# statements; put this code in lib/ instead");
                if (firstCode && !StartsWithLibraryLoading(cell.Source))
                    CellProblem("the first code cell must start with the library-loading lines:\n  " + string.Join("\n  ", LibraryLoadingLines));
                if (firstCode && cell.Source.TrimEnd().Split('\n')[^1].Trim() != PlotlyLine)
                    CellProblem($"the first code cell must end with {PlotlyLine} (plotly.js once for the notebook's charts)");
                if (!firstCode)
                    foreach (var problem in SizeProblems(cell.Source))
                        CellProblem(problem);
                firstCode = false;
            }
            previous = cell;
        }
        if (firstCode) Problem("has no code cell");
        var cells = document.Cells;
        if (cells.Count == 0 || cells[0] is not { CellType: "markdown" } title || !title.Source.TrimStart().StartsWith("# ")
            || !title.Source.Contains("what you will learn", StringComparison.OrdinalIgnoreCase))
            Problem("the first cell must be a markdown title (# …) that says \"What you will learn\"");
        if (!cells.Any(c => c.CellType == "markdown" && exercisesHeading.IsMatch(c.Source)))
            Problem("needs a markdown \"## Exercises\" section");
        if (cells.Count == 0 || cells[^1] is not { CellType: "markdown" } last || !notebookLink.IsMatch(last.Source))
            Problem("the last cell must be markdown linking to the next (or previous) notebook, e.g. [Next: …](01-base-model.ipynb)");
        return problems;
    }

    /// <summary>The most non-blank lines a code cell other than the first may have: a cell is one idea; longer code belongs in lib/.</summary>
    public const int MaxCodeLines = 12;

    /// <summary>The longest line a code cell other than the first may have: the HTML pages cut longer lines off.</summary>
    public const int MaxLineLength = 120;

    static IEnumerable<string> SizeProblems(string source)
    {
        var lines = source.Replace("\r\n", "\n").Split('\n');
        int count = lines.Count(l => l.Trim().Length > 0);
        if (count > MaxCodeLines)
            yield return $"has {count} lines; at most {MaxCodeLines} (one idea per cell: split it, or move code to lib/)";
        for (int i = 0; i < lines.Length; i++)
            if (lines[i].Length > MaxLineLength)
                yield return $"line {i + 1} has {lines[i].Length} characters; at most {MaxLineLength} (the HTML pages cut it off)";
    }

    /// <summary>The last line of every notebook's first cell: plotly.js once on the page, so each chart carries only its figure.</summary>
    public const string PlotlyLine = "Rlhf.Plots.PlotlyJs.Load()";

    static bool StartsWithLibraryLoading(string source)
    {
        var lines = source.Replace("\r\n", "\n").Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        return lines.Count >= LibraryLoadingLines.Count && lines.Take(LibraryLoadingLines.Count).SequenceEqual(LibraryLoadingLines);
    }

    /// <summary>Namespaces and extension methods/blocks (which the kernel cannot compile inside its script submission), found by
    /// parsing the cell as a C# script; magic commands that switch to another kernel; <c>#r</c> lines other than the
    /// library-loading ones (a course notebook needs nothing else, and anything else would download at run time).</summary>
    static IReadOnlyList<string> ForbiddenConstructs(string source)
    {
        var found = new List<string>();
        var lines = source.Replace("\r\n", "\n").Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.StartsWith("#!") && line.Split(' ')[0] is var magic && magic is not ("#!csharp" or "#!c#"))
                found.Add($"line {i + 1}: magic command {magic} (the course's cells are C# only)");
            else if (line.StartsWith("#r ") && !LibraryLoadingLines.Contains(line))
                found.Add($"line {i + 1}: {line} (the first cell's library-loading lines are the only references a notebook needs)");
        }
        // The kernel's directive lines are blanked before parsing, so the parser's line numbers stay the cell's.
        var code = string.Join("\n", lines.Select(l => l.TrimStart() is var t && (t.StartsWith("#r ") || t.StartsWith("#i ") || t.StartsWith("#!")) ? "" : l));
        var tree = CSharpSyntaxTree.ParseText(code, new CSharpParseOptions(LanguageVersion.Latest, kind: SourceCodeKind.Script));
        foreach (var node in tree.GetRoot().DescendantNodes())
        {
            var line = node.GetLocation().GetLineSpan().StartLinePosition.Line + 1;
            if (node is BaseNamespaceDeclarationSyntax ns)
                found.Add($"line {line}: namespace {ns.Name}");
            else if (node is MethodDeclarationSyntax { ParameterList.Parameters: [var first, ..] } method && first.Modifiers.Any(SyntaxKind.ThisKeyword))
                found.Add($"line {line}: extension method {method.Identifier}");
            else if (node.IsKind(SyntaxKind.ExtensionBlockDeclaration))
                found.Add($"line {line}: extension block");
        }
        return found;
    }
}
