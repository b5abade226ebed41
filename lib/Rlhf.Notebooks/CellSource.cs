using System.Text.RegularExpressions;

namespace Rlhf.Notebooks;

/// <summary>A <c>#r "…"</c> line of a cell.</summary>
/// <param name="Line">1-based line in the cell.</param>
/// <param name="Text">The line as written (what error messages quote).</param>
/// <param name="Argument">The quoted argument, e.g. <c>nuget: TorchSharp-cpu, 0.107.0</c> or a DLL path.</param>
sealed record ReferenceDirective(int Line, string Text, string Argument);

/// <summary>
/// Splits a cell into the C# the compiler sees and the Polyglot directives the runner handles itself:
/// <c>#r</c> references and <c>#!</c> magic commands (<c>#i</c> and <c>#load</c> are refused). Handled lines are blanked, not removed, so the
/// compiler's line numbers are the cell's line numbers.
/// </summary>
/// <param name="Code">The C# code with directive lines blanked.</param>
/// <param name="References">The <c>#r</c> directives, in order.</param>
sealed record CellSource(string Code, IReadOnlyList<ReferenceDirective> References)
{
    /// <summary>The magic commands that select the C# kernel; Polyglot may write them at the top of a cell.</summary>
    static readonly HashSet<string> csharpMagics = new(StringComparer.OrdinalIgnoreCase) { "#!csharp", "#!c#" };

    static readonly Regex referenceLine = new(@"^#r\s+""(?<argument>[^""]*)""\s*(//.*)?$", RegexOptions.CultureInvariant);

    /// <summary>Parses <paramref name="source"/>; throws <see cref="DirectiveException"/> for a directive the runner cannot honour.</summary>
    public static CellSource Parse(string source)
    {
        var lines = source.Replace("\r\n", "\n").Split('\n');
        var references = new List<ReferenceDirective>();
        for (int i = 0; i < lines.Length; i++)
        {
            var trimmed = lines[i].Trim();
            if (trimmed.StartsWith("#!"))
            {
                var magic = trimmed.Split((char[]?)null, 2, StringSplitOptions.RemoveEmptyEntries)[0];
                if (!csharpMagics.Contains(magic))
                    throw new DirectiveException(i + 1, trimmed,
                        $"the magic command '{magic}' is not supported: the runner executes C# cells only and knows no other magic commands");
                lines[i] = "";
            }
            else if (trimmed.StartsWith("#r ") || trimmed.StartsWith("#r\t") || trimmed.StartsWith("#r\"") || trimmed == "#r")
            {
                var match = referenceLine.Match(trimmed);
                if (!match.Success)
                    throw new DirectiveException(i + 1, trimmed, "a #r directive must be #r \"nuget: Id, Version\" or #r \"path/to/Library.dll\"");
                references.Add(new ReferenceDirective(i + 1, trimmed, match.Groups["argument"].Value.Trim()));
                lines[i] = "";
            }
            else if (trimmed.StartsWith("#load"))
            {
                throw new DirectiveException(i + 1, trimmed, "#load is not supported: put shared code in lib/Rlhf and call it from the cell");
            }
            else if (trimmed.StartsWith("#i ") || trimmed.StartsWith("#i\""))
            {
                throw new DirectiveException(i + 1, trimmed,
                    "#i (adding a package source) is not supported: the runner never downloads packages");
            }
        }
        return new CellSource(string.Join("\n", lines), references);
    }
}
