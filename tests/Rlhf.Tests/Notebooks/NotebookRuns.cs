using System.Text.Json;
using System.Text.Json.Nodes;

namespace Rlhf.Tests.Notebooks;

/// <summary>Notebook runs start kernels (a process each, a CPU-heavy start) and may set RLHF_SMOKE: these tests run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NotebookRuns
{
    public const string Name = "Notebook runs";
}

/// <summary>A notebook cell for fixtures.</summary>
sealed record Cell(string Type, string Source)
{
    public static Cell Markdown(string source) => new("markdown", source);
    public static Cell Code(string source) => new("code", source);

    /// <summary>The course's library-loading lines, with the library and its kernel side referenced by their absolute paths
    /// in this repository (fixture notebooks live in temporary folders), and <c>using Rlhf.Interactive;</c>.</summary>
    public static Cell LoadLibrary() => Code(string.Join("\n",
        Rlhf.Notebooks.NotebookConventions.LibraryLoadingLines
            .Select(line => line.Replace("\"../lib/", $"\"{Repo.Path("lib")}/").Replace("/bin/Debug/", $"/bin/{Repo.Configuration}/"))
            .Append("using Rlhf.Interactive;")));
}

/// <summary>A temporary folder for fixture notebooks, deleted afterwards.</summary>
sealed class TempFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("rlhf-notebook-test-").FullName;

    /// <summary>Writes a Polyglot notebook (as VS Code saves one) with <paramref name="cells"/> and returns its path.</summary>
    public string Notebook(string name, params Cell[] cells)
    {
        var notebook = new JsonObject
        {
            ["cells"] = new JsonArray(cells.Select(c => (JsonNode)(c.Type == "code"
                ? new JsonObject
                {
                    ["cell_type"] = "code",
                    ["execution_count"] = null,
                    ["metadata"] = new JsonObject
                    {
                        ["dotnet_interactive"] = new JsonObject { ["language"] = "csharp" },
                        ["polyglot_notebook"] = new JsonObject { ["kernelName"] = "csharp" },
                    },
                    ["outputs"] = new JsonArray(),
                    ["source"] = Lines(c.Source),
                }
                : new JsonObject { ["cell_type"] = c.Type, ["metadata"] = new JsonObject(), ["source"] = Lines(c.Source) })).ToArray()),
            ["metadata"] = new JsonObject
            {
                ["kernelspec"] = new JsonObject { ["display_name"] = ".NET (C#)", ["language"] = "C#", ["name"] = ".net-csharp" },
                ["language_info"] = new JsonObject { ["name"] = "polyglot-notebook" },
                ["polyglot_notebook"] = new JsonObject
                {
                    ["kernelInfo"] = new JsonObject
                    {
                        ["defaultKernelName"] = "csharp",
                        ["items"] = new JsonArray(new JsonObject { ["aliases"] = new JsonArray(), ["name"] = "csharp" }),
                    },
                },
            },
            ["nbformat"] = 4,
            ["nbformat_minor"] = 2,
        };
        var path = System.IO.Path.Combine(Path, name);
        File.WriteAllText(path, notebook.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return path;
    }

    static JsonArray Lines(string source)
    {
        var parts = source.Split('\n');
        return new JsonArray(parts.Select((p, i) => (JsonNode)JsonValue.Create(i < parts.Length - 1 ? p + "\n" : p)!).ToArray());
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temporary folder is harmless.
        }
    }
}

/// <summary>Reading an executed notebook's JSON.</summary>
static class Executed
{
    public static JsonObject Parse(string json) => JsonNode.Parse(json)!.AsObject();

    public static JsonObject Cell(JsonObject notebook, int number) => notebook["cells"]![number - 1]!.AsObject();

    public static List<JsonObject> Outputs(JsonObject notebook, int cellNumber) =>
        Cell(notebook, cellNumber)["outputs"]!.AsArray().Select(o => o!.AsObject()).ToList();

    /// <summary>What an output shows: its <c>text/plain</c>, else its <c>text/html</c> (the kernel formats some values
    /// only as HTML, e.g. numbers as <c>&lt;pre&gt;2&lt;/pre&gt;</c>).</summary>
    public static string Shown(JsonObject output) => Text(output["data"]!["text/plain"] ?? output["data"]!["text/html"]);

    /// <summary>An nbformat multiline string (string or array of strings) as one string.</summary>
    public static string Text(JsonNode? node) => node switch
    {
        JsonArray parts => string.Concat(parts.Select(p => p!.GetValue<string>())),
        JsonValue value => value.GetValue<string>(),
        _ => throw new InvalidOperationException("not a multiline string"),
    };
}
