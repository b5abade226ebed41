using System.Text.RegularExpressions;

namespace Rlhf.Text;

/// <summary>
/// GPT-2's pre-tokenisation: text is first cut into words (a letter run with its leading space, a digit
/// run, a punctuation run, whitespace, English contractions), and BPE merges never cross these cuts.
/// Our trainer and our tokenizer use this one regex, so a trained vocabulary encodes exactly as it was
/// learned, and GPT-2's own files encode as in GPT-2.
/// </summary>
/// <remarks>
/// .NET matches UTF-16 code units: a character outside the Basic Multilingual Plane (emoji, rare CJK
/// ideographs) is a surrogate pair, which falls into the punctuation-run branch rather than the letter
/// branch. Text still round-trips exactly; only the grouping of such characters can differ from Python.
/// </remarks>
public static partial class Gpt2PreTokenizer
{
    /// <summary>The pattern from GPT-2's <c>encoder.py</c>.</summary>
    public const string Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    /// <summary>The compiled regex for <see cref="Pattern"/>.</summary>
    [GeneratedRegex(Pattern)]
    public static partial Regex Regex { get; }

    /// <summary>The words of <paramref name="text"/> in order; concatenated they give back the text.</summary>
    public static List<string> Split(string text)
    {
        var words = new List<string>();
        foreach (var match in Regex.EnumerateMatches(text))
            words.Add(text.Substring(match.Index, match.Length));
        return words;
    }
}
