namespace Rlhf.Checkpoints;

/// <summary>
/// Writes that are all or nothing: the content goes to a temporary sibling first and is renamed over the
/// destination only once complete, so a crash mid-write never leaves a half-written checkpoint behind.
/// </summary>
public static class AtomicFile
{
    /// <summary>Writes a file by calling <paramref name="write"/> on a temporary sibling, flushing it to disk,
    /// then renaming it to <paramref name="path"/> (replacing any previous file).</summary>
    public static void Write(string path, Action<Stream> write)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temporary = $"{full}.tmp-{Guid.NewGuid():N}";
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, full, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    /// <summary>Writes text (UTF-8, no byte-order mark) atomically.</summary>
    public static void WriteText(string path, string text) =>
        Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(false), leaveOpen: true);
            writer.Write(text);
        });

    /// <summary>The subfolder a replaced folder keeps: the trainer's step checkpoints (<c>OUT/checkpoints/step-NNNNNN</c>).</summary>
    public const string KeptFolder = "checkpoints";

    /// <summary>
    /// Fills a folder atomically: <paramref name="fill"/> writes into a fresh temporary sibling folder; only when
    /// it returns is the old <paramref name="folder"/> (if any) moved aside, the new one renamed into place, and
    /// the old one deleted; its <see cref="KeptFolder"/> subfolder, if any, is carried over. Until that moment the previous folder stays complete and untouched.
    /// </summary>
    public static void WriteFolder(string folder, Action<string> fill)
    {
        var full = Path.GetFullPath(folder).TrimEnd(Path.DirectorySeparatorChar);
        var parent = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(parent);
        var name = Path.GetFileName(full);
        var temporary = Path.Combine(parent, $".{name}.tmp-{Guid.NewGuid():N}");
        var previous = Path.Combine(parent, $".{name}.old-{Guid.NewGuid():N}");
        Directory.CreateDirectory(temporary);
        try
        {
            fill(temporary);
        }
        catch
        {
            Directory.Delete(temporary, recursive: true);
            throw;
        }
        bool hadPrevious = Directory.Exists(full);
        // A training run's resumable step checkpoints live in OUT/checkpoints/; replacing the model in OUT must not lose them.
        var kept = Path.Combine(full, KeptFolder);
        bool keep = hadPrevious && Directory.Exists(kept) && !Directory.Exists(Path.Combine(temporary, KeptFolder));
        if (keep) Directory.Move(kept, Path.Combine(temporary, KeptFolder));
        if (hadPrevious) Directory.Move(full, previous);
        try
        {
            Directory.Move(temporary, full);
        }
        catch
        {
            if (hadPrevious) Directory.Move(previous, full);
            if (keep) Directory.Move(Path.Combine(temporary, KeptFolder), kept);
            throw;
        }
        if (hadPrevious) Directory.Delete(previous, recursive: true);
    }
}
