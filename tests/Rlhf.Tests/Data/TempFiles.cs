namespace Rlhf.Tests.Data;

/// <summary>A temporary folder for files a test writes; deleted on dispose.</summary>
sealed class TempFiles : IDisposable
{
    public string Folder { get; } = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "rlhf-data-" + Guid.NewGuid().ToString("N"))).FullName;

    /// <summary>Writes <paramref name="lines"/> joined by '\n' into <paramref name="name"/> and returns its path.</summary>
    public string Write(string name, params string[] lines)
    {
        string path = Path.Combine(Folder, name);
        File.WriteAllText(path, string.Join("\n", lines) + "\n");
        return path;
    }

    public string PathOf(string name) => Path.Combine(Folder, name);

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}
