using Rlhf.Notebooks;

namespace Rlhf.Tests.Notebooks;

/// <summary>The runner's pure parts: directive parsing, version compatibility, plain-text formatting.</summary>
public sealed class NotebookPartsTests
{
    [Fact]
    public void Directives_are_blanked_so_compiler_lines_stay_the_cells_lines()
    {
        var source = CellSource.Parse("#!csharp\n#r \"nuget: Plotly.NET, 6.0.0\" // charts\n#region setup\nvar x = 1;\n#endregion");

        Assert.Equal("\n\n#region setup\nvar x = 1;\n#endregion", source.Code);
        var reference = Assert.Single(source.References);
        Assert.Equal(new ReferenceDirective(2, "#r \"nuget: Plotly.NET, 6.0.0\" // charts", "nuget: Plotly.NET, 6.0.0"), reference);
    }

    [Theory]
    [InlineData("#r nuget: Plotly.NET", "line 1: #r nuget: Plotly.NET: a #r directive must be")]
    [InlineData("var a = 1;\n#!time", "line 2: #!time: the magic command '#!time' is not supported")]
    public void Malformed_or_unknown_directives_are_errors_naming_the_line(string source, string message)
    {
        var error = Assert.Throws<DirectiveException>(() => CellSource.Parse(source));
        Assert.StartsWith(message, error.Message);
    }

    [Theory]
    [InlineData("0.107.0", "0.107.0", true)]
    [InlineData("0.106.0", "0.107.0", false)] // 0.x: a minor release may break
    [InlineData("0.107.1", "0.107.0", false)] // newer than provided
    [InlineData("2.0.0", "2.0.1", true)]
    [InlineData("2.0.1", "2.0.1", true)]
    [InlineData("2.1.0", "2.0.1", false)]
    [InlineData("1.0.0", "2.0.1", false)]
    [InlineData("6.0.0", "6.0.0", true)]
    [InlineData("5.0.0", "6.0.0", false)]
    [InlineData("6.*", "6.0.0", false)]
    [InlineData("[6.0.0,7.0.0)", "6.0.0", false)]
    [InlineData("6.0.0-beta1", "6.0.0", false)]
    public void Version_compatibility(string requested, string provided, bool compatible)
    {
        Assert.Equal(compatible, ProvidedReferences.IsCompatible(requested, provided));
    }

    [Fact]
    public void The_provided_packages_are_the_ones_the_library_is_built_with()
    {
        var provided = ProvidedReferences.Packages.ToDictionary(p => p.Id, p => p.Version);
        Assert.Equal("0.107.0", provided["TorchSharp-cpu"]);
        Assert.Equal("0.107.0", provided["TorchSharp"]);
        Assert.Equal("2.0.1", provided["Microsoft.ML.Tokenizers"]);
        Assert.False(provided.ContainsKey("Plotly.NET")); // charts are the library's own plotly.js figures
        Assert.False(provided.ContainsKey("xunit"));
    }

    sealed class Plain
    {
        public int Steps { get; init; } = 3;
        public string Name = "run";
        public List<double> Losses { get; } = [1.5, 0.25];
    }

    sealed record Metrics(double Loss, int Step);

    [Fact]
    public void Plain_text_is_readable_for_collections_records_and_objects()
    {
        Assert.Equal("<null>", DisplayFormatter.Text(null, 0));
        Assert.Equal("hello", DisplayFormatter.Text("hello", 0));
        Assert.Equal("0.1", DisplayFormatter.Text(0.1, 0));
        Assert.Equal("[ 1, 2, 3 ]", DisplayFormatter.Text(new[] { 1, 2, 3 }, 0));
        Assert.Equal("[ \"a\", \"b\" ]", DisplayFormatter.Text(new List<string> { "a", "b" }, 0));
        Assert.Equal("[]", DisplayFormatter.Text(new List<int>(), 0));
        Assert.Equal("{ \"loss\": 0.5, \"kl\": 0.01 }", DisplayFormatter.Text(new Dictionary<string, double> { ["loss"] = 0.5, ["kl"] = 0.01 }, 0));
        Assert.Equal("Metrics { Loss = 0.5, Step = 10 }", DisplayFormatter.Text(new Metrics(0.5, 10), 0));
        Assert.Equal("Plain { Steps = 3, Losses = [ 1.5, 0.25 ], Name = \"run\" }", DisplayFormatter.Text(new Plain(), 0));
        Assert.Equal("[ " + string.Join(", ", Enumerable.Range(0, 20)) + ", … ]", DisplayFormatter.Text(Enumerable.Range(0, 1000), 0));
    }

    [Fact]
    public void Requested_mime_types_restrict_or_convert_the_bundle()
    {
        var html = DisplayFormatter.Format(new List<int> { 1 }, ["text/html"]);
        Assert.Equal(["text/html"], html.Keys);
        Assert.Equal("<pre>[ 1 ]</pre>", html["text/html"]);
        Assert.Throws<ArgumentException>(() => DisplayFormatter.Format(1, ["image/png"]));
    }
}
