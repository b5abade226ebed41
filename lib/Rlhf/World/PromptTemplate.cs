using System.Text;
using System.Text.RegularExpressions;

namespace Rlhf.World;

/// <summary>
/// A prompt pattern with <c>{name}</c> slots that renders a prompt and, read backwards, recovers the
/// slot values from a prompt it rendered (so the gold judge can tell what any TinyWorld prompt asks).
/// </summary>
public sealed class PromptTemplate
{
    readonly Regex matcher;

    /// <summary>The pattern, e.g. <c>What is {a} {op} {b}?</c>.</summary>
    public string Pattern { get; }

    /// <summary>Parses <paramref name="pattern"/>; slot values match lazily, numbers only where the slot is named a, b or n.</summary>
    public PromptTemplate(string pattern)
    {
        Pattern = pattern;
        var regex = new StringBuilder("^");
        foreach (Match part in Regex.Matches(pattern, @"\{(\w+)\}|[^{]+"))
        {
            if (!part.Groups[1].Success) { regex.Append(Regex.Escape(part.Value)); continue; }
            string name = part.Groups[1].Value;
            regex.Append(name switch
            {
                "a" or "b" or "n" => $"(?<{name}>\\d+)",
                "op" => "(?<op>[-+*])",
                _ => $"(?<{name}>.+?)",
            });
        }
        matcher = new Regex(regex.Append('$').ToString(), RegexOptions.CultureInvariant);
    }

    /// <summary>The pattern with every slot replaced by its value.</summary>
    public string Render(IReadOnlyDictionary<string, string> slots) =>
        Regex.Replace(Pattern, @"\{(\w+)\}", m => slots.TryGetValue(m.Groups[1].Value, out var v)
            ? v : throw new ArgumentException($"template '{Pattern}' needs a value for slot '{m.Groups[1].Value}'"));

    /// <summary>The slot values if <paramref name="prompt"/> has exactly this template's shape, else null.</summary>
    public IReadOnlyDictionary<string, string>? Match(string prompt)
    {
        var match = matcher.Match(prompt);
        if (!match.Success) return null;
        var slots = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (Group g in match.Groups)
            if (g.Success && !int.TryParse(g.Name, out _)) slots[g.Name] = g.Value;
        return slots;
    }
}
