using System.Collections;
using System.Globalization;
using System.Net;
using System.Reflection;
using System.Text;
using Rlhf.Plots;

namespace Rlhf.Notebooks;

/// <summary>
/// Turns a value into the MIME bundle a notebook shows: <see cref="IHtmlDisplay"/> objects (charts, tables)
/// as <c>text/html</c> (charts with plotly.js embedded, so they draw offline), <c>HTML(…)</c> as <c>text/html</c>,
/// everything else as readable <c>text/plain</c> (its own <c>ToString()</c> when it has one; collections as
/// <c>[ 1, 2, 3 ]</c>; other objects as their public properties).
/// </summary>
static class DisplayFormatter
{
    public const string PlainText = "text/plain";
    public const string Html = "text/html";

    /// <summary>Items of a collection shown before "…".</summary>
    const int MaxItems = 20;

    /// <summary>How deep nested objects are expanded.</summary>
    const int MaxDepth = 3;

    /// <summary>The bundle for <paramref name="value"/>; restricted to <paramref name="mimeTypes"/> when any are given.</summary>
    public static IReadOnlyDictionary<string, string> Format(object? value, IReadOnlyList<string>? mimeTypes = null)
    {
        var all = value switch
        {
            HtmlString html => new Dictionary<string, string> { [Html] = html.Html },
            IHtmlDisplay display => new Dictionary<string, string> { [Html] = display.ToHtml(), [PlainText] = Text(value, 0) },
            _ => new Dictionary<string, string> { [PlainText] = Text(value, 0) },
        };
        if (mimeTypes is null || mimeTypes.Count == 0) return all;

        var chosen = new Dictionary<string, string>();
        foreach (var mime in mimeTypes)
        {
            chosen[mime] = mime switch
            {
                _ when all.TryGetValue(mime, out var text) => text,
                Html => $"<pre>{WebUtility.HtmlEncode(all[PlainText])}</pre>",
                PlainText => value?.ToString() ?? "<null>",
                _ => throw new ArgumentException(
                    $"display: the MIME type '{mime}' is not supported; the runner writes {PlainText} and {Html}", nameof(mimeTypes)),
            };
        }
        return chosen;
    }

    /// <summary>Readable plain text for any value.</summary>
    public static string Text(object? value, int depth)
    {
        try
        {
            return value switch
            {
                null => "<null>",
                string s => depth == 0 ? s : $"\"{s}\"",
                char c => depth == 0 ? c.ToString() : $"'{c}'",
                bool b => b ? "true" : "false",
                IFormattable f when value.GetType().IsPrimitive || value is decimal => f.ToString(null, CultureInfo.InvariantCulture),
                _ when OverridesToString(value.GetType()) => value.ToString() ?? "",
                _ when depth >= MaxDepth => FriendlyName(value.GetType()),
                IDictionary dictionary => Items(Entries(dictionary).Select(e => $"{Text(e.Key, depth + 1)}: {Text(e.Value, depth + 1)}"), "{ ", " }"),
                IEnumerable sequence => Items(sequence.Cast<object?>().Select(item => Text(item, depth + 1)), "[ ", " ]"),
                _ => Properties(value, depth),
            };
        }
        catch (Exception e)
        {
            return $"<{FriendlyName(value!.GetType())}: formatting failed: {e.Message}>";
        }
    }

    static IEnumerable<DictionaryEntry> Entries(IDictionary dictionary)
    {
        var entries = dictionary.GetEnumerator(); // IDictionaryEnumerator: generic dictionaries enumerate KeyValuePairs otherwise
        while (entries.MoveNext()) yield return entries.Entry;
    }

    static string Items(IEnumerable<string> items, string open, string close)
    {
        var shown = items.Take(MaxItems + 1).ToList();
        if (shown.Count == 0) return open.Trim() + close.Trim();
        var text = string.Join(", ", shown.Take(MaxItems));
        return open + text + (shown.Count > MaxItems ? ", …" : "") + close;
    }

    static string Properties(object value, int depth)
    {
        var type = value.GetType();
        var members = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanRead && p.GetIndexParameters().Length == 0)
            .Select(p => (p.Name, Get: (Func<object?>)(() => p.GetValue(value))))
            .Concat(type.GetFields(BindingFlags.Public | BindingFlags.Instance).Select(f => (f.Name, Get: (Func<object?>)(() => f.GetValue(value)))))
            .ToList();
        if (members.Count == 0) return FriendlyName(type);
        var parts = members.Select(m =>
        {
            string shown;
            try
            {
                shown = Text(m.Get(), depth + 1);
            }
            catch (TargetInvocationException e)
            {
                shown = $"<{e.InnerException?.GetType().Name ?? "error"}>";
            }
            return $"{m.Name} = {shown}";
        });
        return $"{FriendlyName(type)} {{ {string.Join(", ", parts)} }}";
    }

    static bool OverridesToString(Type type)
    {
        var declaring = type.GetMethod(nameof(ToString), BindingFlags.Public | BindingFlags.Instance, Type.EmptyTypes)?.DeclaringType;
        return declaring is not null && declaring != typeof(object) && declaring != typeof(ValueType);
    }

    /// <summary>A type's name as C# writes it: <c>List&lt;int&gt;</c>, not <c>List`1</c>.</summary>
    public static string FriendlyName(Type type)
    {
        if (!type.IsGenericType) return type.Name;
        var name = new StringBuilder(type.Name[..type.Name.IndexOf('`')]);
        name.Append('<').AppendJoin(", ", type.GetGenericArguments().Select(FriendlyName)).Append('>');
        return name.ToString();
    }
}
